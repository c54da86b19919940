import type { FileSystem } from '../storage/filesystem.js';
import type { Checkpoint } from './checkpoint/checkpoint.js';
import type { StateOperatorProgress } from './progress.js';

/**
 * The contracts the micro-batch engine runs on. The engine never looks inside the data it moves (TData: a
 * DataFrame in Eddy's streaming queries); it needs only to count rows for progress.
 */

export interface SourceContext {
  /** A folder of the query's checkpoint that belongs to this source alone (checkpoint/sources/<index>). */
  fs: FileSystem;
  metadataDir: string;
}

/**
 * A streaming source. Offsets are serialized JSON strings so they can be written to the offsets log as they are.
 * The same (start, end) range must always return the same rows: a batch re-run after a crash reads it again.
 */
export interface StreamSource<TData> {
  readonly description: string;
  /** Called once before the first batch, e.g. to pin "latest" starting offsets in metadataDir. */
  initialize?(ctx: SourceContext): Promise<void>;
  /**
   * The end offset of the next batch given where the previous one ended (null: nothing read yet), honouring the
   * source's own limits (maxOffsetsPerTrigger); null when the source has no data at all yet.
   */
  latestOffset(start: string | null): Promise<string | null>;
  /** Fixes the end for an availableNow trigger: latestOffset never goes past what was available at this call. */
  prepareForTriggerAvailableNow?(): Promise<void>;
  /**
   * The rows after `start` up to and including `end`; start null means from the source's starting position.
   * An empty range (end equal to start, or end null: the source has had no data) returns no rows.
   */
  getBatch(start: string | null, end: string | null): Promise<TData>;
  /**
   * Optional: resolves once rows after `start` may have arrived, or after about `maxWaitMs` (a Kafka fetch's long
   * poll), so that an idle as-fast-as-possible query starts its next batch when data comes instead of polling
   * every 10 ms. It only saves time: resolving early or failing is harmless (the engine asks latestOffset).
   */
  awaitData?(start: string | null, maxWaitMs: number): Promise<void>;
  /** Everything up to `end` is processed and committed; the source may forget it. */
  commit(end: string): Promise<void>;
  stop(): Promise<void>;
}

export interface StreamSink<TData> {
  readonly description: string;
  /** Writes one batch. Called again with a batch id it has already written, it must add nothing. */
  addBatch(batchId: number, data: TData): Promise<void>;
  stop?(): Promise<void>;
}

export interface BatchContext {
  batchId: number;
  /** The event-time watermark in force for this batch (ms; 0 before any event time was seen). */
  watermarkMs: number;
  batchTimestampMs: number;
  checkpoint: Checkpoint;
  /** True when the batch runs only because the watermark moved (no source has new rows). */
  noDataBatch: boolean;
}

export interface BatchResult<TData> {
  output: TData;
  /** Event times seen in this batch's input (ms), for the watermark and the progress's eventTime. */
  eventTime?: { min: number; max: number; sum: number; count: number };
  stateOperators?: StateOperatorProgress[];
}

/** What runs between the sources and the sink: a query's operators, stateful ones included. */
export interface StreamPlan<TData> {
  execute(inputs: TData[], ctx: BatchContext): Promise<BatchResult<TData>>;
  /** Names of stateful operators in plan order; part of the checkpoint's compatibility check. */
  readonly statefulOperators: string[];
  /** The withWatermark delay, when the query declares one. */
  readonly watermarkDelayMs?: number;
  rowCount(data: TData): number;
}
