import type { BrokerCore } from '../core.js';
import type { Handler } from '../handler.js';

/**
 * ApiVersions (key 18). Ranges follow what Kafka 3.x advertises, down to version 0 — librdkafka enables
 * features only when the low versions are inside the range — and up to the highest version Eddy's handlers
 * implement. An API appears only while a handler for it is registered (group APIs come from the group module).
 */
export const ADVERTISED: ReadonlyMap<number, readonly [number, number]> = new Map([
  [0, [0, 9]], // Produce (v0-2 carry legacy message sets, answered CORRUPT_MESSAGE)
  [1, [0, 11]], // Fetch
  [2, [0, 5]], // ListOffsets
  [3, [0, 9]], // Metadata
  [8, [0, 7]], // OffsetCommit
  [9, [0, 7]], // OffsetFetch
  [10, [0, 2]], // FindCoordinator
  [11, [0, 5]], // JoinGroup
  [12, [0, 3]], // Heartbeat
  [13, [0, 3]], // LeaveGroup
  [14, [0, 3]], // SyncGroup
  [15, [0, 4]], // DescribeGroups
  [16, [0, 4]], // ListGroups
  [18, [0, 3]], // ApiVersions
  [19, [0, 4]], // CreateTopics
  [20, [0, 3]], // DeleteTopics
  [21, [0, 1]], // DeleteRecords
  [22, [0, 4]], // InitProducerId
  [32, [0, 3]], // DescribeConfigs
  [33, [0, 1]], // AlterConfigs
  [37, [0, 1]], // CreatePartitions
  [42, [0, 1]], // DeleteGroups
]);

export function apiKeysOf(core: BrokerCore): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return [...core.handlers.keys()]
    .filter((k) => ADVERTISED.has(k))
    .sort((a, b) => a - b)
    .map((apiKey) => ({ apiKey, minVersion: ADVERTISED.get(apiKey)![0], maxVersion: ADVERTISED.get(apiKey)![1] }));
}

export function apiVersionsHandler(core: BrokerCore): Handler {
  return async () => ({ errorCode: 0, apiKeys: apiKeysOf(core), throttleTimeMs: 0 });
}
