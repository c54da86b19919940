// Transcribed from Kafka's message specs DeleteTopicsRequest.json and DeleteTopicsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * DeleteTopics (API key 20), versions 0-6, flexible 4+.
 *
 * Request:
 *   Topics: []DeleteTopicState  (v6+)
 *     Name: string  (v6+, nullable v6+, default "null")
 *     TopicId: uuid  (v6+)
 *   TopicNames: []string  (v0-5)
 *   TimeoutMs: int32  (v0+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v1+)
 *   Responses: []DeletableTopicResult  (v0+)
 *     Name: string  (v0+, nullable v6+)
 *     TopicId: uuid  (v6+)
 *     ErrorCode: int16  (v0+)
 *     ErrorMessage: string  (v5+, nullable v5+, default "null")
 */
export const deleteTopics: ApiSpec = {
  apiKey: 20,
  name: 'DeleteTopics',
  validVersions: '0-6',
  flexibleVersions: '4+',
  request: [
    {
      name: 'Topics',
      type: '[]DeleteTopicState',
      versions: '6+',
      fields: [
        { name: 'Name', type: 'string', versions: '6+', nullableVersions: '6+', default: 'null' },
        { name: 'TopicId', type: 'uuid', versions: '6+' },
      ],
    },
    { name: 'TopicNames', type: '[]string', versions: '0-5' },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'Responses',
      type: '[]DeletableTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '6+' },
        { name: 'TopicId', type: 'uuid', versions: '6+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
      ],
    },
  ],
};
