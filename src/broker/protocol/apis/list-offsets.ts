// Transcribed from Kafka's message specs ListOffsetsRequest.json and ListOffsetsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * ListOffsets (API key 2), versions 0-10, flexible 6+.
 *
 * Request:
 *   ReplicaId: int32  (v0+)
 *   IsolationLevel: int8  (v2+)
 *   Topics: []ListOffsetsTopic  (v0+)
 *     Name: string  (v0+)
 *     Partitions: []ListOffsetsPartition  (v0+)
 *       PartitionIndex: int32  (v0+)
 *       CurrentLeaderEpoch: int32  (v4+, default "-1")
 *       Timestamp: int64  (v0+)
 *       MaxNumOffsets: int32  (v0, default "1")
 *   TimeoutMs: int32  (v10+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v2+)
 *   Topics: []ListOffsetsTopicResponse  (v0+)
 *     Name: string  (v0+)
 *     Partitions: []ListOffsetsPartitionResponse  (v0+)
 *       PartitionIndex: int32  (v0+)
 *       ErrorCode: int16  (v0+)
 *       OldStyleOffsets: []int64  (v0)
 *       Timestamp: int64  (v1+, default "-1")
 *       Offset: int64  (v1+, default "-1")
 *       LeaderEpoch: int32  (v4+, default "-1")
 */
export const listOffsets: ApiSpec = {
  apiKey: 2,
  name: 'ListOffsets',
  validVersions: '0-10',
  flexibleVersions: '6+',
  request: [
    { name: 'ReplicaId', type: 'int32', versions: '0+' },
    { name: 'IsolationLevel', type: 'int8', versions: '2+' },
    {
      name: 'Topics',
      type: '[]ListOffsetsTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]ListOffsetsPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'CurrentLeaderEpoch', type: 'int32', versions: '4+', default: '-1' },
            { name: 'Timestamp', type: 'int64', versions: '0+' },
            { name: 'MaxNumOffsets', type: 'int32', versions: '0', default: '1' },
          ],
        },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '10+' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'Topics',
      type: '[]ListOffsetsTopicResponse',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]ListOffsetsPartitionResponse',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'OldStyleOffsets', type: '[]int64', versions: '0' },
            { name: 'Timestamp', type: 'int64', versions: '1+', default: '-1' },
            { name: 'Offset', type: 'int64', versions: '1+', default: '-1' },
            { name: 'LeaderEpoch', type: 'int32', versions: '4+', default: '-1' },
          ],
        },
      ],
    },
  ],
};
