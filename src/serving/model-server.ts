import { EddyError, describeValue } from '../common/errors.js';
import { getLogger } from '../common/log.js';
import type { DataFrame } from '../dataframe/dataframe.js';
import type { Transformer } from '../ml/pipeline/stage.js';
import type { Eddy } from '../session.js';
import type { StreamingQuery } from '../streaming/query.js';
import type { TriggerSpec } from '../streaming/trigger.js';
import { ByteArena } from './answer-encoder.js';
import { AnswerWriter, type OutputRecord } from './answer-writer.js';
import type { Predictions } from './batch-predictor.js';
import { GroupInput } from './group-input.js';
import { messagesOfKafkaBatch, type MessageBatch } from './message-batch.js';
import { parseMessageFormat, utf8, type MessageFormat } from './message-codec.js';
import { resolveModel, savedVersion, type Served } from './served-model.js';
import { LatencyWindow, type ServingProgress } from './serving-progress.js';
import type { ServingSchema } from './serving-schema.js';

const log = getLogger('serve');

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
  /**
   * Spark's async progress tracking for the checkpointed query (default: on, unless the trigger is once or
   * availableNow): the checkpoint's offset and commit logs are written in the background at most once per
   * checkpointIntervalMs instead of twice per batch on its critical path. Answers are still written before their
   * offsets are committed; after a crash, everything since the newest durable commit (about checkpointIntervalMs
   * of input) is answered again. false: every batch is committed durably before the next (a crash re-answers at
   * most one batch), at the cost of two durable writes per batch in its latency.
   */
  asyncProgressTracking?: boolean;
  /** With asyncProgressTracking: Spark's asyncProgressTrackingCheckpointIntervalMs (default 1000). */
  checkpointIntervalMs?: number;
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
   * partitions to the others (default 30 000, as kafkajs; the broker accepts 6 000 and up by default).
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
    private readonly writer: AnswerWriter,
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
    const served = await resolveModel(eddy, format, options);
    // The broker getter throws on a session started with broker: false, with a message saying so.
    const servers = options.bootstrapServers ?? eddy.broker.bootstrapServers;
    const writer = await AnswerWriter.connect(servers);
    const server = new ModelServer(served, writer, { ...options, format, bootstrapServers: servers });
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
        o.bootstrapServers!,
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
    const ends = o.trigger !== undefined && ('once' in o.trigger || 'availableNow' in o.trigger);
    if (o.asyncProgressTracking ?? !ends) {
      // The batch function writes to Kafka at-least-once and never looks at batch ids, which is what the
      // engine's sink check guards.
      writer = writer
        .option('asyncProgressTrackingEnabled', true)
        .option('_asyncProgressTrackingOverrideSinkSupportCheck', true);
      if (o.checkpointIntervalMs !== undefined) {
        writer = writer.option('asyncProgressTrackingCheckpointIntervalMs', o.checkpointIntervalMs);
      }
    } else if (o.checkpointIntervalMs !== undefined) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        'serve: checkpointIntervalMs applies to asyncProgressTracking, which is off here ' +
          `(${o.asyncProgressTracking === false ? 'asyncProgressTracking: false' : 'a trigger that ends'}); drop it`,
      );
    }
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
    await this.writer.close();
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
      const next = await resolveModel(eddy, this.opts.format, { modelPath: path });
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
    await this.serveMessages(eddy, messagesOfKafkaBatch(await batch.collectBatch()));
  }

  private async serveMessages(eddy: Eddy, batch: MessageBatch): Promise<void> {
    if (batch.count === 0) return;
    if (this.opts.watch === true) await this.reloadIfSaved(eddy);
    // One model answers the whole batch, even if a reload were to happen meanwhile.
    const served = this.served;
    const decoded = served.decoder.decode(batch);
    const arena = new ByteArena();
    const dead = decoded.dead.map(({ index, reason }) => ({ index, reason }));
    const answers: (string | Uint8Array | undefined)[] = new Array<string | Uint8Array | undefined>(
      decoded.good.length,
    );
    const refused = new Set<number>();
    const answer = (p: Predictions) => {
      for (let k = 0; k < p.count; k++) {
        const row = p.rowIds[k]!;
        const closeAt = decoded.closeAt[row]!;
        answers[row] =
          closeAt >= 0
            ? served.encoder.encodeInto(
                arena,
                batch.values[decoded.good[row]!]!,
                closeAt,
                p.prediction?.get(k),
                p.probability?.get(k),
              )
            : served.encoder.encode(
                decoded.texts[row]!,
                decoded.objects[row]!,
                p.prediction?.get(k),
                p.probability?.get(k),
              );
      }
    };
    if (decoded.good.length > 0) {
      try {
        answer(await served.predictor.predict(decoded.columns, 0, decoded.good.length));
      } catch (e) {
        // One bad value fails the whole batch's transform: answer row by row to find which.
        log.debug(`batch transform failed (${(e as Error).message}); predicting message by message`);
        answers.fill(undefined);
        for (let row = 0; row < decoded.good.length; row++) {
          try {
            answer(await served.predictor.predict(decoded.columns, row, row + 1));
          } catch (err) {
            refused.add(row);
            dead.push({
              index: decoded.good[row]!,
              reason: `the model cannot handle this message: ${(err as Error).message}`,
            });
          }
        }
      }
    }
    const out: OutputRecord[] = [];
    for (let row = 0; row < decoded.good.length; row++) {
      const a = answers[row];
      const i = decoded.good[row]!;
      if (a === undefined) {
        if (!refused.has(row)) dead.push({ index: i, reason: 'the model dropped this row (handleInvalid=skip)' });
        continue;
      }
      out.push({ key: batch.keys[i] ?? null, value: a });
    }
    if (out.length > 0) await this.writer.write(this.opts.outputTopic, out);
    if (dead.length > 0) await this.deadLetters(batch, dead);
    const now = Date.now();
    for (let row = 0; row < decoded.good.length; row++) {
      if (answers[row] !== undefined) this.latency.add(now - batch.timestamps[decoded.good[row]!]!);
    }
    this.totals.messages += batch.count;
    this.totals.predictions += out.length;
    this.totals.deadLetters += dead.length;
  }

  private async deadLetters(batch: MessageBatch, dead: { index: number; reason: string }[]): Promise<void> {
    // Without a dead-letter topic the log line is the only record of the message, so it is a warning; with one,
    // the topic holds the message and the reason, and the progress line counts them.
    const note = this.opts.deadLetterTopic === undefined ? log.warn : log.info;
    const where = (i: number) => `${this.opts.inputTopic}-${batch.partitions[i]}@${batch.offsets[i]}`;
    for (const d of dead) note(`dead letter ${where(d.index)}: ${d.reason}`);
    if (this.opts.deadLetterTopic === undefined) return;
    await this.writer.write(
      this.opts.deadLetterTopic,
      dead.map(({ index: i, reason }) => {
        const value = batch.values[i] ?? null;
        return {
          key: batch.keys[i] ?? null,
          value: JSON.stringify({
            error: reason,
            topic: this.opts.inputTopic,
            partition: batch.partitions[i],
            offset: String(batch.offsets[i]),
            timestamp: batch.timestamps[i],
            value: value === null ? null : utf8(value),
          }),
        };
      }),
    );
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

function safeName(topic: string): string {
  return topic.replace(/[^A-Za-z0-9._-]/g, '_');
}
