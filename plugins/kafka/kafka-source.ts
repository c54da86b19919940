import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import {
  EddyError,
  getLogger,
  getOption,
  parseSchema,
  type DataFrame,
  type PluginOptions,
  type PluginSource,
  type SourceProvider,
  type StreamSourceContext,
} from '../../src/index.js';
import { copyOffsets, parseOffsets, serializeOffsets, type PartitionOffsets } from './offsets.js';

const { Kafka, logLevel } = kafkajs;
type Admin = ReturnType<InstanceType<typeof Kafka>['admin']>;
const log = getLogger('kafka-source');

/** Spark's Kafka source schema. */
export const KAFKA_SOURCE_SCHEMA = parseSchema(
  'key BINARY, value BINARY, topic STRING, partition INT, offset BIGINT, timestamp TIMESTAMP, timestampType INT',
);

const DATA_LOSS =
  "Some data may have been lost because they are not available in Kafka any more; either the data was aged out by Kafka or the topic may have been deleted before all the data in the topic was processed. If you don't want your streaming query to fail on such cases, set the source option failOnDataLoss to false.";

interface SourceOptions {
  servers: string[];
  subscribe:
    | { kind: 'subscribe'; topics: string[] }
    | { kind: 'pattern'; re: RegExp }
    | { kind: 'assign'; assign: PartitionOffsets };
  starting: string;
  maxOffsetsPerTrigger: number | null;
  failOnDataLoss: boolean;
  pollTimeoutMs: number;
}

function parseOptions(options: PluginOptions): SourceOptions {
  const servers = getOption(options, 'kafka.bootstrap.servers');
  if (!servers) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      "Option 'kafka.bootstrap.servers' must be specified for configuring Kafka consumer, e.g. eddy.broker.bootstrapServers",
    );
  }
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
  const starting = getOption(options, 'startingOffsets') ?? 'latest';
  if (starting !== 'earliest' && starting !== 'latest') parseOffsets(starting, 'startingOffsets');
  return {
    servers: servers.split(',').map((s) => s.trim()),
    subscribe,
    starting,
    maxOffsetsPerTrigger: max,
    failOnDataLoss: fail === 'true',
    pollTimeoutMs,
  };
}

export const kafkaSourceProvider: SourceProvider = {
  shortName: 'kafka',
  createSource(options, ctx): PluginSource {
    if (ctx.userSchema) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        'Kafka source has a fixed schema (key, value, topic, partition, offset, timestamp, timestampType) and cannot be set with a custom one; cast value instead',
      );
    }
    return new KafkaSource(parseOptions(options), ctx.session);
  },
  async readBatch(options, ctx): Promise<DataFrame> {
    // Spark's batch defaults and refusals: from earliest to latest; the ends may not be swapped.
    const starting = getOption(options, 'startingOffsets') ?? 'earliest';
    const ending = getOption(options, 'endingOffsets') ?? 'latest';
    if (starting === 'latest') {
      throw new EddyError('INVALID_ARGUMENT', "starting offset can't be latest for batch queries on Kafka");
    }
    if (ending === 'earliest') {
      throw new EddyError('INVALID_ARGUMENT', "ending offset can't be earliest for batch queries on Kafka");
    }
    if (ending !== 'latest') parseOffsets(ending, 'endingOffsets');
    const source = new KafkaSource(parseOptions({ ...options, startingOffsets: starting }), ctx.session);
    try {
      return await source.readRange(ending);
    } finally {
      await source.stop();
    }
  },
};

/**
 * Reads the offset range of a batch with a throw-away consumer group per batch: kafkajs has no manual
 * assignment, and its lower layers (cluster, fetch) are private API that may change under us. A group of one
 * member gets every partition of the topics it subscribes to; messages outside [start, end) are skipped, so the
 * range read is exact whatever the consumer's first fetch position. The embedded broker runs with
 * group.initial.rebalance.delay.ms=0, so joining costs a round trip, not seconds. Nothing is committed.
 */
class KafkaSource implements PluginSource {
  readonly schema = KAFKA_SOURCE_SCHEMA;
  readonly description: string;
  private readonly kafka: InstanceType<typeof Kafka>;
  private admin: Admin | null = null;
  private initial: PartitionOffsets | null = null;
  private availableNowCap: PartitionOffsets | null = null;

  constructor(
    private readonly o: SourceOptions,
    private readonly session: { createDataFrame: (rows: unknown[][], schema: typeof KAFKA_SOURCE_SCHEMA) => DataFrame },
  ) {
    const what =
      o.subscribe.kind === 'subscribe'
        ? `Subscribe[${o.subscribe.topics.join(',')}]`
        : o.subscribe.kind === 'pattern'
          ? `SubscribePattern[${o.subscribe.re.source.slice(4, -2)}]`
          : `Assign[${[...o.subscribe.assign].flatMap(([t, ps]) => [...ps.keys()].map((p) => `${t}-${p}`)).join(', ')}]`;
    this.description = `KafkaV2[${what}]`;
    this.kafka = new Kafka({ clientId: 'eddy-streaming', brokers: o.servers, logLevel: logLevel.NOTHING });
  }

  private async getAdmin(): Promise<Admin> {
    if (!this.admin) {
      const a = this.kafka.admin();
      await a.connect();
      this.admin = a;
    }
    return this.admin;
  }

  /** Current [low, high) offsets of every partition the source reads. */
  private async partitionRanges(): Promise<Map<string, Map<number, { low: number; high: number }>>> {
    const admin = await this.getAdmin();
    const s = this.o.subscribe;
    let topics: string[];
    if (s.kind === 'subscribe') topics = s.topics;
    else if (s.kind === 'pattern') topics = (await admin.listTopics()).filter((t) => s.re.test(t)).sort();
    else topics = [...s.assign.keys()];
    const out = new Map<string, Map<number, { low: number; high: number }>>();
    for (const topic of topics) {
      let offsets;
      try {
        offsets = await admin.fetchTopicOffsets(topic);
      } catch (e) {
        // A subscribed topic that does not exist yet has no partitions (Spark waits for it the same way).
        log.debug(`topic ${topic} has no offsets yet: ${(e as Error).message}`);
        continue;
      }
      const m = new Map<number, { low: number; high: number }>();
      for (const p of offsets) {
        if (s.kind === 'assign' && !s.assign.get(topic)!.has(p.partition)) continue;
        m.set(p.partition, { low: Number(p.low), high: Number(p.high) });
      }
      out.set(topic, m);
    }
    return out;
  }

  async initialize(ctx: StreamSourceContext): Promise<void> {
    const file = `${ctx.metadataDir}/initial-offsets`;
    if (await ctx.fs.exists(file)) {
      const text = Buffer.from(await ctx.fs.readFile(file)).toString('utf8');
      const [version, body] = [text.slice(0, text.indexOf('\n')), text.slice(text.indexOf('\n') + 1)];
      if (version !== 'v1') {
        throw new EddyError('CORRUPT_DATA', `${ctx.fs.uri(file)} starts with ${JSON.stringify(version)}, not v1`);
      }
      this.initial = parseOffsets(body, 'the pinned starting offsets');
      return;
    }
    // Resolved once and pinned, so a re-run of the first batch reads the same range ("latest" would move).
    const initial = this.resolve(await this.partitionRanges(), this.o.starting, 'startingOffsets');
    this.initial = initial;
    await ctx.fs.mkdirs(ctx.metadataDir);
    await ctx.fs.writeFile(file, `v1\n${serializeOffsets(initial)}`, { overwrite: false });
  }

  /** Offsets for earliest / latest / a JSON spec (-2 earliest, -1 latest) over the partitions read. */
  private resolve(
    ranges: Map<string, Map<number, { low: number; high: number }>>,
    where: string,
    what: string,
  ): PartitionOffsets {
    const spec = where === 'earliest' || where === 'latest' ? null : parseOffsets(where, what);
    const out: PartitionOffsets = new Map();
    for (const [topic, parts] of ranges) {
      const m = new Map<number, number>();
      for (const [p, r] of parts) {
        const want = spec ? (spec.get(topic)?.get(p) ?? -1) : where === 'earliest' ? -2 : -1;
        m.set(p, want === -2 ? r.low : want === -1 ? r.high : want);
      }
      out.set(topic, m);
    }
    for (const [topic, parts] of spec ?? []) {
      for (const p of parts.keys()) {
        if (!ranges.get(topic)?.has(p)) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `${what} names ${topic}-${p}, which the source does not read (it does not exist or is not subscribed)`,
          );
        }
      }
    }
    return out;
  }

  /** A batch read (eddy.read.format('kafka')): the rows from the starting offsets up to `ending`. */
  async readRange(ending: string): Promise<DataFrame> {
    const ranges = await this.partitionRanges();
    this.initial = this.resolve(ranges, this.o.starting, 'startingOffsets');
    const end = this.resolve(ranges, ending, 'endingOffsets');
    return this.getBatch(serializeOffsets(this.initial), serializeOffsets(end));
  }

  private startOf(start: string | null): PartitionOffsets {
    if (start !== null) return parseOffsets(start, 'the committed offsets');
    if (!this.initial) throw new EddyError('ILLEGAL_STATE', `${this.description} used before initialize()`);
    return copyOffsets(this.initial);
  }

  async prepareForTriggerAvailableNow(): Promise<void> {
    const ranges = await this.partitionRanges();
    this.availableNowCap = new Map([...ranges].map(([t, ps]) => [t, new Map([...ps].map(([p, r]) => [p, r.high]))]));
  }

  async latestOffset(start: string | null): Promise<string | null> {
    const from = this.startOf(start);
    const ranges = await this.partitionRanges();
    const end: PartitionOffsets = new Map();
    const lags: { topic: string; p: number; from: number; high: number }[] = [];
    for (const [topic, parts] of ranges) {
      const m = new Map<number, number>();
      for (const [p, r] of parts) {
        // A partition that appeared after the query started is read from its beginning, as Spark does.
        const f = from.get(topic)?.get(p) ?? r.low;
        const cap = this.availableNowCap?.get(topic)?.get(p) ?? r.high;
        const high = Math.max(f, Math.min(cap, r.high));
        m.set(p, high);
        lags.push({ topic, p, from: f, high });
      }
      end.set(topic, m);
    }
    const max = this.o.maxOffsetsPerTrigger;
    const total = lags.reduce((a, l) => a + (l.high - l.from), 0);
    if (max !== null && total > max) {
      // Spread the limit over partitions in proportion to their lag (Spark's rateLimit), at least one offset.
      let left = max;
      for (const l of lags) {
        const share = Math.min(
          l.high - l.from,
          Math.max(l.high > l.from ? 1 : 0, Math.floor(((l.high - l.from) * max) / total)),
        );
        const take = Math.min(share, left);
        end.get(l.topic)!.set(l.p, l.from + take);
        left -= take;
      }
    }
    const serialized = serializeOffsets(end);
    if (start === null && serialized === serializeOffsets(this.startOf(null))) return null;
    return serialized;
  }

  async getBatch(start: string | null, end: string | null): Promise<DataFrame> {
    if (end === null) return this.session.createDataFrame([], KAFKA_SOURCE_SCHEMA);
    const from = this.startOf(start);
    const to = parseOffsets(end, 'the batch end offsets');
    const ranges = await this.partitionRanges();
    const wanted = new Map<string, { from: number; to: number }>();
    for (const [topic, parts] of to) {
      for (const [p, until] of parts) {
        let f = from.get(topic)?.get(p) ?? ranges.get(topic)?.get(p)?.low ?? 0;
        const low = ranges.get(topic)?.get(p)?.low ?? 0;
        if (f < low) {
          if (this.o.failOnDataLoss)
            throw new EddyError('CORRUPT_DATA', `${DATA_LOSS} (${topic}-${p}: wanted offset ${f}, earliest is ${low})`);
          log.warn(`${DATA_LOSS} (${topic}-${p}: offsets ${f}..${low - 1} skipped)`);
          f = low;
        }
        if (until > f) wanted.set(`${topic}\u0000${p}`, { from: f, to: until });
      }
    }
    const rows = wanted.size === 0 ? [] : await this.read(wanted);
    rows.sort((a, b) =>
      a[2] !== b[2]
        ? (a[2] as string) < (b[2] as string)
          ? -1
          : 1
        : a[3] !== b[3]
          ? (a[3] as number) - (b[3] as number)
          : Number((a[4] as bigint) - (b[4] as bigint)),
    );
    return this.session.createDataFrame(rows, KAFKA_SOURCE_SCHEMA);
  }

  /** Reads exactly the wanted ranges ([from, to) per topic-partition). */
  private async read(wanted: Map<string, { from: number; to: number }>): Promise<unknown[][]> {
    const topics = [...new Set([...wanted.keys()].map((k) => k.split('\u0000')[0]!))];
    const consumer = this.kafka.consumer({ groupId: `eddy-batch-${randomUUID()}`, allowAutoTopicCreation: false });
    const rows: unknown[][] = [];
    const pending = new Set(wanted.keys());
    // A seek after the first fetch re-delivers messages: keep only offsets past the last one taken.
    const next = new Map([...wanted].map(([k, r]) => [k, r.from]));
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      let finish!: () => void;
      let fail!: (e: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
      timer = setTimeout(
        () =>
          fail(
            new EddyError(
              'TIMEOUT',
              `Kafka source: could not read offsets ${[...pending].map((k) => k.replace('\u0000', '-')).join(', ')} within kafkaConsumer.pollTimeoutMs=${this.o.pollTimeoutMs}`,
            ),
          ),
        this.o.pollTimeoutMs,
      );
      // A consumer that crashes (e.g. it cannot join its group) fails the batch now, not at the poll timeout.
      consumer.on(consumer.events.CRASH, (e) =>
        fail(
          new EddyError('IO_ERROR', `Kafka source: the batch consumer failed: ${e.payload.error.message}`, {
            cause: e.payload.error,
          }),
        ),
      );
      consumer.on(consumer.events.GROUP_JOIN, () => {
        // Only a shortcut past older messages: the offset filter below keeps the range exact without it.
        try {
          for (const [k, r] of wanted) {
            const [topic, p] = k.split('\u0000') as [string, string];
            consumer.seek({ topic, partition: Number(p), offset: String(r.from) });
          }
        } catch (e) {
          log.debug(`seek skipped: ${(e as Error).message}`);
        }
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          const key = `${batch.topic}\u0000${batch.partition}`;
          const r = wanted.get(key);
          if (!r || !pending.has(key)) return;
          for (const m of batch.messages) {
            const off = Number(m.offset);
            if (off < next.get(key)! || off >= r.to) continue;
            next.set(key, off + 1);
            rows.push([
              m.key === null ? null : new Uint8Array(m.key),
              m.value === null ? null : new Uint8Array(m.value),
              batch.topic,
              batch.partition,
              BigInt(off),
              new Date(Number(m.timestamp)),
              0,
            ]);
          }
          if (!batch.isEmpty() && Number(batch.lastOffset()) >= r.to - 1) {
            pending.delete(key);
            if (pending.size === 0) finish();
          }
        },
      });
      await done;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch((e: unknown) => log.warn('disconnecting a batch consumer', e));
    }
    return rows;
  }

  async commit(): Promise<void> {}

  async stop(): Promise<void> {
    const a = this.admin;
    this.admin = null;
    await a?.disconnect();
  }
}

export { type SourceOptions as KafkaSourceOptions };
