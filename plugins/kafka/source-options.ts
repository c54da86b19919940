import { EddyError, getOption, type KafkaClientOptions, type PluginOptions } from '../../src/index.js';
import { bootstrapServers, clientOptions, consumerSettings, type ConsumerSettings } from './client-config.js';
import { parseOffsets, type PartitionOffsets } from './offsets.js';

/** The kafka source's options, with Spark's names, defaults and refusals. */
export interface SourceOptions {
  servers: string[];
  client: KafkaClientOptions;
  consumer: ConsumerSettings;
  subscribe:
    | { kind: 'subscribe'; topics: string[] }
    | { kind: 'pattern'; re: RegExp }
    | { kind: 'assign'; assign: PartitionOffsets };
  starting: string;
  maxOffsetsPerTrigger: number | null;
  failOnDataLoss: boolean;
  pollTimeoutMs: number;
  includeHeaders: boolean;
  /** startingTimestamp / startingOffsetsByTimestamp: where to start by record time (they win over startingOffsets, as in Spark). */
  startingByTimestamp: { kind: 'all'; ms: number } | { kind: 'per'; ms: PartitionOffsets } | null;
  /** startingOffsetsByTimestampStrategy: when no record is that recent, fail ('error', Spark's default) or start at the end. */
  timestampStrategy: 'error' | 'latest';
}

export function parseOptions(options: PluginOptions): SourceOptions {
  const servers = bootstrapServers(options, 'consumer');
  const given = ['subscribe', 'subscribePattern', 'assign'].filter((k) => getOption(options, k) !== undefined);
  if (given.length !== 1) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `Kafka source needs exactly one of the options 'subscribe', 'subscribePattern', 'assign'; got ${given.length === 0 ? 'none' : given.join(', ')}`,
    );
  }
  let subscribe: SourceOptions['subscribe'];
  const value = getOption(options, given[0]!)!;
  if (given[0] === 'subscribe') {
    const topics = value
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    if (topics.length === 0)
      throw new EddyError('INVALID_ARGUMENT', `No topics to subscribe to in subscribe=${JSON.stringify(value)}`);
    subscribe = { kind: 'subscribe', topics };
  } else if (given[0] === 'subscribePattern') {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${value})$`);
    } catch (e) {
      throw new EddyError('INVALID_ARGUMENT', `subscribePattern ${JSON.stringify(value)} is not a regular expression`, {
        cause: e,
      });
    }
    subscribe = { kind: 'pattern', re };
  } else {
    // assign takes {"topicA":[0,1]}; reuse the offsets parser on {"topicA":{"0":0,...}}.
    let raw: unknown;
    try {
      raw = JSON.parse(value);
    } catch (e) {
      throw new EddyError('INVALID_ARGUMENT', `assign ${JSON.stringify(value)} must be JSON like {"topicA":[0,1]}`, {
        cause: e,
      });
    }
    const asOffsets: Record<string, Record<string, number>> = {};
    for (const [t, ps] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
      if (!Array.isArray(ps))
        throw new EddyError('INVALID_ARGUMENT', `assign: ${t} must list partitions, e.g. {"${t}":[0,1]}`);
      asOffsets[t] = Object.fromEntries(ps.map((p) => [String(p), 0]));
    }
    subscribe = { kind: 'assign', assign: parseOffsets(JSON.stringify(asOffsets), 'assign') };
  }
  const maxText = getOption(options, 'maxOffsetsPerTrigger');
  const max = maxText === undefined ? null : Number(maxText);
  if (max !== null && (!Number.isInteger(max) || max <= 0)) {
    throw new EddyError('INVALID_ARGUMENT', `maxOffsetsPerTrigger=${maxText} must be a positive whole number`);
  }
  const fail = (getOption(options, 'failOnDataLoss') ?? 'true').toLowerCase();
  if (fail !== 'true' && fail !== 'false')
    throw new EddyError('INVALID_ARGUMENT', `failOnDataLoss=${fail} must be true or false`);
  const pollText = getOption(options, 'kafkaConsumer.pollTimeoutMs') ?? '120000';
  const pollTimeoutMs = Number(pollText);
  if (!Number.isFinite(pollTimeoutMs) || pollTimeoutMs <= 0)
    throw new EddyError('INVALID_ARGUMENT', `kafkaConsumer.pollTimeoutMs=${pollText} must be a positive number of ms`);
  const headers = (getOption(options, 'includeHeaders') ?? 'false').toLowerCase();
  if (headers !== 'true' && headers !== 'false')
    throw new EddyError('INVALID_ARGUMENT', `includeHeaders=${headers} must be true or false`);
  let startingByTimestamp: SourceOptions['startingByTimestamp'] = null;
  const tsAll = getOption(options, 'startingTimestamp');
  const tsPer = getOption(options, 'startingOffsetsByTimestamp');
  if (tsAll !== undefined) {
    const ms = Number(tsAll);
    if (!Number.isSafeInteger(ms) || ms < 0)
      throw new EddyError(
        'INVALID_ARGUMENT',
        `startingTimestamp=${tsAll} must be epoch milliseconds (a whole number ≥ 0)`,
      );
    startingByTimestamp = { kind: 'all', ms };
  } else if (tsPer !== undefined) {
    const ms = parseOffsets(tsPer, 'startingOffsetsByTimestamp');
    for (const [t, ps] of ms) {
      for (const [p, v] of ps) {
        if (v < 0)
          throw new EddyError(
            'INVALID_ARGUMENT',
            `startingOffsetsByTimestamp: ${t}-${p} has ${v}; give epoch milliseconds`,
          );
      }
    }
    startingByTimestamp = { kind: 'per', ms };
  }
  const strategy = (getOption(options, 'startingOffsetsByTimestampStrategy') ?? 'error').toLowerCase();
  if (strategy !== 'error' && strategy !== 'latest')
    throw new EddyError('INVALID_ARGUMENT', `startingOffsetsByTimestampStrategy=${strategy} must be error or latest`);
  const starting = getOption(options, 'startingOffsets') ?? 'latest';
  if (starting !== 'earliest' && starting !== 'latest') parseOffsets(starting, 'startingOffsets');
  return {
    servers,
    client: clientOptions(options, 'consumer'),
    consumer: consumerSettings(options),
    subscribe,
    starting,
    maxOffsetsPerTrigger: max,
    failOnDataLoss: fail === 'true',
    pollTimeoutMs,
    includeHeaders: headers === 'true',
    startingByTimestamp,
    timestampStrategy: strategy,
  };
}
