import {
  EddyError,
  getOption,
  parseCompressionType,
  type CompressionType,
  type KafkaClientOptions,
  type PluginOptions,
} from '../../src/index.js';

/**
 * Spark hands `kafka.`-prefixed options to the Kafka consumer or producer with the prefix removed; these are the
 * Kafka settings Eddy's client understands, with Kafka's names and defaults. Others are ignored, as Kafka
 * ignores unknown configs (with a warning there; silently here).
 */

function int(options: PluginOptions, key: string, min: number): number | undefined {
  const text = getOption(options, key);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    throw new EddyError('INVALID_ARGUMENT', `${key}=${text} must be a whole number ≥ ${min}`);
  }
  return n;
}

export function bootstrapServers(options: PluginOptions, role: 'consumer' | 'producer'): string[] {
  const servers = getOption(options, 'kafka.bootstrap.servers');
  if (!servers) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `Option 'kafka.bootstrap.servers' must be specified for configuring Kafka ${role}, e.g. eddy.broker.bootstrapServers`,
    );
  }
  return servers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function clientOptions(options: PluginOptions, role: 'consumer' | 'producer'): KafkaClientOptions {
  const security = getOption(options, 'kafka.security.protocol');
  if (security !== undefined && security.toUpperCase() !== 'PLAINTEXT') {
    throw new EddyError(
      'UNSUPPORTED',
      `kafka.security.protocol=${security} is not supported: Eddy's Kafka client speaks PLAINTEXT only (no SSL or SASL)`,
    );
  }
  const o: KafkaClientOptions = {
    bootstrapServers: bootstrapServers(options, role),
    clientId: getOption(options, 'kafka.client.id') ?? `eddy-streaming-${role === 'consumer' ? 'source' : 'sink'}`,
    // Spark's source never creates topics; the sink's producer may, as Kafka's producer does.
    allowAutoTopicCreation: role === 'producer',
  };
  const requestTimeoutMs = int(options, 'kafka.request.timeout.ms', 1);
  const retries = int(options, 'kafka.retries', 0);
  const backoff = int(options, 'kafka.retry.backoff.ms', 0);
  const backoffMax = int(options, 'kafka.retry.backoff.max.ms', 0);
  if (requestTimeoutMs !== undefined) o.requestTimeoutMs = requestTimeoutMs;
  if (retries !== undefined) o.retries = retries;
  if (backoff !== undefined) o.retryBackoffMs = backoff;
  if (backoffMax !== undefined) o.retryBackoffMaxMs = backoffMax;
  return o;
}

export interface ConsumerSettings {
  maxWaitMs: number;
  maxBytes: number;
  partitionMaxBytes: number;
  checkCrcs: boolean;
}

export function consumerSettings(options: PluginOptions): ConsumerSettings {
  const crcs = (getOption(options, 'kafka.check.crcs') ?? 'true').toLowerCase();
  if (crcs !== 'true' && crcs !== 'false') {
    throw new EddyError('INVALID_ARGUMENT', `kafka.check.crcs=${crcs} must be true or false`);
  }
  return {
    maxWaitMs: int(options, 'kafka.fetch.max.wait.ms', 0) ?? 500,
    maxBytes: int(options, 'kafka.fetch.max.bytes', 1) ?? 50 * 1024 * 1024,
    partitionMaxBytes: int(options, 'kafka.max.partition.fetch.bytes', 1) ?? 1024 * 1024,
    checkCrcs: crcs === 'true',
  };
}

export interface ProducerSettings {
  acks: 0 | 1 | -1;
  compression: CompressionType;
  maxBatchBytes: number;
}

export function producerSettings(options: PluginOptions): ProducerSettings {
  const acksText = (getOption(options, 'kafka.acks') ?? 'all').trim().toLowerCase();
  const acks = acksText === 'all' || acksText === '-1' ? -1 : acksText === '1' ? 1 : acksText === '0' ? 0 : null;
  if (acks === null) throw new EddyError('INVALID_ARGUMENT', `kafka.acks=${acksText} must be all, -1, 1 or 0`);
  return {
    acks,
    compression: parseCompressionType(getOption(options, 'kafka.compression.type') ?? 'none'),
    maxBatchBytes: int(options, 'kafka.max.request.size', 100) ?? 1_000_000,
  };
}
