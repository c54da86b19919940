import { getLogger } from '../../common/log.js';
import type { GroupCoordinator } from './coordinator.js';
import { KafkaErrorCode as E } from './error-codes.js';
import { Group } from './group.js';
import { partitionKey, splitPartitionKey, type CommittedOffset, type StateRecord } from './state-store.js';

/**
 * OffsetCommit / OffsetFetch and offset retention, on top of the coordinator's groups and durable state.
 * Who may commit follows Kafka: members of the current generation, or anyone with generation -1 while the group
 * has no members (the "simple" commits of consumers that assign partitions themselves, and of admin tools).
 */

const log = getLogger('broker.group.offsets');

export interface OffsetCommitInput {
  groupId: string;
  /** -1 for a commit from outside the group protocol (and for OffsetCommit v0). */
  generationId: number;
  memberId: string;
  /** OffsetCommit v2-4 retention; -1 means the broker's offsets.retention.minutes. */
  retentionTimeMs: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch: number;
      /** OffsetCommit v1 only; -1 means now. */
      commitTimestamp: number;
      committedMetadata: string | null;
    }[];
  }[];
}

export interface OffsetCommitOutput {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

function allPartitions(input: OffsetCommitInput, errorCode: number): OffsetCommitOutput {
  return {
    topics: input.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}

export async function commitOffsets(c: GroupCoordinator, input: OffsetCommitInput): Promise<OffsetCommitOutput> {
  if (c.isClosed) return allPartitions(input, E.COORDINATOR_NOT_AVAILABLE);
  if (input.groupId === '') return allPartitions(input, E.INVALID_GROUP_ID);
  let group = c.groups.get(input.groupId);
  if (group === undefined) {
    if (input.generationId >= 0) return allPartitions(input, E.ILLEGAL_GENERATION);
    group = new Group(input.groupId);
    c.groups.set(input.groupId, group);
  }
  const refusal = commitRefusal(c, group, input);
  if (refusal !== E.NONE) return allPartitions(input, refusal);

  const now = c.clock.now();
  const records: StateRecord[] = [];
  const out: OffsetCommitOutput = { topics: [] };
  for (const t of input.topics) {
    const partitions: { partitionIndex: number; errorCode: number }[] = [];
    for (const p of t.partitions) {
      const metadata = p.committedMetadata ?? '';
      if (Buffer.byteLength(metadata, 'utf8') > c.config.offsetMetadataMaxBytes) {
        partitions.push({ partitionIndex: p.partitionIndex, errorCode: E.OFFSET_METADATA_TOO_LARGE });
        continue;
      }
      const commitTimestamp = p.commitTimestamp >= 0 ? p.commitTimestamp : now;
      const value: CommittedOffset = {
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata,
        commitTimestamp,
        expireTimestamp: input.retentionTimeMs >= 0 ? commitTimestamp + input.retentionTimeMs : null,
      };
      records.push({ type: 'offset', groupId: input.groupId, topic: t.name, partition: p.partitionIndex, value });
      partitions.push({ partitionIndex: p.partitionIndex, errorCode: E.NONE });
    }
    out.topics.push({ name: t.name, partitions });
  }
  try {
    await c.store.append(records);
  } catch (e) {
    log.error(`storing offsets of group ${input.groupId} failed`, e);
    return allPartitions(input, E.COORDINATOR_NOT_AVAILABLE);
  }
  return out;
}

/** Kafka's doCommitOffsets checks, in Kafka's order; NONE means the commit may proceed. */
function commitRefusal(c: GroupCoordinator, group: Group, input: OffsetCommitInput): number {
  if (group.is('Dead')) return E.COORDINATOR_NOT_AVAILABLE;
  if (input.generationId < 0 && group.is('Empty')) return E.NONE;
  const member = group.members.get(input.memberId);
  if (member === undefined) return E.UNKNOWN_MEMBER_ID;
  if (input.generationId !== group.generationId) return E.ILLEGAL_GENERATION;
  // Assignments of this generation are not out yet: offsets committed now could belong to someone else's partition.
  if (group.is('CompletingRebalance')) return E.REBALANCE_IN_PROGRESS;
  c.touchMember(group, member);
  return E.NONE;
}

export interface FetchedPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface FetchedTopic {
  name: string;
  partitions: FetchedPartition[];
}

/**
 * The group's committed offsets for the asked partitions, -1 (with no error) where nothing was committed;
 * `topics` null means every partition the group has committed.
 */
export function fetchOffsets(
  c: GroupCoordinator,
  groupId: string,
  topics: { name: string; partitionIndexes: number[] }[] | null,
): { errorCode: number; topics: FetchedTopic[] } {
  if (c.isClosed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, topics: [] };
  if (groupId === '') return { errorCode: E.INVALID_GROUP_ID, topics: [] };
  const stored = c.store.offsets.get(groupId);
  const entry = (topic: string, partitionIndex: number): FetchedPartition => {
    const o = stored?.get(partitionKey(topic, partitionIndex));
    return o === undefined
      ? { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE }
      : {
          partitionIndex,
          committedOffset: o.offset,
          committedLeaderEpoch: o.leaderEpoch,
          metadata: o.metadata,
          errorCode: E.NONE,
        };
  };
  if (topics !== null) {
    return {
      errorCode: E.NONE,
      topics: topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => entry(t.name, p)) })),
    };
  }
  const byTopic = new Map<string, number[]>();
  for (const key of stored?.keys() ?? []) {
    const { topic, partition } = splitPartitionKey(key);
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  }
  return {
    errorCode: E.NONE,
    topics: [...byTopic.keys()].sort().map((name) => ({
      name,
      partitions: byTopic
        .get(name)!
        .sort((a, b) => a - b)
        .map((p) => entry(name, p)),
    })),
  };
}

/**
 * Drops offsets past retention (offsets.retention.minutes) and the empty groups left with none. Offsets of a
 * group with members never expire by age; an empty group's offsets age from when it became empty (or from the
 * commit, if later or if that moment was before a restart). An explicit expiry from OffsetCommit v2-4 wins.
 * Returns how many offsets were dropped.
 */
export async function expireOffsets(c: GroupCoordinator): Promise<number> {
  const now = c.clock.now();
  const records: StateRecord[] = [];
  for (const [groupId, parts] of c.store.offsets) {
    const group = c.groups.get(groupId);
    const hasMembers = group !== undefined && group.members.size > 0;
    for (const [key, o] of parts) {
      const expired =
        o.expireTimestamp !== null
          ? now >= o.expireTimestamp
          : !hasMembers && now >= Math.max(o.commitTimestamp, group?.emptySince ?? 0) + c.config.offsetsRetentionMs;
      if (expired) records.push({ type: 'offset-delete', groupId, ...splitPartitionKey(key) });
    }
  }
  if (records.length > 0) await c.store.append(records);
  for (const group of [...c.groups.values()]) {
    if (group.is('Empty') && group.pendingMembers.size === 0 && !c.store.offsets.has(group.groupId)) {
      log.info(`group ${group.groupId}: empty and without offsets, removing it`);
      await c.removeGroup(group);
    }
  }
  return records.length;
}
