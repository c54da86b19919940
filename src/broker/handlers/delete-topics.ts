import { ErrorCode, type BrokerCore } from '../core.js';
import type { Handler } from '../handler.js';

interface DeleteTopicsRequest {
  topicNames?: string[];
  topics?: { name: string | null }[];
  timeoutMs: number;
}

/** DeleteTopics (key 20): removes the topic definition first, then its partition folders. */
export function deleteTopicsHandler(core: BrokerCore): Handler {
  return async (request: DeleteTopicsRequest) => {
    const names = request.topicNames ?? request.topics?.map((t) => t.name ?? '') ?? [];
    const enabled = core.config.bool('delete.topic.enable');
    const responses = [];
    for (const name of names) {
      if (!enabled) {
        responses.push({ name, errorCode: 73, errorMessage: 'delete.topic.enable is false' }); // TOPIC_DELETION_DISABLED
      } else if (!core.logs.topic(name)) {
        responses.push({ name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null });
      } else {
        await core.logs.deleteTopic(name);
        responses.push({ name, errorCode: 0, errorMessage: null });
      }
    }
    return { throttleTimeMs: 0, responses };
  };
}
