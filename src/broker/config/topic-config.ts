import type { LogConfig } from '../log/partition-log.js';
import type { BrokerConfig } from './broker-config.js';

/**
 * Topic-level configs (the names `kafka-configs.sh --entity-type topics` takes), each with the broker setting
 * it defaults to and a validator. A topic stores only its overrides; DescribeConfigs shows every entry with its
 * source (DYNAMIC_TOPIC_CONFIG for an override, DEFAULT_CONFIG / STATIC_BROKER_CONFIG otherwise).
 */

export interface TopicConfigDef {
  name: string;
  /** The broker property that gives the default, or a fixed default. */
  brokerDefault: (b: BrokerConfig) => string;
  /** Returns an error message for a bad value, undefined if fine. */
  validate: (v: string) => string | undefined;
  /** Kafka's ConfigType code for DescribeConfigs v3+: 1 bool, 2 string, 3 int, 4 short, 5 long, 6 double, 7 list. */
  type: number;
}

const long =
  (min: number) =>
  (v: string): string | undefined =>
    /^-?\d+$/.test(v.trim()) && Number(v) >= min ? undefined : `must be an integer ≥ ${min}`;
const oneOf =
  (...allowed: string[]) =>
  (v: string): string | undefined =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')}`;

export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  { name: 'cleanup.policy', brokerDefault: () => 'delete', validate: oneOf('delete'), type: 7 },
  { name: 'compression.type', brokerDefault: () => 'producer', validate: oneOf('producer'), type: 2 },
  {
    name: 'index.interval.bytes',
    brokerDefault: (b) => b.get('log.index.interval.bytes')!,
    validate: long(0),
    type: 3,
  },
  { name: 'max.message.bytes', brokerDefault: (b) => b.get('message.max.bytes')!, validate: long(0), type: 3 },
  {
    name: 'message.timestamp.type',
    brokerDefault: (b) => b.get('log.message.timestamp.type')!,
    validate: oneOf('CreateTime', 'LogAppendTime'),
    type: 2,
  },
  { name: 'min.insync.replicas', brokerDefault: () => '1', validate: oneOf('1'), type: 3 },
  { name: 'retention.bytes', brokerDefault: (b) => b.get('log.retention.bytes')!, validate: long(-1), type: 5 },
  { name: 'retention.ms', brokerDefault: (b) => String(b.millis('log.retention')), validate: long(-1), type: 5 },
  { name: 'segment.bytes', brokerDefault: (b) => b.get('log.segment.bytes')!, validate: long(14), type: 3 },
  { name: 'segment.ms', brokerDefault: (b) => String(b.millis('log.roll')), validate: long(1), type: 5 },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Checks overrides; returns a message naming the first bad entry. */
export function validateTopicConfigs(overrides: Record<string, string>): string | undefined {
  for (const [k, v] of Object.entries(overrides)) {
    const def = BY_NAME.get(k);
    if (!def)
      return `unknown topic config ${JSON.stringify(k)} (known: ${TOPIC_CONFIGS.map((d) => d.name).join(', ')})`;
    const err = def.validate(v);
    if (err) return `topic config ${k}=${JSON.stringify(v)} ${err}`;
  }
  return undefined;
}

export function effectiveTopicConfig(b: BrokerConfig, overrides: Record<string, string>, name: string): string {
  return overrides[name] ?? BY_NAME.get(name)!.brokerDefault(b);
}

export function logConfigOf(b: BrokerConfig, overrides: Record<string, string>): LogConfig {
  const n = (name: string): number => Number(effectiveTopicConfig(b, overrides, name));
  return {
    segmentBytes: n('segment.bytes'),
    segmentMs: n('segment.ms'),
    retentionMs: n('retention.ms'),
    retentionBytes: n('retention.bytes'),
    indexIntervalBytes: n('index.interval.bytes'),
  };
}
