// Transcribed from Kafka's message specs ProduceRequest.json and ProduceResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * Produce (API key 0), versions 0-11, flexible 9+.
 *
 * Request:
 *   TransactionalId: string  (v3+, nullable v3+, default "null")
 *   Acks: int16  (v0+)
 *   TimeoutMs: int32  (v0+)
 *   TopicData: []TopicProduceData  (v0+)
 *     Name: string  (v0+)
 *     PartitionData: []PartitionProduceData  (v0+)
 *       Index: int32  (v0+)
 *       Records: records  (v0+, nullable v0+)
 *
 * Response:
 *   Responses: []TopicProduceResponse  (v0+)
 *     Name: string  (v0+)
 *     PartitionResponses: []PartitionProduceResponse  (v0+)
 *       Index: int32  (v0+)
 *       ErrorCode: int16  (v0+)
 *       BaseOffset: int64  (v0+)
 *       LogAppendTimeMs: int64  (v2+, default "-1")
 *       LogStartOffset: int64  (v5+, default "-1")
 *       RecordErrors: []BatchIndexAndErrorMessage  (v8+)
 *         BatchIndex: int32  (v8+)
 *         BatchIndexErrorMessage: string  (v8+, nullable v8+, default "null")
 *       ErrorMessage: string  (v8+, nullable v8+, default "null")
 *       CurrentLeader: LeaderIdAndEpoch  (v10+, tag 0 v10+)
 *         LeaderId: int32  (v10+, default "-1")
 *         LeaderEpoch: int32  (v10+, default "-1")
 *   ThrottleTimeMs: int32  (v1+, default "0")
 *   NodeEndpoints: []NodeEndpoint  (v10+, tag 0 v10+)
 *     NodeId: int32  (v10+)
 *     Host: string  (v10+)
 *     Port: int32  (v10+)
 *     Rack: string  (v10+, nullable v10+, default "null")
 */
export const produce: ApiSpec = {
  apiKey: 0,
  name: 'Produce',
  validVersions: '0-11',
  flexibleVersions: '9+',
  request: [
    { name: 'TransactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
    { name: 'Acks', type: 'int16', versions: '0+' },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    {
      name: 'TopicData',
      type: '[]TopicProduceData',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'PartitionData',
          type: '[]PartitionProduceData',
          versions: '0+',
          fields: [
            { name: 'Index', type: 'int32', versions: '0+' },
            { name: 'Records', type: 'records', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
  response: [
    {
      name: 'Responses',
      type: '[]TopicProduceResponse',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'PartitionResponses',
          type: '[]PartitionProduceResponse',
          versions: '0+',
          fields: [
            { name: 'Index', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'BaseOffset', type: 'int64', versions: '0+' },
            { name: 'LogAppendTimeMs', type: 'int64', versions: '2+', default: '-1' },
            { name: 'LogStartOffset', type: 'int64', versions: '5+', default: '-1' },
            {
              name: 'RecordErrors',
              type: '[]BatchIndexAndErrorMessage',
              versions: '8+',
              fields: [
                { name: 'BatchIndex', type: 'int32', versions: '8+' },
                {
                  name: 'BatchIndexErrorMessage',
                  type: 'string',
                  versions: '8+',
                  nullableVersions: '8+',
                  default: 'null',
                },
              ],
            },
            { name: 'ErrorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: 'null' },
            {
              name: 'CurrentLeader',
              type: 'LeaderIdAndEpoch',
              versions: '10+',
              taggedVersions: '10+',
              tag: 0,
              fields: [
                { name: 'LeaderId', type: 'int32', versions: '10+', default: '-1' },
                { name: 'LeaderEpoch', type: 'int32', versions: '10+', default: '-1' },
              ],
            },
          ],
        },
      ],
    },
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+', default: '0' },
    {
      name: 'NodeEndpoints',
      type: '[]NodeEndpoint',
      versions: '10+',
      taggedVersions: '10+',
      tag: 0,
      fields: [
        { name: 'NodeId', type: 'int32', versions: '10+' },
        { name: 'Host', type: 'string', versions: '10+' },
        { name: 'Port', type: 'int32', versions: '10+' },
        { name: 'Rack', type: 'string', versions: '10+', nullableVersions: '10+', default: 'null' },
      ],
    },
  ],
};
