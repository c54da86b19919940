import {
  DataFrame,
  EddyError,
  getLogger,
  getOption,
  KafkaClient,
  parseSchema,
  type PluginSource,
  type SourceProvider,
  type StreamSourceContext,
  type DataFrameEnv,
} from '../../src/index.js';
import { copyOffsets, parseOffsets, serializeOffsets, type PartitionOffsets } from './offsets.js';
import { DATA_LOSS, readRanges, type OffsetRange } from './range-reader.js';
import { parseOptions, type SourceOptions } from './source-options.js';

const log = getLogger('kafka-source');

/** Spark's Kafka source schema. */
export const KAFKA_SOURCE_SCHEMA = parseSchema(
  'key BINARY, value BINARY, topic STRING, partition INT, offset BIGINT, timestamp TIMESTAMP, timestampType INT',
);

/** With includeHeaders=true, as Spark: a headers column, null for a record without headers. */
export const KAFKA_SOURCE_SCHEMA_WITH_HEADERS = parseSchema(
  'key BINARY, value BINARY, topic STRING, partition INT, offset BIGINT, timestamp TIMESTAMP, timestampType INT, headers ARRAY<STRUCT<key: STRING, value: BINARY>>',
);

export const kafkaSourceProvider: SourceProvider = {
  shortName: 'kafka',
  createSource(options, ctx): PluginSource {
    if (ctx.userSchema) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        'Kafka source has a fixed schema (key, value, topic, partition, offset, timestamp, timestampType, and headers with includeHeaders=true) and cannot be set with a custom one; cast value instead',
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
 * Spark's Kafka source on Eddy's own client: ListOffsets gives each partition's [earliest, latest), and a batch
 * reads exactly [start, end) per partition with Fetch — no consumer group, nothing committed to Kafka, the
 * offsets live in the query's checkpoint as in Spark. Each fetched chunk becomes a column batch as it is; the
 * micro-batch DataFrame has one partition per Kafka partition read, in topic/partition order.
 */
class KafkaSource implements PluginSource {
  readonly schema: typeof KAFKA_SOURCE_SCHEMA;
  readonly description: string;
  private client: KafkaClient | null = null;
  private connecting: Promise<KafkaClient> | null = null;
  private initial: PartitionOffsets | null = null;
  private availableNowCap: PartitionOffsets | null = null;

  constructor(
    private readonly o: SourceOptions,
    private readonly session: DataFrameEnv,
  ) {
    const what =
      o.subscribe.kind === 'subscribe'
        ? `Subscribe[${o.subscribe.topics.join(',')}]`
        : o.subscribe.kind === 'pattern'
          ? `SubscribePattern[${o.subscribe.re.source.slice(4, -2)}]`
          : `Assign[${[...o.subscribe.assign].flatMap(([t, ps]) => [...ps.keys()].map((p) => `${t}-${p}`)).join(', ')}]`;
    this.description = `KafkaV2[${what}]`;
    this.schema = o.includeHeaders ? KAFKA_SOURCE_SCHEMA_WITH_HEADERS : KAFKA_SOURCE_SCHEMA;
  }

  private getClient(): Promise<KafkaClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= KafkaClient.connect(this.o.client).then(
      (c) => {
        this.client = c;
        this.connecting = null;
        return c;
      },
      (e: unknown) => {
        this.connecting = null;
        throw e;
      },
    );
    return this.connecting;
  }

  /** Current [low, high) offsets of every partition the source reads. */
  private async partitionRanges(): Promise<Map<string, Map<number, { low: number; high: number }>>> {
    const client = await this.getClient();
    const s = this.o.subscribe;
    const meta =
      s.kind === 'pattern'
        ? (await client.metadata(null)).topics.filter((t) => !t.isInternal && s.re.test(t.name))
        : (await client.metadata(s.kind === 'subscribe' ? s.topics : [...s.assign.keys()])).topics;
    const wanted: { topic: string; partition: number }[] = [];
    for (const t of [...meta].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (t.errorCode !== 0) {
        // A subscribed topic that does not exist yet has no partitions (Spark waits for it the same way).
        log.debug(`topic ${t.name} has no partitions yet: Kafka error ${t.errorCode}`);
        continue;
      }
      for (const p of t.partitions) {
        if (s.kind === 'assign' && !s.assign.get(t.name)!.has(p.partition)) continue;
        wanted.push({ topic: t.name, partition: p.partition });
      }
    }
    const offsets = await client.listOffsets([
      ...wanted.map((w) => ({ ...w, timestamp: -2n })),
      ...wanted.map((w) => ({ ...w, timestamp: -1n })),
    ]);
    const out = new Map<string, Map<number, { low: number; high: number }>>();
    wanted.forEach((w, i) => {
      let m = out.get(w.topic);
      if (!m) out.set(w.topic, (m = new Map()));
      m.set(w.partition, { low: offsets[i]!.offset, high: offsets[wanted.length + i]!.offset });
    });
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
    const initial = await this.resolveStart(await this.partitionRanges());
    this.initial = initial;
    await ctx.fs.mkdirs(ctx.metadataDir);
    await ctx.fs.writeFile(file, `v1\n${serializeOffsets(initial)}`, { overwrite: false });
  }

  /**
   * The starting offsets: by record time when startingTimestamp / startingOffsetsByTimestamp is given (ListOffsets
   * by timestamp: the first offset whose time is at or after it; partitions not named start at the end), else
   * from startingOffsets.
   */
  private async resolveStart(
    ranges: Map<string, Map<number, { low: number; high: number }>>,
  ): Promise<PartitionOffsets> {
    const by = this.o.startingByTimestamp;
    if (!by) return this.resolve(ranges, this.o.starting, 'startingOffsets');
    const what = by.kind === 'all' ? 'startingTimestamp' : 'startingOffsetsByTimestamp';
    if (by.kind === 'per') {
      for (const [topic, parts] of by.ms) {
        for (const p of parts.keys()) {
          if (!ranges.get(topic)?.has(p))
            throw new EddyError('INVALID_ARGUMENT', `${what} names ${topic}-${p}, which the source does not read`);
        }
      }
    }
    const reqs: { topic: string; partition: number; timestamp: number }[] = [];
    for (const [topic, parts] of ranges) {
      for (const p of parts.keys()) {
        const ms = by.kind === 'all' ? by.ms : by.ms.get(topic)?.get(p);
        if (ms !== undefined) reqs.push({ topic, partition: p, timestamp: ms });
      }
    }
    const found = await (await this.getClient()).listOffsets(reqs);
    const out: PartitionOffsets = new Map(
      [...ranges].map(([t, ps]) => [t, new Map([...ps].map(([p, r]) => [p, r.high]))]),
    );
    found.forEach((f, i) => {
      if (f.offset >= 0) out.get(f.topic)!.set(f.partition, f.offset);
      else if (this.o.timestampStrategy === 'error') {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `${what}: no record in ${f.topic}-${f.partition} has a timestamp at or after ${reqs[i]!.timestamp}; set startingOffsetsByTimestampStrategy=latest to start at the end instead`,
        );
      }
    });
    return out;
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
    this.initial = await this.resolveStart(ranges);
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
    if (end === null) return DataFrame.fromBatches(this.schema, [], this.session);
    const from = this.startOf(start);
    const to = parseOffsets(end, 'the batch end offsets');
    const ranges = await this.partitionRanges();
    const wanted: OffsetRange[] = [];
    for (const topic of [...to.keys()].sort()) {
      const parts = to.get(topic)!;
      for (const p of [...parts.keys()].sort((a, b) => a - b)) {
        const until = parts.get(p)!;
        let f = from.get(topic)?.get(p) ?? ranges.get(topic)?.get(p)?.low ?? 0;
        const low = ranges.get(topic)?.get(p)?.low ?? 0;
        if (f < low) {
          if (this.o.failOnDataLoss)
            throw new EddyError('CORRUPT_DATA', `${DATA_LOSS} (${topic}-${p}: wanted offset ${f}, earliest is ${low})`);
          log.warn(`${DATA_LOSS} (${topic}-${p}: offsets ${f}..${low - 1} skipped)`);
          f = low;
        }
        if (until > f) wanted.push({ topic, partition: p, from: f, until });
      }
    }
    const client = await this.getClient();
    const batches = await readRanges(client, wanted, this.schema, {
      ...this.o.consumer,
      failOnDataLoss: this.o.failOnDataLoss,
      pollTimeoutMs: this.o.pollTimeoutMs,
    });
    return DataFrame.fromBatches(
      this.schema,
      batches.filter((b) => b.length > 0),
      this.session,
    );
  }

  /**
   * A Fetch from `start` with minBytes 1 and maxWaitMs: the broker answers as soon as a record lands in any of the
   * partitions (or at maxWaitMs). What it returns is dropped; the next batch reads its range as usual.
   */
  async awaitData(start: string | null, maxWaitMs: number): Promise<void> {
    const from = this.startOf(start);
    const wanted = [...from].flatMap(([topic, ps]) =>
      [...ps].map(([partition, offset]) => ({ topic, partition, offset, maxBytes: 1 })),
    );
    if (wanted.length === 0) return new Promise((r) => setTimeout(r, Math.min(maxWaitMs, 10)));
    const client = await this.getClient();
    const results = await client.fetch(wanted, {
      maxWaitMs,
      minBytes: 1,
      maxBytes: 1,
      partitionMaxBytes: 1,
      checkCrcs: false,
    });
    // An error answers at once (e.g. an offset out of range, which the next batch reports): wait as a poll would,
    // rather than spin.
    if (results.some((r) => r.errorCode !== 0)) await new Promise((r) => setTimeout(r, Math.min(maxWaitMs, 10)));
  }

  async commit(): Promise<void> {}

  async stop(): Promise<void> {
    const c = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    await c?.close();
  }
}

export { type SourceOptions as KafkaSourceOptions };
