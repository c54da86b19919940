import kafkajs from 'kafkajs';
import { EddyError, describeValue } from '../common/errors.js';
import { getLogger } from '../common/log.js';
import type { DataFrame, Row } from '../dataframe/dataframe.js';
import { Vector } from '../dataframe/vector.js';
import { loadStage } from '../ml/pipeline/stage-registry.js';
import { Transformer } from '../ml/pipeline/stage.js';
import { parseJsonData, readerFor } from '../ml/persistence/stage-io.js';
import type { Eddy } from '../session.js';
import type { StreamingQuery } from '../streaming/query.js';
import type { TriggerSpec } from '../streaming/trigger.js';
import { GroupInput, type InputMessage } from './group-input.js';
import { decodeMessage, parseMessageFormat, type MessageFormat } from './message-codec.js';
import { LatencyWindow, type ServingProgress } from './serving-progress.js';
import { servingSchema, type ServingSchema } from './serving-schema.js';

const { Kafka, logLevel } = kafkajs;
type Producer = ReturnType<InstanceType<typeof Kafka>['producer']>;
const log = getLogger('serve');

/** A column no model uses, carrying each good message's place in its batch through the pipeline. */
const ROW_ID = '__eddy_serve_row';

export interface ServeOptions {
  /** A fitted model or pipeline; or give modelPath. */
  model?: Transformer;
  /** Where a model was saved (any registered file system: models/NAME, dfs:///models/NAME). */
  modelPath?: string;
  /** Defaults to the session's built-in broker. */
  bootstrapServers?: string;
  inputTopic: string;
  outputTopic: string;
  /** Where bad messages go, with the reason. Without it they are logged and counted, not written anywhere. */
  deadLetterTopic?: string;
  format?: MessageFormat | string;
  /** Defaults to dfs:///checkpoints/serve/<input>-<output> (or a local folder when the session has no dfs). */
  checkpointLocation?: string;
  /** Where a new checkpoint starts reading the input topic: 'earliest' (default) or 'latest'. */
  startingOffsets?: string;
  /** Caps the messages per micro-batch (the kafka source's maxOffsetsPerTrigger). */
  maxOffsetsPerTrigger?: number;
  /**
   * A Kafka consumer group: instances with the same group share the input's partitions, and offsets are
   * committed to the group (after the answers are written) instead of a checkpoint.
   */
  group?: string;
  /**
   * With group: Kafka's session.timeout.ms, how long the group waits for a silent instance before giving its
   * partitions to the others (kafkajs's default, 30 000; the broker accepts 6 000 and up by default).
   */
  sessionTimeoutMs?: number;
  /** Swap in a model saved anew at modelPath between batches (output messages name the model that answered). */
  watch?: boolean;
  /** The micro-batch trigger (default: as fast as possible); { availableNow: true } serves what is there and ends. */
  trigger?: TriggerSpec;
  /** How often to report progress (ms); default 10 000; 0 turns reports off. */
  progressIntervalMs?: number;
  /** Gets each progress report; by default it is logged at info level. */
  onProgress?: (p: ServingProgress) => void;
}

type Message = InputMessage;

/** A running model server: a streaming query from the input topic to the output (and dead-letter) topic. */
export class ModelServer {
  private readonly latency = new LatencyWindow();
  private totals = { messages: 0, predictions: 0, deadLetters: 0 };
  private timer: NodeJS.Timeout | null = null;
  private query: StreamingQuery | null = null;
  private group: GroupInput | null = null;
  private stopped = false;

  private constructor(
    private served: Served,
    private readonly producer: Producer,
    private readonly opts: ServeOptions & { format: MessageFormat },
  ) {}

  static async start(eddy: Eddy, options: ServeOptions): Promise<ModelServer> {
    for (const k of ['inputTopic', 'outputTopic'] as const) {
      if (typeof options[k] !== 'string' || options[k] === '') {
        throw new EddyError('INVALID_ARGUMENT', `serve needs ${k} (a topic name), got ${describeValue(options[k])}`);
      }
    }
    const format = parseMessageFormat(options.format ?? 'json');
    if (options.watch === true && options.modelPath === undefined) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        'serve: watch needs modelPath (the path to watch for a newly saved model)',
      );
    }
    const served = await resolveModel(eddy, options);
    // The broker getter throws on a session started with broker: false, with a message saying so.
    const servers = options.bootstrapServers ?? eddy.broker.bootstrapServers;
    const kafka = new Kafka({ clientId: 'eddy-serve', brokers: servers.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    const server = new ModelServer(served, producer, { ...options, format, bootstrapServers: servers });
    try {
      await server.startQuery(eddy);
    } catch (e) {
      await server.stop().catch(() => undefined);
      throw e;
    }
    return server;
  }

  private async startQuery(eddy: Eddy): Promise<void> {
    const o = this.opts;
    this.startTimer();
    if (o.group !== undefined) {
      this.group = new GroupInput(
        o.bootstrapServers!.split(','),
        o.group,
        o.inputTopic,
        (o.startingOffsets ?? 'earliest') === 'earliest',
        o.sessionTimeoutMs,
      );
      await this.group.start((messages) => this.serveMessages(eddy, messages));
      return;
    }
    let reader = eddy.readStream
      .format('kafka')
      .option('kafka.bootstrap.servers', o.bootstrapServers!)
      .option('subscribe', o.inputTopic)
      .option('startingOffsets', o.startingOffsets ?? 'earliest');
    if (o.maxOffsetsPerTrigger !== undefined) reader = reader.option('maxOffsetsPerTrigger', o.maxOffsetsPerTrigger);
    const checkpoint =
      o.checkpointLocation ?? `dfs:///checkpoints/serve/${safeName(o.inputTopic)}-${safeName(o.outputTopic)}`;
    let writer = reader
      .load()
      .writeStream.queryName(`serve-${o.inputTopic}-${o.outputTopic}`)
      .option('checkpointLocation', checkpoint)
      .foreachBatch((batch) => this.serveBatch(eddy, batch));
    if (o.trigger !== undefined) writer = writer.trigger(o.trigger);
    this.query = await writer.start();
  }

  private startTimer(): void {
    const every = this.opts.progressIntervalMs ?? 10_000;
    if (every > 0) {
      this.timer = setInterval(() => this.report(), every);
      this.timer.unref();
    }
  }

  /** The model answering now (with watch, the last one saved at modelPath). */
  get model(): Transformer {
    return this.served.model;
  }

  get schema(): ServingSchema {
    return this.served.schema;
  }

  /** Messages, predictions and dead letters since start. */
  get stats(): { messages: number; predictions: number; deadLetters: number } {
    return { ...this.totals };
  }

  /** The streaming query serving (none in group mode, where a group consumer reads the input). */
  get streamingQuery(): StreamingQuery | null {
    return this.query;
  }

  /** With group: waits until this instance holds `count` of the input's partitions. */
  async awaitAssignment(count: number): Promise<void> {
    if (!this.group) throw new EddyError('ILLEGAL_STATE', 'awaitAssignment needs a server started with group');
    await this.group.awaitAssignment(count);
  }

  /** With group: the input partitions this instance holds now. */
  get assignment(): number[] {
    return this.group?.assignment ?? [];
  }

  /** Returns once every message now on the input topic is answered (tests, batch-like runs). */
  async processAllAvailable(): Promise<void> {
    if (this.group) await this.group.processAllAvailable();
    else await this.query!.processAllAvailable();
  }

  /** Serves until stopped or failed; rejects with the query's error. */
  async awaitTermination(): Promise<void> {
    if (this.group) await this.group.awaitTermination();
    else await this.query!.awaitTermination();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.query?.stop();
    await this.group?.stop();
    await this.producer.disconnect();
  }

  /** Emits a progress report for the interval since the last one. */
  report(): ServingProgress {
    const p = this.latency.drain(this.totals);
    if (this.opts.onProgress) this.opts.onProgress(p);
    else log.info(formatProgress(p));
    return p;
  }

  /**
   * Between batches, loads the model saved at modelPath if its metadata.json changed (a save writes a new
   * timestamp, atomically). A model that fails to load is logged and the current one keeps serving.
   */
  private async reloadIfSaved(eddy: Eddy): Promise<void> {
    const path = this.opts.modelPath!;
    let version: string;
    try {
      version = (await savedVersion(eddy, path)).key;
    } catch (e) {
      log.warn(`watch: cannot read ${path}/metadata.json (${(e as Error).message}); serving ${this.model.uid} on`);
      return;
    }
    if (version === this.served.version) return;
    try {
      const next = await resolveModel(eddy, { ...this.opts, model: undefined });
      log.info(
        `watch: ${path} saved anew at ${new Date(next.savedAt ?? 0).toISOString()}; now serving ${next.model.uid}`,
      );
      this.served = next;
    } catch (e) {
      log.warn(
        `watch: the model saved at ${path} does not load (${(e as Error).message}); serving ${this.model.uid} on`,
      );
    }
  }

  private async serveBatch(eddy: Eddy, batch: DataFrame): Promise<void> {
    await this.serveMessages(eddy, (await batch.collect()).map(toMessage));
  }

  private async serveMessages(eddy: Eddy, messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.opts.watch === true) await this.reloadIfSaved(eddy);
    const dead: { m: Message; reason: string }[] = [];
    const good: { m: Message; fields: Record<string, unknown>; row: Record<string, unknown> }[] = [];
    for (const m of messages) {
      const d = decodeMessage(m.value, this.opts.format, this.schema.fields);
      if (d.ok) good.push({ m, fields: d.fields, row: d.row });
      else dead.push({ m, reason: d.reason });
    }
    const answers = new Map<number, Row>();
    const refused = new Set<number>();
    if (good.length > 0) {
      try {
        for (const [i, r] of (
          await this.predict(
            eddy,
            good.map((g, i) => ({ ...g.row, [ROW_ID]: i })),
          )
        ).entries()) {
          answers.set(Number(r[ROW_ID] ?? i), r);
        }
      } catch (e) {
        // One bad value fails the whole batch's transform: answer row by row to find which.
        log.debug(`batch transform failed (${(e as Error).message}); predicting message by message`);
        for (const [i, g] of good.entries()) {
          try {
            const [r] = await this.predict(eddy, [{ ...g.row, [ROW_ID]: i }]);
            if (r) answers.set(i, r);
          } catch (err) {
            refused.add(i);
            dead.push({ m: g.m, reason: `the model cannot handle this message: ${(err as Error).message}` });
          }
        }
      }
    }
    const out: { key: Buffer | null; value: string; partition?: number }[] = [];
    for (const [i, g] of good.entries()) {
      const r = answers.get(i);
      if (r === undefined) {
        if (!refused.has(i)) dead.push({ m: g.m, reason: 'the model dropped this row (handleInvalid=skip)' });
        continue;
      }
      out.push({ key: g.m.key, value: JSON.stringify(this.answer(g.fields, r)) });
    }
    if (out.length > 0) await this.producer.send({ topic: this.opts.outputTopic, messages: out });
    if (dead.length > 0) await this.deadLetters(dead);
    const now = Date.now();
    for (const [i, g] of good.entries()) if (answers.has(i)) this.latency.add(now - g.m.timestampMs);
    this.totals.messages += messages.length;
    this.totals.predictions += out.length;
    this.totals.deadLetters += dead.length;
  }

  private async predict(eddy: Eddy, rows: Record<string, unknown>[]): Promise<Row[]> {
    const ddl = [
      ...this.schema.fields.filter((f) => !f.optional).map((f) => `\`${f.name}\` ${f.type.toUpperCase()}`),
      `${ROW_ID} INT`,
    ];
    const df = eddy.createDataFrame(rows, ddl.join(', '));
    const cols = [ROW_ID, this.schema.predictionCol, this.schema.probabilityCol].filter((c): c is string => c !== null);
    return this.model
      .transform(df)
      .select(...cols)
      .collect();
  }

  private answer(fields: Record<string, unknown>, r: Row): Record<string, unknown> {
    const s = this.schema;
    const out: Record<string, unknown> = { ...fields };
    if (s.predictionCol) {
      const p = r[s.predictionCol];
      out[s.predictionCol] = p;
      if (s.labels && typeof p === 'number') out['predictedLabel'] = s.labels[p] ?? null;
    }
    if (s.probabilityCol) {
      const v = r[s.probabilityCol];
      out[s.probabilityCol] = v instanceof Vector ? Array.from(v.toArray()) : v;
    }
    out['modelUid'] = this.model.uid;
    if (this.served.savedAt !== null) out['modelSavedAt'] = this.served.savedAt;
    return out;
  }

  private async deadLetters(dead: { m: Message; reason: string }[]): Promise<void> {
    // Without a dead-letter topic the log line is the only record of the message, so it is a warning; with one,
    // the topic holds the message and the reason, and the progress line counts them.
    const note = this.opts.deadLetterTopic === undefined ? log.warn : log.info;
    for (const d of dead) note(`dead letter ${this.opts.inputTopic}-${d.m.partition}@${d.m.offset}: ${d.reason}`);
    if (this.opts.deadLetterTopic === undefined) return;
    await this.producer.send({
      topic: this.opts.deadLetterTopic,
      messages: dead.map(({ m, reason }) => ({
        key: m.key,
        value: JSON.stringify({
          error: reason,
          topic: this.opts.inputTopic,
          partition: m.partition,
          offset: m.offset.toString(),
          timestamp: m.timestampMs,
          value: m.value === null ? null : m.value.toString('utf8'),
        }),
      })),
    });
  }
}

export function formatProgress(p: ServingProgress): string {
  const ms = (x: number | null) => (x === null ? '-' : `${x.toFixed(1)} ms`);
  return (
    `serve: ${p.messages} messages in ${(p.intervalMs / 1000).toFixed(1)} s (${p.messagesPerSecond.toFixed(1)}/s), ` +
    `latency p50 ${ms(p.p50Ms)} p99 ${ms(p.p99Ms)}, dead letters ${p.deadLetters}; ` +
    `total ${p.totalPredictions} predictions, ${p.totalDeadLetters} dead letters`
  );
}

function toMessage(r: Row): Message {
  const buf = (v: unknown) => (v === null || v === undefined ? null : Buffer.from(v as Uint8Array));
  const t = r['timestamp'];
  return {
    key: buf(r['key']),
    value: buf(r['value']),
    partition: Number(r['partition']),
    offset: BigInt(r['offset'] as bigint),
    timestampMs: t instanceof Date ? t.getTime() : Number(t),
  };
}

function safeName(topic: string): string {
  return topic.replace(/[^A-Za-z0-9._-]/g, '_');
}

interface Served {
  model: Transformer;
  schema: ServingSchema;
  /** metadata.json's timestamp, for a model loaded from a path. */
  savedAt: number | null;
  version: string | null;
}

/** What identifies one save at a path: metadata.json's uid and timestamp (a save in the same ms still differs by uid). */
async function savedVersion(eddy: Eddy, path: string): Promise<{ key: string; savedAt: number | null }> {
  const meta = parseJsonData(await readerFor({ fs: eddy.fs })(path, 'metadata.json'), `${path}/metadata.json`);
  const { timestamp, uid } = (meta ?? {}) as { timestamp?: unknown; uid?: unknown };
  const savedAt = typeof timestamp === 'number' ? timestamp : null;
  return { key: `${String(uid)}@${String(savedAt)}`, savedAt };
}

async function resolveModel(eddy: Eddy, o: ServeOptions): Promise<Served> {
  if ((o.model === undefined) === (o.modelPath === undefined)) {
    throw new EddyError('INVALID_ARGUMENT', 'serve needs exactly one of model (a fitted Transformer) and modelPath');
  }
  if (o.model !== undefined) {
    if (!(o.model instanceof Transformer)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `serve: model must be a fitted Transformer, got ${describeValue(o.model)}`,
      );
    }
    return { model: o.model, schema: servingSchema(o.model), savedAt: null, version: null };
  }
  const { key, savedAt } = await savedVersion(eddy, o.modelPath!);
  const stage = await loadStage(o.modelPath!, { fs: eddy.fs });
  if (!(stage instanceof Transformer)) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${o.modelPath} holds ${stage.uid}, an unfitted estimator; save a fitted model`,
    );
  }
  return { model: stage, schema: servingSchema(stage), savedAt, version: key };
}
