// Transcribed from Kafka's message specs OffsetCommitRequest.json and OffsetCommitResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * OffsetCommit (API key 8), versions 0-9, flexible 8+.
 *
 * Request:
 *   GroupId: string  (v0+)
 *   GenerationIdOrMemberEpoch: int32  (v1+, default "-1")
 *   MemberId: string  (v1+)
 *   GroupInstanceId: string  (v7+, nullable v7+, default "null")
 *   RetentionTimeMs: int64  (v2-4, default "-1")
 *   Topics: []OffsetCommitRequestTopic  (v0+)
 *     Name: string  (v0+)
 *     Partitions: []OffsetCommitRequestPartition  (v0+)
 *       PartitionIndex: int32  (v0+)
 *       CommittedOffset: int64  (v0+)
 *       CommittedLeaderEpoch: int32  (v6+, default "-1")
 *       CommitTimestamp: int64  (v1, default "-1")
 *       CommittedMetadata: string  (v0+, nullable v0+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v3+)
 *   Topics: []OffsetCommitResponseTopic  (v0+)
 *     Name: string  (v0+)
 *     Partitions: []OffsetCommitResponsePartition  (v0+)
 *       PartitionIndex: int32  (v0+)
 *       ErrorCode: int16  (v0+)
 */
export const offsetCommit: ApiSpec = {
  apiKey: 8,
  name: 'OffsetCommit',
  validVersions: '0-9',
  flexibleVersions: '8+',
  request: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationIdOrMemberEpoch', type: 'int32', versions: '1+', default: '-1' },
    { name: 'MemberId', type: 'string', versions: '1+' },
    { name: 'GroupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: 'null' },
    { name: 'RetentionTimeMs', type: 'int64', versions: '2-4', default: '-1' },
    {
      name: 'Topics',
      type: '[]OffsetCommitRequestTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]OffsetCommitRequestPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'CommittedOffset', type: 'int64', versions: '0+' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '6+', default: '-1' },
            { name: 'CommitTimestamp', type: 'int64', versions: '1', default: '-1' },
            { name: 'CommittedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'Topics',
      type: '[]OffsetCommitResponseTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]OffsetCommitResponsePartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
};
