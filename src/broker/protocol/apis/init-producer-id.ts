// Transcribed from Kafka's message specs InitProducerIdRequest.json and InitProducerIdResponse.json (apache/kafka, Apache License 2.0): the grammar in
// the comment below, the fields as data for the codec engine. Keep it in step with the spec when adding versions.
import type { ApiSpec } from '../schema.js';

/**
 * InitProducerId (API key 22), versions 0-5, flexible 2+.
 *
 * Request:
 *   TransactionalId: string  (v0+, nullable v0+)
 *   TransactionTimeoutMs: int32  (v0+)
 *   ProducerId: int64  (v3+, default "-1")
 *   ProducerEpoch: int16  (v3+, default "-1")
 *
 * Response:
 *   ThrottleTimeMs: int32  (v0+)
 *   ErrorCode: int16  (v0+)
 *   ProducerId: int64  (v0+, default -1)
 *   ProducerEpoch: int16  (v0+)
 */
export const initProducerId: ApiSpec = {
  apiKey: 22,
  name: 'InitProducerId',
  validVersions: '0-5',
  flexibleVersions: '2+',
  request: [
    { name: 'TransactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'TransactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '3+', default: '-1' },
    { name: 'ProducerEpoch', type: 'int16', versions: '3+', default: '-1' },
  ],
  response: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
  ],
};
