// Transcribed from Kafka's message specs DescribeGroupsRequest.json and DescribeGroupsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * DescribeGroups (API key 15), versions 0-5, flexible 5+.
 *
 * Request:
 *   Groups: []string  (v0+)
 *   IncludeAuthorizedOperations: bool  (v3+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v1+)
 *   Groups: []DescribedGroup  (v0+)
 *     ErrorCode: int16  (v0+)
 *     GroupId: string  (v0+)
 *     GroupState: string  (v0+)
 *     ProtocolType: string  (v0+)
 *     ProtocolData: string  (v0+)
 *     Members: []DescribedGroupMember  (v0+)
 *       MemberId: string  (v0+)
 *       GroupInstanceId: string  (v4+, nullable v4+, default "null")
 *       ClientId: string  (v0+)
 *       ClientHost: string  (v0+)
 *       MemberMetadata: bytes  (v0+)
 *       MemberAssignment: bytes  (v0+)
 *     AuthorizedOperations: int32  (v3+, default "-2147483648")
 */
export const describeGroups: ApiSpec = {
  apiKey: 15,
  name: 'DescribeGroups',
  validVersions: '0-5',
  flexibleVersions: '5+',
  request: [
    { name: 'Groups', type: '[]string', versions: '0+' },
    { name: 'IncludeAuthorizedOperations', type: 'bool', versions: '3+' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'Groups',
      type: '[]DescribedGroup',
      versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'GroupState', type: 'string', versions: '0+' },
        { name: 'ProtocolType', type: 'string', versions: '0+' },
        { name: 'ProtocolData', type: 'string', versions: '0+' },
        {
          name: 'Members',
          type: '[]DescribedGroupMember',
          versions: '0+',
          fields: [
            { name: 'MemberId', type: 'string', versions: '0+' },
            { name: 'GroupInstanceId', type: 'string', versions: '4+', nullableVersions: '4+', default: 'null' },
            { name: 'ClientId', type: 'string', versions: '0+' },
            { name: 'ClientHost', type: 'string', versions: '0+' },
            { name: 'MemberMetadata', type: 'bytes', versions: '0+' },
            { name: 'MemberAssignment', type: 'bytes', versions: '0+' },
          ],
        },
        { name: 'AuthorizedOperations', type: 'int32', versions: '3+', default: '-2147483648' },
      ],
    },
  ],
};
