// Transcribed from Kafka's message specs CreatePartitionsRequest.json and CreatePartitionsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * CreatePartitions (API key 37), versions 0-3, flexible 2+.
 *
 * Request:
 *   Topics: []CreatePartitionsTopic  (v0+)
 *     Name: string  (v0+)
 *     Count: int32  (v0+)
 *     Assignments: []CreatePartitionsAssignment  (v0+, nullable v0+)
 *       BrokerIds: []int32  (v0+)
 *   TimeoutMs: int32  (v0+)
 *   ValidateOnly: bool  (v0+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v0+)
 *   Results: []CreatePartitionsTopicResult  (v0+)
 *     Name: string  (v0+)
 *     ErrorCode: int16  (v0+)
 *     ErrorMessage: string  (v0+, nullable v0+, default "null")
 */
export const createPartitions: ApiSpec = {
  apiKey: 37,
  name: 'CreatePartitions',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: [
    {
      name: 'Topics',
      type: '[]CreatePartitionsTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Count', type: 'int32', versions: '0+' },
        {
          name: 'Assignments',
          type: '[]CreatePartitionsAssignment',
          versions: '0+',
          nullableVersions: '0+',
          fields: [{ name: 'BrokerIds', type: '[]int32', versions: '0+' }],
        },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    { name: 'ValidateOnly', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results',
      type: '[]CreatePartitionsTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
      ],
    },
  ],
};
