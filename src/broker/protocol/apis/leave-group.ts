// Transcribed from Kafka's message specs LeaveGroupRequest.json and LeaveGroupResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * LeaveGroup (API key 13), versions 0-5, flexible 4+.
 *
 * Request:
 *   GroupId: string  (v0+)
 *   MemberId: string  (v0-2)
 *   Members: []MemberIdentity  (v3+)
 *     MemberId: string  (v3+)
 *     GroupInstanceId: string  (v3+, nullable v3+, default "null")
 *     Reason: string  (v5+, nullable v5+, default "null")
 *
 * Response:
 *   ThrottleTimeMs: int32  (v1+)
 *   ErrorCode: int16  (v0+)
 *   Members: []MemberResponse  (v3+)
 *     MemberId: string  (v3+)
 *     GroupInstanceId: string  (v3+, nullable v3+)
 *     ErrorCode: int16  (v3+)
 */
export const leaveGroup: ApiSpec = {
  apiKey: 13,
  name: 'LeaveGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0-2' },
    {
      name: 'Members',
      type: '[]MemberIdentity',
      versions: '3+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '3+' },
        { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
        { name: 'Reason', type: 'string', versions: '5+', nullableVersions: '5+', default: 'null' },
      ],
    },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'Members',
      type: '[]MemberResponse',
      versions: '3+',
      fields: [
        { name: 'MemberId', type: 'string', versions: '3+' },
        { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
        { name: 'ErrorCode', type: 'int16', versions: '3+' },
      ],
    },
  ],
};
