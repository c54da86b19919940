import { randomUUID } from 'node:crypto';
import { EddyError, describeValue, toEddyError } from '../common/errors.js';
import { getLogger } from '../common/log.js';
import type { FileSystem } from '../storage/filesystem.js';
import { Checkpoint, type OffsetSeq } from './checkpoint/checkpoint.js';
import { AsyncProgressTracker, SyncProgressTracker, type ProgressTracker } from './checkpoint/progress-tracker.js';
import type { StreamPlan, StreamSink, StreamSource } from './contracts.js';
import { rate, type StreamingQueryProgress, type StreamingQueryStatus } from './progress.js';
import { nextBatchTime, type Trigger } from './trigger.js';

const log = getLogger('streaming');

/** How long an as-fast-as-possible query waits before polling idle sources again (Spark's pollingDelay). */
const POLLING_DELAY_MS = 10;
/** How long an idle query waits on sources that can tell when data arrives, before asking them again anyway. */
const IDLE_WAIT_MS = 100;
const RECENT_PROGRESS = 100;

export interface QueryListener {
  onQueryStarted?(event: { id: string; runId: string; name: string | null; timestamp: string }): void;
  onQueryProgress?(event: { progress: StreamingQueryProgress }): void;
  onQueryTerminated?(event: { id: string; runId: string; exception: string | null }): void;
}

export interface QueryDefinition<TData> {
  name?: string | null;
  sources: StreamSource<TData>[];
  plan: StreamPlan<TData>;
  sink: StreamSink<TData>;
  trigger: Trigger;
  outputMode: string;
  checkpointFs: FileSystem;
  checkpointDir: string;
  listeners?: () => Iterable<QueryListener>;
  /**
   * Spark's asyncProgressTrackingEnabled: offsets and commits are logged in the background, at most once per
   * checkpointIntervalMs; a restart re-runs everything since the newest durable commit (at-least-once). Refused
   * with once / availableNow triggers and with stateful operators, as Spark does.
   */
  asyncProgressTracking?: { checkpointIntervalMs: number };
}

/**
 * A running streaming query (Spark's StreamingQuery). It runs micro-batches until stopped, until a once/
 * availableNow trigger has nothing left, or until a batch fails (then `exception()` holds the error and
 * `awaitTermination()` throws it).
 */
export class StreamingQuery<TData = unknown> {
  readonly runId = randomUUID();
  readonly name: string | null;
  private checkpoint!: Checkpoint;
  private tracker!: ProgressTracker;
  /** Writes the logs of a batch re-run at recovery: its commit is durable before anything else runs. */
  private syncTracker!: ProgressTracker;
  private readonly def: QueryDefinition<TData>;
  private active = true;
  private stopping = false;
  private failure: EddyError | null = null;
  private wake: (() => void) | null = null;
  private readonly done: Promise<void>;
  private readonly progressLog: StreamingQueryProgress[] = [];
  private statusNow: StreamingQueryStatus = {
    message: 'Initializing sources',
    isDataAvailable: false,
    isTriggerActive: false,
  };
  private batchWaiters: (() => void)[] = [];
  /** Settles once sources are initialized and the checkpoint recovered (or the query ended trying). */
  private recovered!: () => void;
  private readonly recoveredP = new Promise<void>((r) => (this.recovered = r));

  // Execution state.
  private currentBatchId = 0;
  private committedOffsets: (string | null)[] = [];
  private watermarkMs = 0;
  private lastTriggerStart = 0;

  private constructor(def: QueryDefinition<TData>, ready: (q: StreamingQuery<TData>) => Promise<void>) {
    this.def = def;
    this.name = def.name ?? null;
    this.done = ready(this);
  }

  /** Opens (or resumes) the checkpoint and starts running batches; resolves once the query is started. */
  static async start<TData>(def: QueryDefinition<TData>): Promise<StreamingQuery<TData>> {
    if (def.asyncProgressTracking) checkAsyncProgressTracking(def);
    const checkpoint = await Checkpoint.open(def.checkpointFs, def.checkpointDir, {
      sources: def.sources.map((s) => s.description),
      statefulOperators: def.plan.statefulOperators,
      outputMode: def.outputMode,
    });
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const query = new StreamingQuery(def, async (q) => {
      q.checkpoint = checkpoint;
      const commitSources = (seq: OffsetSeq) => q.commitSources(seq);
      q.syncTracker = new SyncProgressTracker(checkpoint, commitSources);
      q.tracker = def.asyncProgressTracking
        ? new AsyncProgressTracker(checkpoint, commitSources, def.asyncProgressTracking.checkpointIntervalMs)
        : q.syncTracker;
      await startedP;
      await q.run();
    });
    started();
    return query;
  }

  get id(): string {
    return this.checkpoint.metadata.id;
  }

  get isActive(): boolean {
    return this.active;
  }

  get status(): StreamingQueryStatus {
    return { ...this.statusNow };
  }

  get lastProgress(): StreamingQueryProgress | null {
    return this.progressLog[this.progressLog.length - 1] ?? null;
  }

  get recentProgress(): StreamingQueryProgress[] {
    return [...this.progressLog];
  }

  exception(): EddyError | null {
    return this.failure;
  }

  /**
   * Waits for the query to end. With a timeout, resolves false if it is still running then. Throws the query's
   * failure if it failed.
   */
  async awaitTermination(timeoutMs?: number): Promise<boolean> {
    if (timeoutMs === undefined) {
      await this.done;
    } else {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.done.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) return false;
    }
    if (this.failure) throw this.failure;
    return true;
  }

  /** Waits until every row available in the sources now has been processed and committed (for tests and demos). */
  async processAllAvailable(): Promise<void> {
    // Sources answer latestOffset only once initialized (e.g. the kafka source pins its starting offsets).
    await this.recoveredP;
    if (!this.active) {
      if (this.failure) throw this.failure;
      return;
    }
    // Also waits for the no-data batch an advanced watermark calls for, so what it emits or evicts is visible.
    const watermarkSettled = () =>
      this.def.plan.statefulOperators.length === 0 || this.watermarkMs <= this.lastBatchWatermarkMs;
    while (this.active) {
      // Asked again after every batch: a source with a limit (maxOffsetsPerTrigger) gets there in several steps,
      // and "all available" is reached when the next batch would have nothing new.
      // Compared with the offsets it was asked from: a batch may commit while latestOffset is in flight, and a
      // capped source answers relative to its start, so the committed offsets of now would match a stale answer.
      const from = this.committedOffsets;
      const next = await Promise.all(this.def.sources.map((s, i) => s.latestOffset(from[i] ?? null)));
      if (next.every((t, i) => t === null || t === from[i]) && watermarkSettled()) break;
      await new Promise<void>((r) => {
        this.batchWaiters.push(r);
        this.wake?.();
      });
    }
    if (this.failure) throw this.failure;
  }

  /** Stops the query after the batch in flight (if any) and releases its sources and sink. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    this.emit((l) =>
      l.onQueryStarted?.({ id: this.id, runId: this.runId, name: this.name, timestamp: new Date().toISOString() }),
    );
    try {
      await this.recover();
      this.recovered();
      if (this.def.trigger.kind === 'availableNow') {
        for (const s of this.def.sources) await s.prepareForTriggerAvailableNow?.();
      }
      while (!this.stopping) {
        const triggerStart = Date.now();
        this.statusNow = { message: 'Getting offsets from sources', isDataAvailable: false, isTriggerActive: true };
        const ran = await this.runOneTrigger(triggerStart);
        this.statusNow = { message: 'Waiting for next trigger', isDataAvailable: ran, isTriggerActive: false };
        const waiters = this.batchWaiters;
        this.batchWaiters = [];
        for (const w of waiters) w();
        const t = this.def.trigger;
        if (t.kind === 'once' || (t.kind === 'availableNow' && !ran)) break;
        if (t.kind === 'availableNow') continue;
        if (t.intervalMs === 0 && !ran && !this.stopping && this.batchWaiters.length === 0) {
          await this.idle();
          continue;
        }
        const wait = t.intervalMs === 0 ? 0 : nextBatchTime(triggerStart, t.intervalMs) - Date.now();
        if (wait > 0 && !this.stopping && this.batchWaiters.length === 0) await this.sleep(wait);
      }
      await this.tracker.flush();
    } catch (e) {
      this.failure = toEddyError(
        e,
        'INTERNAL',
        `streaming query ${this.name ?? this.id} failed in batch ${this.currentBatchId}`,
      );
      log.error(this.failure.message, e);
    } finally {
      await this.tracker?.close();
      this.active = false;
      this.recovered();
      this.statusNow = { message: 'Stopped', isDataAvailable: false, isTriggerActive: false };
      for (const s of this.def.sources)
        await s.stop().catch((e: unknown) => log.warn(`stopping source ${s.description}`, e));
      await this.def.sink.stop?.().catch((e: unknown) => log.warn(`stopping sink ${this.def.sink.description}`, e));
      for (const w of this.batchWaiters) w();
      this.batchWaiters = [];
      this.emit((l) =>
        l.onQueryTerminated?.({ id: this.id, runId: this.runId, exception: this.failure?.message ?? null }),
      );
    }
  }

  /**
   * An as-fast-as-possible query with nothing new: waits until a source says data may have come (all sources must
   * be able to say so, e.g. Kafka's fetch long poll), at most IDLE_WAIT_MS; otherwise polls after Spark's
   * pollingDelay. stop() and processAllAvailable() cut the wait short.
   */
  private async idle(): Promise<void> {
    const sources = this.def.sources;
    if (!sources.every((s) => s.awaitData !== undefined)) return this.sleep(POLLING_DELAY_MS);
    let woken!: () => void;
    const wake = new Promise<void>((r) => (woken = r));
    this.wake = () => {
      this.wake = null;
      woken();
    };
    try {
      await Promise.race([
        wake,
        Promise.any(sources.map((s, i) => s.awaitData!(this.committedOffsets[i] ?? null, IDLE_WAIT_MS))).catch(
          // A source that cannot wait now (e.g. the broker is restarting) leaves the engine polling.
          () => this.sleep(POLLING_DELAY_MS),
        ),
      ]);
    } finally {
      this.wake = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  /** Finds where the last run stopped: the batch to re-run (offsets without commit) or the next one. */
  private async recover(): Promise<void> {
    const cp = this.checkpoint;
    for (let i = 0; i < this.def.sources.length; i++) {
      await this.def.sources[i]!.initialize?.({ fs: cp.fs, metadataDir: `${cp.root}/sources/${i}` });
    }
    this.committedOffsets = this.def.sources.map(() => null);
    const latest = await cp.offsets.latest();
    if (latest === undefined) return;
    const lastCommit = await cp.commits.latest();
    if (lastCommit !== undefined && lastCommit.batchId === latest.batchId) {
      this.committedOffsets = latest.value.offsets;
      this.currentBatchId = latest.batchId + 1;
      this.watermarkMs = lastCommit.value.nextBatchWatermarkMs;
      return;
    }
    // The batch before it in the log must be committed; with async progress tracking the log has gaps, so that is
    // the newest earlier entry, not necessarily batch N-1.
    const previous = await cp.offsets.previous(latest.batchId);
    if ((lastCommit?.batchId ?? -1) !== (previous?.batchId ?? -1) || (previous === undefined && latest.batchId > 0)) {
      throw new EddyError(
        'CORRUPT_DATA',
        `the checkpoint ${cp.fs.uri(cp.root)} has offsets up to batch ${latest.batchId} (the one before: ` +
          `${previous?.batchId ?? 'none'}) but commits only up to ${lastCommit?.batchId ?? 'none'}; it was damaged — ` +
          `restore it or use a new checkpointLocation`,
      );
    }
    // The last batch was planned but not committed: run it again with exactly the same offsets and metadata (with
    // async progress tracking, it spans every batch since the newest durable commit).
    this.committedOffsets = previous?.value.offsets ?? this.def.sources.map(() => null);
    this.currentBatchId = latest.batchId;
    this.watermarkMs = latest.value.metadata.batchWatermarkMs;
    log.info(`resuming: re-running batch ${latest.batchId} of query ${cp.metadata.id}`);
    await this.runBatch(latest.value, Date.now(), { latestOffset: 0, walCommit: 0 }, false, this.syncTracker);
  }

  /** Runs one trigger: plans the next batch and runs it if there is anything to do. Returns whether it ran. */
  private async runOneTrigger(triggerStart: number): Promise<boolean> {
    const t0 = Date.now();
    const latest = await Promise.all(this.def.sources.map((s, i) => s.latestOffset(this.committedOffsets[i] ?? null)));
    const latestOffsetMs = Date.now() - t0;
    const hasNewData = latest.some((o, i) => o !== null && o !== this.committedOffsets[i]);
    const nextWatermark = this.watermarkMs;
    const lastBatchWatermark = this.lastBatchWatermarkMs;
    const noDataBatch = !hasNewData && this.def.plan.statefulOperators.length > 0 && nextWatermark > lastBatchWatermark;
    if (!hasNewData && !noDataBatch) {
      this.lastTriggerStart = triggerStart;
      return false;
    }
    const seq: OffsetSeq = {
      metadata: { batchWatermarkMs: this.watermarkMs, batchTimestampMs: triggerStart, conf: {} },
      offsets: latest.map((o, i) => o ?? this.committedOffsets[i] ?? null),
    };
    const t1 = Date.now();
    await this.tracker.planned(this.currentBatchId, seq);
    await this.runBatch(
      seq,
      triggerStart,
      { latestOffset: latestOffsetMs, walCommit: Date.now() - t1 },
      noDataBatch,
      this.tracker,
    );
    return true;
  }

  private lastBatchWatermarkMs = 0;

  private async runBatch(
    seq: OffsetSeq,
    triggerStart: number,
    durations: Record<string, number>,
    noDataBatch: boolean,
    tracker: ProgressTracker,
  ): Promise<void> {
    const batchId = this.currentBatchId;
    const { sources, plan, sink } = this.def;
    this.statusNow = { message: 'Processing new data', isDataAvailable: true, isTriggerActive: true };
    const t0 = Date.now();
    const inputs = await Promise.all(
      sources.map((s, i) => {
        const end = seq.offsets[i] ?? null;
        return s.getBatch(end === null ? null : (this.committedOffsets[i] ?? null), end);
      }),
    );
    const getBatchMs = Date.now() - t0;
    const counts = inputs.map((d) => plan.rowCount(d));
    const numInputRows = counts.reduce((a, b) => a + b, 0);
    const t1 = Date.now();
    const result = await plan.execute(inputs, {
      batchId,
      watermarkMs: seq.metadata.batchWatermarkMs,
      batchTimestampMs: seq.metadata.batchTimestampMs,
      checkpoint: this.checkpoint,
      noDataBatch,
    });
    await sink.addBatch(batchId, result.output);
    const addBatchMs = Date.now() - t1;
    let watermark = seq.metadata.batchWatermarkMs;
    if (plan.watermarkDelayMs !== undefined && result.eventTime && result.eventTime.count > 0) {
      watermark = Math.max(watermark, result.eventTime.max - plan.watermarkDelayMs);
    }
    const t2 = Date.now();
    await tracker.completed(batchId, seq, { nextBatchWatermarkMs: watermark });
    const commitMs = Date.now() - t2;
    const previousOffsets = this.committedOffsets;
    this.committedOffsets = seq.offsets;
    this.lastBatchWatermarkMs = seq.metadata.batchWatermarkMs;
    this.watermarkMs = watermark;
    this.currentBatchId = batchId + 1;

    const triggerMs = Date.now() - triggerStart;
    const sinceLast = this.lastTriggerStart === 0 ? 0 : triggerStart - this.lastTriggerStart;
    this.lastTriggerStart = triggerStart;
    const ev = result.eventTime;
    const iso = (ms: number) => new Date(ms).toISOString();
    const progress: StreamingQueryProgress = {
      id: this.id,
      runId: this.runId,
      name: this.name,
      timestamp: iso(triggerStart),
      batchId,
      batchDuration: triggerMs,
      numInputRows,
      inputRowsPerSecond: rate(numInputRows, sinceLast),
      processedRowsPerSecond: rate(numInputRows, triggerMs),
      durationMs: {
        ...durations,
        getBatch: getBatchMs,
        addBatch: addBatchMs,
        commitOffsets: commitMs,
        triggerExecution: triggerMs,
      },
      eventTime:
        ev && ev.count > 0
          ? {
              min: iso(ev.min),
              max: iso(ev.max),
              avg: iso(ev.sum / ev.count),
              watermark: iso(seq.metadata.batchWatermarkMs),
            }
          : plan.watermarkDelayMs !== undefined
            ? { watermark: iso(seq.metadata.batchWatermarkMs) }
            : {},
      stateOperators: result.stateOperators ?? [],
      sources: sources.map((s, i) => ({
        description: s.description,
        startOffset: parseOffset(previousOffsets[i] ?? null),
        endOffset: parseOffset(seq.offsets[i] ?? null),
        latestOffset: parseOffset(seq.offsets[i] ?? null),
        numInputRows: counts[i]!,
        inputRowsPerSecond: rate(counts[i]!, sinceLast),
        processedRowsPerSecond: rate(counts[i]!, triggerMs),
      })),
      sink: { description: sink.description, numOutputRows: plan.rowCount(result.output) },
    };
    this.progressLog.push(progress);
    if (this.progressLog.length > RECENT_PROGRESS) this.progressLog.shift();
    this.emit((l) => l.onQueryProgress?.({ progress }));
  }

  /** Tells the sources that everything up to a batch's end offsets is durably committed. */
  private async commitSources(seq: OffsetSeq): Promise<void> {
    const sources = this.def.sources;
    for (let i = 0; i < sources.length; i++) {
      const end = seq.offsets[i];
      if (end !== null && end !== undefined) await sources[i]!.commit(end);
    }
  }

  private emit(fn: (l: QueryListener) => void): void {
    for (const l of this.def.listeners?.() ?? []) {
      try {
        fn(l);
      } catch (e) {
        log.warn('a streaming query listener threw', e);
      }
    }
  }
}

/** Spark's refusals for asyncProgressTrackingEnabled, with what to do instead. */
function checkAsyncProgressTracking<TData>(def: QueryDefinition<TData>): void {
  const interval = def.asyncProgressTracking!.checkpointIntervalMs;
  if (!Number.isSafeInteger(interval) || interval < 0) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `asyncProgressTrackingCheckpointIntervalMs ${describeValue(interval)} must be a whole number of ` +
        'milliseconds ≥ 0 (default 1000)',
    );
  }
  const kind = def.trigger.kind;
  if (kind === 'once' || kind === 'availableNow') {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `asyncProgressTrackingEnabled cannot be used with the ${kind} trigger: such a query ends after its batches ` +
        'and must leave them committed; use a processingTime trigger (or none), or turn asyncProgressTrackingEnabled off',
    );
  }
  if (def.plan.statefulOperators.length > 0) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `asyncProgressTrackingEnabled is not supported by stateful queries (here: ${def.plan.statefulOperators.join(', ')}): ` +
        'state is versioned per batch, and a batch re-run over a longer range would count rows twice; turn it off',
    );
  }
}

function parseOffset(o: string | null): unknown {
  if (o === null) return null;
  try {
    return JSON.parse(o);
  } catch {
    return o;
  }
}
