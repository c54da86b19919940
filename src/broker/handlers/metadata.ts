import { ErrorCode, type BrokerCore } from '../core.js';
import type { Handler, HandlerContext } from '../handler.js';
import { invalidTopicName } from '../log/log-manager.js';

interface MetadataRequest {
  topics: { name: string | null; topicId?: string }[] | null;
  allowAutoTopicCreation?: boolean;
}

/**
 * Metadata (key 3): this broker is every partition's leader, the controller, and the only replica. Errors are
 * only for topics that do not exist or cannot: kafkajs treats any other non-zero code as "retry".
 */
export function metadataHandler(core: BrokerCore): Handler {
  return async (request: MetadataRequest, ctx: HandlerContext) => {
    const { nodeId, host, port } = core.services;
    // v0: an empty list means all topics; v1+: null means all, empty means none (librdkafka relies on it).
    const all = request.topics === null || (ctx.apiVersion === 0 && request.topics.length === 0);
    // v1-3 have no flag and auto-create as Kafka did; v4+ say whether the client wants it.
    const allowCreate = request.allowAutoTopicCreation ?? true;
    const names = all ? core.logs.topicNames() : request.topics!.map((t) => t.name ?? '');
    const topics = names.map((name) => {
      const invalid = invalidTopicName(name);
      if (invalid) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, isInternal: false, partitions: [] };
      let topic = core.logs.topic(name);
      if (!topic && allowCreate && core.autoCreate(name)) topic = core.logs.topic(name);
      if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] };
      return {
        errorCode: 0,
        name,
        topicId: topic.topicId,
        isInternal: false,
        partitions: topic.partitions.map((_, i) => ({
          errorCode: 0,
          partitionIndex: i,
          leaderId: nodeId,
          leaderEpoch: 0,
          replicaNodes: [nodeId],
          isrNodes: [nodeId],
          offlineReplicas: [],
        })),
      };
    });
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId, host, port, rack: null }],
      clusterId: core.services.config('cluster.id') ?? 'eddy-cluster',
      controllerId: nodeId,
      topics,
    };
  };
}
