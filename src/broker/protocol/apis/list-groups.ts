// Transcribed from Kafka's message specs ListGroupsRequest.json and ListGroupsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * ListGroups (API key 16), versions 0-5, flexible 3+.
 *
 * Request:
 *   StatesFilter: []string  (v4+)
 *   TypesFilter: []string  (v5+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v1+)
 *   ErrorCode: int16  (v0+)
 *   Groups: []ListedGroup  (v0+)
 *     GroupId: string  (v0+)
 *     ProtocolType: string  (v0+)
 *     GroupState: string  (v4+)
 *     GroupType: string  (v5+)
 */
export const listGroups: ApiSpec = {
  apiKey: 16,
  name: 'ListGroups',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: [
    { name: 'StatesFilter', type: '[]string', versions: '4+' },
    { name: 'TypesFilter', type: '[]string', versions: '5+' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'Groups',
      type: '[]ListedGroup',
      versions: '0+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'ProtocolType', type: 'string', versions: '0+' },
        { name: 'GroupState', type: 'string', versions: '4+' },
        { name: 'GroupType', type: 'string', versions: '5+' },
      ],
    },
  ],
};
