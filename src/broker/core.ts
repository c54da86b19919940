import type { BrokerConfig } from './config/broker-config.js';
import type { Handler, BrokerServices } from './handler.js';
import type { LogManager } from './log/log-manager.js';

/** Kafka error codes the broker core answers with. */
export const ErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_REQUIRED_ACKS: 21,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  KAFKA_STORAGE_ERROR: 56,
  UNKNOWN_SERVER_ERROR: -1,
} as const;

/** What the core handlers share: the config, the logs, the services lent to extensions, the handler table. */
export interface BrokerCore {
  readonly config: BrokerConfig;
  readonly logs: LogManager;
  readonly services: BrokerServices;
  readonly handlers: Map<number, Handler>;
  /** Creates a topic with the broker defaults if auto-creation is on; returns whether it exists now. */
  autoCreate(topic: string): boolean;
}
