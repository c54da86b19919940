import type { CompressionType } from './compression.js';
import type { PartitionKey } from './partition-retry.js';
import type { DecodedRecords } from './record-decoder.js';
import type { ProducerRecord } from './record-encoder.js';

/** The options, requests and results of KafkaClient (kafka-client.ts). */

export interface KafkaClientOptions {
  /** host:port list, comma-separated or an array (Kafka's bootstrap.servers). */
  bootstrapServers: string | readonly string[];
  clientId?: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Rounds after the first for retriable errors (default 5). */
  retries?: number;
  /** Kafka's retry.backoff.ms (100) and retry.backoff.max.ms (1000). */
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  /** Ask the broker to create unknown topics on Metadata (default true; the broker's auto.create.topics.enable decides). */
  allowAutoTopicCreation?: boolean;
  /** Kafka's metadata.max.age.ms (default 5 min): a cached topic older than this is looked up again. */
  metadataMaxAgeMs?: number;
}

export interface ListOffsetsRequest extends PartitionKey {
  /** -2n earliest, -1n latest, else epoch ms: the first offset whose timestamp is at or after it. */
  timestamp: bigint | number;
}

export interface ListOffsetsResult extends PartitionKey {
  /** -1 when no record has a timestamp at or after the one asked for. */
  offset: number;
  timestamp: number;
}

export interface FetchRequest extends PartitionKey {
  offset: number;
  /** Per-partition byte limit (default: the call's partitionMaxBytes). */
  maxBytes?: number;
  /** Drop records at or past this offset from the answer (they may still be transferred). */
  untilOffset?: number;
}

export interface FetchOptions {
  /** Kafka's fetch.max.wait.ms (default 500): how long the broker may wait for minBytes. */
  maxWaitMs?: number;
  /** fetch.min.bytes (default 1). */
  minBytes?: number;
  /** fetch.max.bytes (default 50 MiB). */
  maxBytes?: number;
  /** max.partition.fetch.bytes (default 1 MiB). */
  partitionMaxBytes?: number;
  /** check.crcs (default true). */
  checkCrcs?: boolean;
}

export interface FetchResult extends PartitionKey {
  /** 0, or a Kafka error code that retrying does not cure (OFFSET_OUT_OF_RANGE = 1 …). */
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  records: DecodedRecords;
}

export interface ProduceOptions {
  /** 0 (no answer), 1 (leader), -1 = all (default, as Kafka 3's producer and Spark's sink). */
  acks?: 0 | 1 | -1;
  /** The broker's wait for acks=all (Kafka's request.timeout.ms on the request, default 30 s). */
  timeoutMs?: number;
  compression?: CompressionType;
  maxBatchBytes?: number;
}

export interface ProduceResult extends PartitionKey {
  /** Offset of the first record written; -1 with acks=0. */
  baseOffset: number;
  /** Records written to this partition. */
  count: number;
  logAppendTime: number;
  logStartOffset: number;
}

export interface KeyedRecord extends ProducerRecord {
  /** Explicit partition; otherwise murmur2 of the key, or round-robin for keyless records. */
  partition?: number;
}

/** One encoded batch for one partition (internal to produce). */
export interface BatchRequest extends PartitionKey {
  batch: Buffer;
  count: number;
}
