// Transcribed from Kafka's message specs AlterConfigsRequest.json and AlterConfigsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * AlterConfigs (API key 33), versions 0-2, flexible 2+.
 *
 * Request:
 *   Resources: []AlterConfigsResource  (v0+)
 *     ResourceType: int8  (v0+)
 *     ResourceName: string  (v0+)
 *     Configs: []AlterableConfig  (v0+)
 *       Name: string  (v0+)
 *       Value: string  (v0+, nullable v0+)
 *   ValidateOnly: bool  (v0+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v0+)
 *   Responses: []AlterConfigsResourceResponse  (v0+)
 *     ErrorCode: int16  (v0+)
 *     ErrorMessage: string  (v0+, nullable v0+)
 *     ResourceType: int8  (v0+)
 *     ResourceName: string  (v0+)
 */
export const alterConfigs: ApiSpec = {
  apiKey: 33,
  name: 'AlterConfigs',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: [
    {
      name: 'Resources',
      type: '[]AlterConfigsResource',
      versions: '0+',
      fields: [
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
        {
          name: 'Configs',
          type: '[]AlterableConfig',
          versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            { name: 'Value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'ValidateOnly', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Responses',
      type: '[]AlterConfigsResourceResponse',
      versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
      ],
    },
  ],
};
