// Transcribed from Kafka's message specs DescribeConfigsRequest.json and DescribeConfigsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * DescribeConfigs (API key 32), versions 0-4, flexible 4+.
 *
 * Request:
 *   Resources: []DescribeConfigsResource  (v0+)
 *     ResourceType: int8  (v0+)
 *     ResourceName: string  (v0+)
 *     ConfigurationKeys: []string  (v0+, nullable v0+)
 *   IncludeSynonyms: bool  (v1+, default "false")
 *   IncludeDocumentation: bool  (v3+, default "false")
 *
 * Response:
 *   ThrottleTimeMs: int32  (v0+)
 *   Results: []DescribeConfigsResult  (v0+)
 *     ErrorCode: int16  (v0+)
 *     ErrorMessage: string  (v0+, nullable v0+)
 *     ResourceType: int8  (v0+)
 *     ResourceName: string  (v0+)
 *     Configs: []DescribeConfigsResourceResult  (v0+)
 *       Name: string  (v0+)
 *       Value: string  (v0+, nullable v0+)
 *       ReadOnly: bool  (v0+)
 *       IsDefault: bool  (v0)
 *       ConfigSource: int8  (v1+, default "-1")
 *       IsSensitive: bool  (v0+)
 *       Synonyms: []DescribeConfigsSynonym  (v1+)
 *         Name: string  (v1+)
 *         Value: string  (v1+, nullable v0+)
 *         Source: int8  (v1+)
 *       ConfigType: int8  (v3+, default "0")
 *       Documentation: string  (v3+, nullable v0+)
 */
export const describeConfigs: ApiSpec = {
  apiKey: 32,
  name: 'DescribeConfigs',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    {
      name: 'Resources',
      type: '[]DescribeConfigsResource',
      versions: '0+',
      fields: [
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
        { name: 'ConfigurationKeys', type: '[]string', versions: '0+', nullableVersions: '0+' },
      ],
    },
    { name: 'IncludeSynonyms', type: 'bool', versions: '1+', default: 'false' },
    { name: 'IncludeDocumentation', type: 'bool', versions: '3+', default: 'false' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results',
      type: '[]DescribeConfigsResult',
      versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
        { name: 'ResourceType', type: 'int8', versions: '0+' },
        { name: 'ResourceName', type: 'string', versions: '0+' },
        {
          name: 'Configs',
          type: '[]DescribeConfigsResourceResult',
          versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            { name: 'Value', type: 'string', versions: '0+', nullableVersions: '0+' },
            { name: 'ReadOnly', type: 'bool', versions: '0+' },
            { name: 'IsDefault', type: 'bool', versions: '0' },
            { name: 'ConfigSource', type: 'int8', versions: '1+', default: '-1' },
            { name: 'IsSensitive', type: 'bool', versions: '0+' },
            {
              name: 'Synonyms',
              type: '[]DescribeConfigsSynonym',
              versions: '1+',
              fields: [
                { name: 'Name', type: 'string', versions: '1+' },
                { name: 'Value', type: 'string', versions: '1+', nullableVersions: '0+' },
                { name: 'Source', type: 'int8', versions: '1+' },
              ],
            },
            { name: 'ConfigType', type: 'int8', versions: '3+', default: '0' },
            { name: 'Documentation', type: 'string', versions: '3+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
};
