// Transcribed from Kafka's message specs DeleteGroupsRequest.json and DeleteGroupsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * DeleteGroups (API key 42), versions 0-2, flexible 2+.
 *
 * Request:
 *   GroupsNames: []string  (v0+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v0+)
 *   Results: []DeletableGroupResult  (v0+)
 *     GroupId: string  (v0+)
 *     ErrorCode: int16  (v0+)
 */
export const deleteGroups: ApiSpec = {
  apiKey: 42,
  name: 'DeleteGroups',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [{ name: 'GroupsNames', type: '[]string', versions: '0+' }],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results',
      type: '[]DeletableGroupResult',
      versions: '0+',
      fields: [
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
};
