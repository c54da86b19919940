// Transcribed from Kafka's message specs JoinGroupRequest.json and JoinGroupResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * JoinGroup (API key 11), versions 0-9, flexible 6+.
 *
 * Request:
 *   GroupId: string  (v0+)
 *   SessionTimeoutMs: int32  (v0+)
 *   RebalanceTimeoutMs: int32  (v1+, default "-1")
 *   MemberId: string  (v0+)
 *   GroupInstanceId: string  (v5+, nullable v5+, default "null")
 *   ProtocolType: string  (v0+)
 *   Protocols: []JoinGroupRequestProtocol  (v0+)
 *     Name: string  (v0+)
 *     Metadata: bytes  (v0+)
 *   Reason: string  (v8+, nullable v8+, default "null")
 *
 * Response:
 *   ThrottleTimeMs: int32  (v2+)
 *   ErrorCode: int16  (v0+)
 *   GenerationId: int32  (v0+, default "-1")
 *   ProtocolType: string  (v7+, nullable v7+, default "null")
 *   ProtocolName: string  (v0+, nullable v7+)
 *   Leader: string  (v0+)
 *   SkipAssignment: bool  (v9+, default "false")
 *   MemberId: string  (v0+)
 *   Members: []JoinGroupResponseMember  (v0+)
 *     MemberId: string  (v0+)
 *     GroupInstanceId: string  (v5+, nullable v5+, default "null")
 *     Metadata: bytes  (v0+)
 */
export const joinGroup: ApiSpec = {
  apiKey: 11,
  name: 'JoinGroup',
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'SessionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'RebalanceTimeoutMs', type: 'int32', versions: '1+', default: '-1' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'GroupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    { name: 'ProtocolType', type: 'string', versions: '0+' },
    {
      name: 'Protocols',
      type: '[]JoinGroupRequestProtocol',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Metadata', type: 'bytes', versions: '0+' },
      ],
    },
    { name: 'Reason', type: 'string', versions: '8+', nullableVersions: '8+', default: 'null' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '2+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '0+', default: '-1' },
    { name: 'ProtocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: 'null' },
    { name: 'ProtocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
    { name: 'Leader', type: 'string', versions: '0+' },
    { name: 'SkipAssignment', type: 'bool', versions: '9+', default: 'false' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    {
      name: 'Members',
      type: '[]JoinGroupResponseMember',
      versions: '0+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '0+' },
        { name: 'GroupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
        { name: 'Metadata', type: 'bytes', versions: '0+' },
      ],
    },
  ],
};
