// Transcribed from Kafka's message specs CreateTopicsRequest.json and CreateTopicsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * CreateTopics (API key 19), versions 0-7, flexible 5+.
 *
 * Request:
 *   Topics: []CreatableTopic  (v0+)
 *     Name: string  (v0+)
 *     NumPartitions: int32  (v0+)
 *     ReplicationFactor: int16  (v0+)
 *     Assignments: []CreatableReplicaAssignment  (v0+)
 *       PartitionIndex: int32  (v0+)
 *       BrokerIds: []int32  (v0+)
 *     Configs: []CreatableTopicConfig  (v0+)
 *       Name: string  (v0+)
 *       Value: string  (v0+, nullable v0+)
 *   timeoutMs: int32  (v0+, default "60000")
 *   validateOnly: bool  (v1+, default "false")
 *
 * Response:
 *   ThrottleTimeMs: int32  (v2+)
 *   Topics: []CreatableTopicResult  (v0+)
 *     Name: string  (v0+)
 *     TopicId: uuid  (v7+)
 *     ErrorCode: int16  (v0+)
 *     ErrorMessage: string  (v1+, nullable v0+)
 *     TopicConfigErrorCode: int16  (v5+, tag 0 v5+)
 *     NumPartitions: int32  (v5+, default "-1")
 *     ReplicationFactor: int16  (v5+, default "-1")
 *     Configs: []CreatableTopicConfigs  (v5+, nullable v5+)
 *       Name: string  (v5+)
 *       Value: string  (v5+, nullable v5+)
 *       ReadOnly: bool  (v5+)
 *       ConfigSource: int8  (v5+, default "-1")
 *       IsSensitive: bool  (v5+)
 */
export const createTopics: ApiSpec = {
  apiKey: 19,
  name: 'CreateTopics',
  validVersions: '0-7',
  flexibleVersions: '5+',
  request: [
    {
      name: 'Topics',
      type: '[]CreatableTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'NumPartitions', type: 'int32', versions: '0+' },
        { name: 'ReplicationFactor', type: 'int16', versions: '0+' },
        {
          name: 'Assignments',
          type: '[]CreatableReplicaAssignment',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'BrokerIds', type: '[]int32', versions: '0+' },
          ],
        },
        {
          name: 'Configs',
          type: '[]CreatableTopicConfig',
          versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            { name: 'Value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: '60000' },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: 'false' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'Topics',
      type: '[]CreatableTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'TopicId', type: 'uuid', versions: '7+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '1+', nullableVersions: '0+' },
        { name: 'TopicConfigErrorCode', type: 'int16', versions: '5+', taggedVersions: '5+', tag: 0 },
        { name: 'NumPartitions', type: 'int32', versions: '5+', default: '-1' },
        { name: 'ReplicationFactor', type: 'int16', versions: '5+', default: '-1' },
        {
          name: 'Configs',
          type: '[]CreatableTopicConfigs',
          versions: '5+',
          nullableVersions: '5+',
          fields: [
            { name: 'Name', type: 'string', versions: '5+' },
            { name: 'Value', type: 'string', versions: '5+', nullableVersions: '5+' },
            { name: 'ReadOnly', type: 'bool', versions: '5+' },
            { name: 'ConfigSource', type: 'int8', versions: '5+', default: '-1' },
            { name: 'IsSensitive', type: 'bool', versions: '5+' },
          ],
        },
      ],
    },
  ],
};
