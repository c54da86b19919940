import { EddyError, describeValue } from '../../common/errors.js';

/**
 * Coordinator settings, named and defaulted as Kafka's broker settings (`group.*`, `offsets.*`). Tests shrink the
 * delays; a deployment keeps Kafka's defaults so clients tuned for Kafka behave the same here.
 */
export interface GroupCoordinatorConfig {
  /** group.initial.rebalance.delay.ms: how long the first rebalance of an empty group waits for more members. */
  initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms */
  minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  maxSessionTimeoutMs: number;
  /** offsets.retention.minutes, in milliseconds: how long an empty group's offsets are kept. */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes: the longest metadata string a commit may carry. */
  offsetMetadataMaxBytes: number;
  /** How long a member that joined but never completed a join may linger (Kafka's new-member join timeout). */
  newMemberJoinTimeoutMs: number;
}

export const DEFAULT_GROUP_CONFIG: GroupCoordinatorConfig = {
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  newMemberJoinTimeoutMs: 300_000,
};

/** Fills in defaults and rejects values Kafka would refuse at startup, naming the setting. */
export function resolveGroupConfig(overrides: Partial<GroupCoordinatorConfig> = {}): GroupCoordinatorConfig {
  const c = { ...DEFAULT_GROUP_CONFIG, ...overrides };
  for (const [key, value] of Object.entries(c)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `group coordinator setting ${key} = ${describeValue(value)} must be a non-negative number of ms/bytes`,
      );
    }
  }
  if (c.minSessionTimeoutMs > c.maxSessionTimeoutMs) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `group coordinator setting minSessionTimeoutMs (${c.minSessionTimeoutMs}) exceeds maxSessionTimeoutMs ` +
        `(${c.maxSessionTimeoutMs}); lower the minimum or raise the maximum`,
    );
  }
  return c;
}
