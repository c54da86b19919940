// Transcribed from Kafka's message specs OffsetFetchRequest.json and OffsetFetchResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * OffsetFetch (API key 9), versions 0-9, flexible 6+.
 *
 * Request:
 *   GroupId: string  (v0-7)
 *   Topics: []OffsetFetchRequestTopic  (v0-7, nullable v2-7)
 *     Name: string  (v0-7)
 *     PartitionIndexes: []int32  (v0-7)
 *   Groups: []OffsetFetchRequestGroup  (v8+)
 *     GroupId: string  (v8+)
 *     MemberId: string  (v9+, nullable v9+, default "null")
 *     MemberEpoch: int32  (v9+, default "-1")
 *     Topics: []OffsetFetchRequestTopics  (v8+, nullable v8+)
 *       Name: string  (v8+)
 *       PartitionIndexes: []int32  (v8+)
 *   RequireStable: bool  (v7+, default "false")
 *
 * Response:
 *   ThrottleTimeMs: int32  (v3+)
 *   Topics: []OffsetFetchResponseTopic  (v0-7)
 *     Name: string  (v0-7)
 *     Partitions: []OffsetFetchResponsePartition  (v0-7)
 *       PartitionIndex: int32  (v0-7)
 *       CommittedOffset: int64  (v0-7)
 *       CommittedLeaderEpoch: int32  (v5-7, default "-1")
 *       Metadata: string  (v0-7, nullable v0-7)
 *       ErrorCode: int16  (v0-7)
 *   ErrorCode: int16  (v2-7, default "0")
 *   Groups: []OffsetFetchResponseGroup  (v8+)
 *     GroupId: string  (v8+)
 *     Topics: []OffsetFetchResponseTopics  (v8+)
 *       Name: string  (v8+)
 *       Partitions: []OffsetFetchResponsePartitions  (v8+)
 *         PartitionIndex: int32  (v8+)
 *         CommittedOffset: int64  (v8+)
 *         CommittedLeaderEpoch: int32  (v8+, default "-1")
 *         Metadata: string  (v8+, nullable v8+)
 *         ErrorCode: int16  (v8+)
 *     ErrorCode: int16  (v8+, default "0")
 */
export const offsetFetch: ApiSpec = {
  apiKey: 9,
  name: 'OffsetFetch',
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: [
    { name: 'GroupId', type: 'string', versions: '0-7' },
    {
      name: 'Topics',
      type: '[]OffsetFetchRequestTopic',
      versions: '0-7',
      nullableVersions: '2-7',
      fields: [
        { name: 'Name', type: 'string', versions: '0-7' },
        { name: 'PartitionIndexes', type: '[]int32', versions: '0-7' },
      ],
    },
    {
      name: 'Groups',
      type: '[]OffsetFetchRequestGroup',
      versions: '8+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '8+' },
        { name: 'MemberId', type: 'string', versions: '9+', nullableVersions: '9+', default: 'null' },
        { name: 'MemberEpoch', type: 'int32', versions: '9+', default: '-1' },
        {
          name: 'Topics',
          type: '[]OffsetFetchRequestTopics',
          versions: '8+',
          nullableVersions: '8+',
          fields: [
            { name: 'Name', type: 'string', versions: '8+' },
            { name: 'PartitionIndexes', type: '[]int32', versions: '8+' },
          ],
        },
      ],
    },
    { name: 'RequireStable', type: 'bool', versions: '7+', default: 'false' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'Topics',
      type: '[]OffsetFetchResponseTopic',
      versions: '0-7',
      fields: [
        { name: 'Name', type: 'string', versions: '0-7' },
        {
          name: 'Partitions',
          type: '[]OffsetFetchResponsePartition',
          versions: '0-7',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0-7' },
            { name: 'CommittedOffset', type: 'int64', versions: '0-7' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '5-7', default: '-1' },
            { name: 'Metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
            { name: 'ErrorCode', type: 'int16', versions: '0-7' },
          ],
        },
      ],
    },
    { name: 'ErrorCode', type: 'int16', versions: '2-7', default: '0' },
    {
      name: 'Groups',
      type: '[]OffsetFetchResponseGroup',
      versions: '8+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '8+' },
        {
          name: 'Topics',
          type: '[]OffsetFetchResponseTopics',
          versions: '8+',
          fields: [
            { name: 'Name', type: 'string', versions: '8+' },
            {
              name: 'Partitions',
              type: '[]OffsetFetchResponsePartitions',
              versions: '8+',
              fields: [
                { name: 'PartitionIndex', type: 'int32', versions: '8+' },
                { name: 'CommittedOffset', type: 'int64', versions: '8+' },
                { name: 'CommittedLeaderEpoch', type: 'int32', versions: '8+', default: '-1' },
                { name: 'Metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
                { name: 'ErrorCode', type: 'int16', versions: '8+' },
              ],
            },
          ],
        },
        { name: 'ErrorCode', type: 'int16', versions: '8+', default: '0' },
      ],
    },
  ],
};
