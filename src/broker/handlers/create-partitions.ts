import { ErrorCode, type BrokerCore } from '../core.js';
import type { Handler } from '../handler.js';
import { MAX_PARTITIONS } from './create-topics.js';

interface CreatePartitionsRequest {
  topics: { name: string; count: number; assignments: { brokerIds: number[] }[] | null }[];
  timeoutMs: number;
  validateOnly: boolean;
}

/** CreatePartitions (key 37): grows a topic to `count` partitions; Kafka never shrinks one. */
export function createPartitionsHandler(core: BrokerCore): Handler {
  return async (request: CreatePartitionsRequest) => ({
    throttleTimeMs: 0,
    results: request.topics.map((t) => {
      const topic = core.logs.topic(t.name);
      if (!topic) return { name: t.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
      const have = topic.partitions.length;
      if (!Number.isInteger(t.count) || t.count <= have || t.count > MAX_PARTITIONS) {
        return {
          name: t.name,
          errorCode: ErrorCode.INVALID_PARTITIONS,
          errorMessage: `topic ${t.name} has ${have} partitions; the new count ${t.count} must be larger, at most ${MAX_PARTITIONS}`,
        };
      }
      if (t.assignments?.some((a) => a.brokerIds.some((b) => b !== core.services.nodeId))) {
        return {
          name: t.name,
          errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          errorMessage: `the only broker is ${core.services.nodeId}`,
        };
      }
      if (!request.validateOnly) core.logs.addPartitions(t.name, t.count);
      return { name: t.name, errorCode: 0, errorMessage: null };
    }),
  });
}
