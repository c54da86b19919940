import { EddyError, type ErrorCode } from '../../common/errors.js';

/**
 * Kafka's error codes (org.apache.kafka.common.protocol.Errors) that a client of Produce, Fetch, ListOffsets and
 * Metadata meets, with Kafka's own retriability, and whether the cure is fresh metadata (the leader moved, the
 * topic is being created). Codes missing here are reported by number and treated as not retriable.
 */

interface KafkaErrorInfo {
  name: string;
  retriable: boolean;
  /** Retry only after refreshing metadata: the partition's leader or the topic itself changed. */
  refresh: boolean;
  eddy: ErrorCode;
}

const table: Record<number, KafkaErrorInfo> = {};
function def(code: number, name: string, retriable: boolean, refresh: boolean, eddy: ErrorCode): void {
  table[code] = { name, retriable, refresh, eddy };
}
def(-1, 'UNKNOWN_SERVER_ERROR', false, false, 'IO_ERROR');
def(1, 'OFFSET_OUT_OF_RANGE', false, false, 'INVALID_ARGUMENT');
def(2, 'CORRUPT_MESSAGE', true, false, 'CORRUPT_DATA');
def(3, 'UNKNOWN_TOPIC_OR_PARTITION', true, true, 'NOT_FOUND');
def(4, 'INVALID_FETCH_SIZE', false, false, 'INVALID_ARGUMENT');
def(5, 'LEADER_NOT_AVAILABLE', true, true, 'IO_ERROR');
def(6, 'NOT_LEADER_OR_FOLLOWER', true, true, 'IO_ERROR');
def(7, 'REQUEST_TIMED_OUT', true, false, 'TIMEOUT');
def(8, 'BROKER_NOT_AVAILABLE', false, true, 'IO_ERROR');
def(9, 'REPLICA_NOT_AVAILABLE', true, true, 'IO_ERROR');
def(10, 'MESSAGE_TOO_LARGE', false, false, 'INVALID_ARGUMENT');
def(13, 'NETWORK_EXCEPTION', true, true, 'IO_ERROR');
def(15, 'COORDINATOR_NOT_AVAILABLE', true, false, 'IO_ERROR');
def(16, 'NOT_COORDINATOR', true, false, 'IO_ERROR');
def(17, 'INVALID_TOPIC_EXCEPTION', false, false, 'INVALID_ARGUMENT');
def(18, 'RECORD_LIST_TOO_LARGE', false, false, 'INVALID_ARGUMENT');
def(19, 'NOT_ENOUGH_REPLICAS', true, false, 'IO_ERROR');
def(20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', true, false, 'IO_ERROR');
def(21, 'INVALID_REQUIRED_ACKS', false, false, 'INVALID_ARGUMENT');
def(29, 'TOPIC_AUTHORIZATION_FAILED', false, false, 'ILLEGAL_STATE');
def(32, 'INVALID_TIMESTAMP', false, false, 'INVALID_ARGUMENT');
def(35, 'UNSUPPORTED_VERSION', false, false, 'UNSUPPORTED');
def(42, 'INVALID_REQUEST', false, false, 'PROTOCOL_ERROR');
def(43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', false, false, 'UNSUPPORTED');
def(53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, false, 'UNSUPPORTED');
def(56, 'KAFKA_STORAGE_ERROR', true, true, 'IO_ERROR');
def(74, 'FENCED_LEADER_EPOCH', true, true, 'IO_ERROR');
def(75, 'UNKNOWN_LEADER_EPOCH', true, true, 'IO_ERROR');
def(76, 'UNSUPPORTED_COMPRESSION_TYPE', false, false, 'UNSUPPORTED');
def(87, 'INVALID_RECORD', false, false, 'INVALID_ARGUMENT');
def(100, 'UNKNOWN_TOPIC_ID', true, true, 'NOT_FOUND');
def(103, 'OFFSET_NOT_AVAILABLE', true, true, 'IO_ERROR');
def(110, 'INCONSISTENT_TOPIC_ID', true, true, 'IO_ERROR');

export const KafkaErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  UNSUPPORTED_VERSION: 35,
} as const;

export function kafkaErrorName(code: number): string {
  return table[code]?.name ?? `KAFKA_ERROR_${code}`;
}

export function isRetriableKafkaError(code: number): boolean {
  return table[code]?.retriable ?? false;
}

/** True when a retry needs fresh metadata first (leadership or topic changed). */
export function needsMetadataRefresh(code: number): boolean {
  return table[code]?.refresh ?? false;
}

/** An error code a Kafka broker answered with: the EddyError carries Kafka's code and name for callers to test. */
export class KafkaResponseError extends EddyError {
  constructor(
    readonly kafkaCode: number,
    context: string,
    serverMessage?: string | null,
  ) {
    const info = table[kafkaCode];
    super(
      info?.eddy ?? 'IO_ERROR',
      `${context}: the broker answered ${kafkaErrorName(kafkaCode)} (${kafkaCode})${serverMessage ? `: ${serverMessage}` : ''}`,
      { retriable: info?.retriable ?? false },
    );
  }

  get kafkaName(): string {
    return kafkaErrorName(this.kafkaCode);
  }
}
