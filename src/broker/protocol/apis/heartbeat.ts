// Transcribed from Kafka's message specs HeartbeatRequest.json and HeartbeatResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * Heartbeat (API key 12), versions 0-4, flexible 4+.
 *
 * Request:
 *   GroupId: string  (v0+)
 *   GenerationId: int32  (v0+)
 *   MemberId: string  (v0+)
 *   GroupInstanceId: string  (v3+, nullable v3+, default "null")
 *
 * Response:
 *   ThrottleTimeMs: int32  (v1+)
 *   ErrorCode: int16  (v0+)
 */
export const heartbeat: ApiSpec = {
  apiKey: 12,
  name: 'Heartbeat',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'GenerationId', type: 'int32', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'GroupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
  ],
};
