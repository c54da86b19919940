// Transcribed from Kafka's message specs DeleteRecordsRequest.json and DeleteRecordsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * DeleteRecords (API key 21), versions 0-2, flexible 2+.
 *
 * Request:
 *   Topics: []DeleteRecordsTopic  (v0+)
 *     Name: string  (v0+)
 *     Partitions: []DeleteRecordsPartition  (v0+)
 *       PartitionIndex: int32  (v0+)
 *       Offset: int64  (v0+)
 *   TimeoutMs: int32  (v0+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v0+)
 *   Topics: []DeleteRecordsTopicResult  (v0+)
 *     Name: string  (v0+)
 *     Partitions: []DeleteRecordsPartitionResult  (v0+)
 *       PartitionIndex: int32  (v0+)
 *       LowWatermark: int64  (v0+)
 *       ErrorCode: int16  (v0+)
 */
export const deleteRecords: ApiSpec = {
  apiKey: 21,
  name: 'DeleteRecords',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    {
      name: 'Topics',
      type: '[]DeleteRecordsTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]DeleteRecordsPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'Offset', type: 'int64', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics',
      type: '[]DeleteRecordsTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]DeleteRecordsPartitionResult',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'LowWatermark', type: 'int64', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
};
