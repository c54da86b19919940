// Every API this broker has a codec for.
import type { ApiSpec } from '../schema.js';
import { produce } from './produce.js';
import { fetch } from './fetch.js';
import { listOffsets } from './list-offsets.js';
import { metadata } from './metadata.js';
import { offsetCommit } from './offset-commit.js';
import { offsetFetch } from './offset-fetch.js';
import { findCoordinator } from './find-coordinator.js';
import { joinGroup } from './join-group.js';
import { heartbeat } from './heartbeat.js';
import { leaveGroup } from './leave-group.js';
import { syncGroup } from './sync-group.js';
import { describeGroups } from './describe-groups.js';
import { listGroups } from './list-groups.js';
import { apiVersions } from './api-versions.js';
import { createTopics } from './create-topics.js';
import { deleteTopics } from './delete-topics.js';
import { deleteRecords } from './delete-records.js';
import { initProducerId } from './init-producer-id.js';
import { describeConfigs } from './describe-configs.js';
import { alterConfigs } from './alter-configs.js';
import { createPartitions } from './create-partitions.js';
import { deleteGroups } from './delete-groups.js';

export const API_SPECS: readonly ApiSpec[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  initProducerId,
  describeConfigs,
  alterConfigs,
  createPartitions,
  deleteGroups,
];
