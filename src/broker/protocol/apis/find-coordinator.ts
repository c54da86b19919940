// Transcribed from Kafka's message specs FindCoordinatorRequest.json and FindCoordinatorResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * FindCoordinator (API key 10), versions 0-6, flexible 3+.
 *
 * Request:
 *   Key: string  (v0-3)
 *   KeyType: int8  (v1+, default "0")
 *   CoordinatorKeys: []string  (v4+)
 *
 * Response:
 *   ThrottleTimeMs: int32  (v1+)
 *   ErrorCode: int16  (v0-3)
 *   ErrorMessage: string  (v1-3, nullable v1-3)
 *   NodeId: int32  (v0-3)
 *   Host: string  (v0-3)
 *   Port: int32  (v0-3)
 *   Coordinators: []Coordinator  (v4+)
 *     Key: string  (v4+)
 *     NodeId: int32  (v4+)
 *     Host: string  (v4+)
 *     Port: int32  (v4+)
 *     ErrorCode: int16  (v4+)
 *     ErrorMessage: string  (v4+, nullable v4+)
 */
export const findCoordinator: ApiSpec = {
  apiKey: 10,
  name: 'FindCoordinator',
  validVersions: '0-6',
  flexibleVersions: '3+',
  request: [
    { name: 'Key', type: 'string', versions: '0-3' },
    { name: 'KeyType', type: 'int8', versions: '1+', default: '0' },
    { name: 'CoordinatorKeys', type: '[]string', versions: '4+' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0-3' },
    { name: 'ErrorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
    { name: 'NodeId', type: 'int32', versions: '0-3' },
    { name: 'Host', type: 'string', versions: '0-3' },
    { name: 'Port', type: 'int32', versions: '0-3' },
    {
      name: 'Coordinators',
      type: '[]Coordinator',
      versions: '4+',
      fields: [
        { name: 'Key', type: 'string', versions: '4+' },
        { name: 'NodeId', type: 'int32', versions: '4+' },
        { name: 'Host', type: 'string', versions: '4+' },
        { name: 'Port', type: 'int32', versions: '4+' },
        { name: 'ErrorCode', type: 'int16', versions: '4+' },
        { name: 'ErrorMessage', type: 'string', versions: '4+', nullableVersions: '4+' },
      ],
    },
  ],
};
