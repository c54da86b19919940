// Eddy's Kafka client: the public surface (re-exported by src/index.ts).
export {
  KafkaClient,
  type KafkaClientOptions,
  type ListOffsetsRequest,
  type ListOffsetsResult,
  type FetchRequest,
  type FetchOptions,
  type FetchResult,
  type ProduceOptions,
  type ProduceResult,
  type KeyedRecord,
} from './kafka-client.js';
export type { ClusterInfo, TopicInfo, PartitionInfo, BrokerInfo } from './cluster.js';
export { BrokerConnection, type ConnectionOptions, type RequestOptions } from './connection.js';
export { KafkaResponseError, kafkaErrorName, isRetriableKafkaError } from './kafka-errors.js';
export { murmur2, partitionForKey } from './partitioner.js';
export {
  decodeRecordBatches,
  NO_HEADERS,
  type RecordColumns,
  type DecodedRecords,
  type RecordHeader,
} from './record-decoder.js';
export { encodeRecordBatches, type ProducerRecord, type EncodeOptions, type Bytes } from './record-encoder.js';
export { compress, decompress, parseCompressionType, type CompressionType } from './compression.js';
