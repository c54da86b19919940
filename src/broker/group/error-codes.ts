/**
 * The Kafka error codes the group coordinator answers with (numbers from Kafka's Errors.java). They travel in
 * responses as `errorCode` fields; they are not EddyErrors, because to a client they are ordinary answers.
 */
export const KafkaErrorCode = {
  NONE: 0,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_NOT_AVAILABLE: 15,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  UNSUPPORTED_VERSION: 35,
  INVALID_REQUEST: 42,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
} as const;

export type KafkaErrorName = keyof typeof KafkaErrorCode;
