import { validateTopicConfigs } from '../config/topic-config.js';
import { ErrorCode, type BrokerCore } from '../core.js';
import type { Handler, HandlerContext } from '../handler.js';
import { invalidTopicName } from '../log/log-manager.js';

interface CreateTopicsRequest {
  topics: {
    name: string;
    numPartitions: number;
    replicationFactor: number;
    assignments: { partitionIndex: number; brokerIds: number[] }[];
    configs: { name: string; value: string | null }[];
  }[];
  timeoutMs: number;
  validateOnly?: boolean;
}

/** Each partition is a folder with open files: a single broker refuses absurd counts instead of exhausting descriptors. */
export const MAX_PARTITIONS = 10_000;

type Outcome = { errorCode: number; errorMessage: string | null; numPartitions?: number };

/** Checks one CreateTopics entry as Kafka does; returns an error outcome, or the partition count to create. */
export function checkNewTopic(core: BrokerCore, t: CreateTopicsRequest['topics'][number]): Outcome {
  const invalid = invalidTopicName(t.name);
  if (invalid) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: invalid };
  if (core.logs.topic(t.name)) {
    return {
      errorCode: ErrorCode.TOPIC_ALREADY_EXISTS,
      errorMessage: `topic ${JSON.stringify(t.name)} already exists`,
    };
  }
  const nodeId = core.services.nodeId;
  let numPartitions = t.numPartitions === -1 ? core.config.int('num.partitions', 1) : t.numPartitions;
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'give either replica assignments or numPartitions/replicationFactor, not both',
      };
    }
    const bad = t.assignments.find((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId);
    if (bad) {
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: `partition ${bad.partitionIndex} is assigned to brokers [${bad.brokerIds.join(',')}]; the only broker is ${nodeId}`,
      };
    }
    numPartitions = t.assignments.length;
  }
  if (!Number.isInteger(numPartitions) || numPartitions <= 0) {
    return {
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: `number of partitions ${numPartitions} must be > 0`,
    };
  }
  const rf = t.replicationFactor === -1 ? core.config.int('default.replication.factor', 1) : t.replicationFactor;
  if (rf !== 1 && t.assignments.length === 0) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: `replication factor ${rf} is larger than the 1 available broker; use 1`,
    };
  }
  const err = validateTopicConfigs(configsOf(t.configs));
  if (err) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: err };
  return { errorCode: 0, errorMessage: null, numPartitions };
}

export function configsOf(list: { name: string; value: string | null }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of list) if (c.value !== null) out[c.name] = c.value;
  return out;
}

/** CreateTopics (key 19). */
export function createTopicsHandler(core: BrokerCore): Handler {
  return async (request: CreateTopicsRequest, ctx: HandlerContext) => {
    const seen = new Map<string, number>();
    for (const t of request.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    const topics = request.topics.map((t) => {
      let outcome: Outcome =
        seen.get(t.name)! > 1
          ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `topic ${JSON.stringify(t.name)} is listed twice` }
          : checkNewTopic(core, t);
      if (outcome.errorCode === 0 && !request.validateOnly) {
        try {
          core.logs.createTopic(t.name, outcome.numPartitions!, configsOf(t.configs));
        } catch (e) {
          outcome = {
            errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
            errorMessage: `creating the topic failed: ${String(e)}`,
          };
        }
      }
      const created = core.logs.topic(t.name);
      return {
        name: t.name,
        topicId: created?.topicId,
        errorCode: outcome.errorCode,
        errorMessage: ctx.apiVersion >= 1 ? outcome.errorMessage : undefined,
        numPartitions: outcome.errorCode === 0 ? outcome.numPartitions : -1,
        replicationFactor: outcome.errorCode === 0 ? 1 : -1,
        configs: [],
      };
    });
    return { throttleTimeMs: 0, topics };
  };
}
