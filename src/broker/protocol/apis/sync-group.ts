// Transcribed from Kafka's message specs SyncGroupRequest.json and SyncGroupResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * SyncGroup (API key 14), versions 0-5, flexible 4+.
 *
 * Request:
 *   GroupId: string  (v0+)
 *   GenerationId: int32  (v0+)
 *   MemberId: string  (v0+)
 *   GroupInstanceId: string  (v3+, nullable v3+, default "null")
 *   ProtocolType: string  (v5+, nullable v5+, default "null")
 *   ProtocolName: string  (v5+, nullable v5+, default "null")
 *   Assignments: []SyncGroupRequestAssignment  (v0+)
 *     MemberId: string  (v0+)
 *     Assignment: bytes  (v0+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v1+)
 *   ErrorCode: int16  (v0+)
 *   ProtocolType: string  (v5+, nullable v5+, default "null")
 *   ProtocolName: string  (v5+, nullable v5+, default "null")
 *   Assignment: bytes  (v0+)
 */
export const syncGroup: ApiSpec = {
  apiKey: 14,
  name: 'SyncGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
    { name: 'ProtocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    { name: 'ProtocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    {
      name: 'Assignments',
      type: '[]SyncGroupRequestAssignment',
      versions: '0+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '0+' },
        { name: 'Assignment', type: 'bytes', versions: '0+' },
      ],
    },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ProtocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    { name: 'ProtocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
    { name: 'Assignment', type: 'bytes', versions: '0+' },
  ],
};
