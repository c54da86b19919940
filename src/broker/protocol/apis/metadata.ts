// Transcribed from Kafka's message specs MetadataRequest.json and MetadataResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * Metadata (API key 3), versions 0-12, flexible 9+.
 *
 * Request:
 *   Topics: []MetadataRequestTopic  (v0+, nullable v1+)
 *     TopicId: uuid  (v10+)
 *     Name: string  (v0+, nullable v10+)
 *   AllowAutoTopicCreation: bool  (v4+, default "true")
 *   IncludeClusterAuthorizedOperations: bool  (v8-10)
 *   IncludeTopicAuthorizedOperations: bool  (v8+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v3+)
 *   Brokers: []MetadataResponseBroker  (v0+)
 *     NodeId: int32  (v0+)
 *     Host: string  (v0+)
 *     Port: int32  (v0+)
 *     Rack: string  (v1+, nullable v1+, default "null")
 *   ClusterId: string  (v2+, nullable v2+, default "null")
 *   ControllerId: int32  (v1+, default "-1")
 *   Topics: []MetadataResponseTopic  (v0+)
 *     ErrorCode: int16  (v0+)
 *     Name: string  (v0+, nullable v12+)
 *     TopicId: uuid  (v10+)
 *     IsInternal: bool  (v1+, default "false")
 *     Partitions: []MetadataResponsePartition  (v0+)
 *       ErrorCode: int16  (v0+)
 *       PartitionIndex: int32  (v0+)
 *       LeaderId: int32  (v0+)
 *       LeaderEpoch: int32  (v7+, default "-1")
 *       ReplicaNodes: []int32  (v0+)
 *       IsrNodes: []int32  (v0+)
 *       OfflineReplicas: []int32  (v5+)
 *     TopicAuthorizedOperations: int32  (v8+, default "-2147483648")
 *   ClusterAuthorizedOperations: int32  (v8-10, default "-2147483648")
 */
export const metadata: ApiSpec = {
  apiKey: 3,
  name: 'Metadata',
  validVersions: '0-12',
  flexibleVersions: '9+',
  request: [
    {
      name: 'Topics',
      type: '[]MetadataRequestTopic',
      versions: '0+',
      nullableVersions: '1+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '10+' },
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '10+' },
      ],
    },
    { name: 'AllowAutoTopicCreation', type: 'bool', versions: '4+', default: 'true' },
    { name: 'IncludeClusterAuthorizedOperations', type: 'bool', versions: '8-10' },
    { name: 'IncludeTopicAuthorizedOperations', type: 'bool', versions: '8+' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'Brokers',
      type: '[]MetadataResponseBroker',
      versions: '0+',
      fields: [
        { name: 'NodeId', type: 'int32', versions: '0+' },
        { name: 'Host', type: 'string', versions: '0+' },
        { name: 'Port', type: 'int32', versions: '0+' },
        { name: 'Rack', type: 'string', versions: '1+', nullableVersions: '1+', default: 'null' },
      ],
    },
    { name: 'ClusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: 'null' },
    { name: 'ControllerId', type: 'int32', versions: '1+', default: '-1' },
    {
      name: 'Topics',
      type: '[]MetadataResponseTopic',
      versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'Name', type: 'string', versions: '0+', nullableVersions: '12+' },
        { name: 'TopicId', type: 'uuid', versions: '10+' },
        { name: 'IsInternal', type: 'bool', versions: '1+', default: 'false' },
        {
          name: 'Partitions',
          type: '[]MetadataResponsePartition',
          versions: '0+',
          fields: [
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'LeaderId', type: 'int32', versions: '0+' },
            { name: 'LeaderEpoch', type: 'int32', versions: '7+', default: '-1' },
            { name: 'ReplicaNodes', type: '[]int32', versions: '0+' },
            { name: 'IsrNodes', type: '[]int32', versions: '0+' },
            { name: 'OfflineReplicas', type: '[]int32', versions: '5+' },
          ],
        },
        { name: 'TopicAuthorizedOperations', type: 'int32', versions: '8+', default: '-2147483648' },
      ],
    },
    { name: 'ClusterAuthorizedOperations', type: 'int32', versions: '8-10', default: '-2147483648' },
  ],
};
