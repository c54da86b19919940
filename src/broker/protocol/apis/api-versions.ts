// Transcribed from Kafka's message specs ApiVersionsRequest.json and ApiVersionsResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * ApiVersions (API key 18), versions 0-4, flexible 3+.
 *
 * Request:
 *   ClientSoftwareName: string  (v3+)
 *   ClientSoftwareVersion: string  (v3+)
 *
 * Response:
 *   ErrorCode: int16  (v0+)
 *   ApiKeys: []ApiVersion  (v0+)
 *     ApiKey: int16  (v0+)
 *     MinVersion: int16  (v0+)
 *     MaxVersion: int16  (v0+)
 *   ThrottleTimeMs: int32  (v1+)
 *   SupportedFeatures: []SupportedFeatureKey  (v3+, tag 0 v3+)
 *     Name: string  (v3+)
 *     MinVersion: int16  (v3+)
 *     MaxVersion: int16  (v3+)
 *   FinalizedFeaturesEpoch: int64  (v3+, tag 1 v3+, default "-1")
 *   FinalizedFeatures: []FinalizedFeatureKey  (v3+, tag 2 v3+)
 *     Name: string  (v3+)
 *     MaxVersionLevel: int16  (v3+)
 *     MinVersionLevel: int16  (v3+)
 *   ZkMigrationReady: bool  (v3+, tag 3 v3+, default "false")
 */
export const apiVersions: ApiSpec = {
  apiKey: 18,
  name: 'ApiVersions',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: [
    { name: 'ClientSoftwareName', type: 'string', versions: '3+' },
    { name: 'ClientSoftwareVersion', type: 'string', versions: '3+' },
  ],
  response: [
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    {
      name: 'ApiKeys',
      type: '[]ApiVersion',
      versions: '0+',
      fields: [
        { name: 'ApiKey', type: 'int16', versions: '0+' },
        { name: 'MinVersion', type: 'int16', versions: '0+' },
        { name: 'MaxVersion', type: 'int16', versions: '0+' },
      ],
    },
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'SupportedFeatures',
      type: '[]SupportedFeatureKey',
      versions: '3+',
      taggedVersions: '3+',
      tag: 0,
      fields: [
        { name: 'Name', type: 'string', versions: '3+' },
        { name: 'MinVersion', type: 'int16', versions: '3+' },
        { name: 'MaxVersion', type: 'int16', versions: '3+' },
      ],
    },
    { name: 'FinalizedFeaturesEpoch', type: 'int64', versions: '3+', taggedVersions: '3+', tag: 1, default: '-1' },
    {
      name: 'FinalizedFeatures',
      type: '[]FinalizedFeatureKey',
      versions: '3+',
      taggedVersions: '3+',
      tag: 2,
      fields: [
        { name: 'Name', type: 'string', versions: '3+' },
        { name: 'MaxVersionLevel', type: 'int16', versions: '3+' },
        { name: 'MinVersionLevel', type: 'int16', versions: '3+' },
      ],
    },
    { name: 'ZkMigrationReady', type: 'bool', versions: '3+', taggedVersions: '3+', tag: 3, default: 'false' },
  ],
};
