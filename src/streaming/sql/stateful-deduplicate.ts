import { RecordBatch } from '../../dataframe/batch.js';
import type { DeduplicatePlan } from '../../dataframe/plan-wide.js';
import { collectBatch } from '../../dataframe/plan.js';
import type { BatchContext } from '../contracts.js';
import type { StateOperatorProgress } from '../progress.js';
import { StateStore } from '../state/state-store.js';
import { stateJson } from './state-values.js';

/** Batches whose state files are kept for recovery beyond the newest (Spark's minBatchesToRetain). */
const MIN_VERSIONS_TO_RETAIN = 100;

/** Event times are indexed for eviction in buckets this wide. */
const BUCKET_MS = 1000;

/** The state keys of one bucket of event times, with each key's time. */
interface Bucket {
  keys: string[];
  times: number[];
}

/**
 * A streaming dropDuplicates (Spark's StreamingDeduplicateExec): the keys seen so far live in the state store, so a
 * row whose key was seen in any earlier batch is dropped. When the watermarked event-time column is one of the
 * keys, rows behind the watermark are dropped as late and keys behind it are evicted, so state stays bounded;
 * without it every key is kept forever, as in Spark.
 *
 * Keys are indexed by their event time in one-second buckets between batches, so eviction visits the buckets the
 * watermark passed (and the one it is in), not all of state.
 */
export class StatefulDeduplicate {
  /** The store the last batch committed, continued by the next batch without reading files. */
  private store: StateStore | null = null;
  /** The state keys by bucket of event time; describes `store`, rebuilt whenever the store was read from files. */
  private buckets: Map<number, Bucket> | null = null;
  constructor(
    readonly plan: DeduplicatePlan,
    /** Position of the watermarked event-time column in the row, when it is one of the keys. */
    private readonly eventTimeIndex: number | null,
    private readonly operatorId: number,
  ) {}

  async run(ctx: BatchContext): Promise<{ batch: RecordBatch; progress: StateOperatorProgress }> {
    const cp = ctx.checkpoint;
    const store = await StateStore.load(cp.fs, cp.stateDir(this.operatorId, 0), ctx.batchId, { reuse: this.store });
    this.store = null;
    let buckets = store.continued ? this.buckets : null;
    this.buckets = null;
    if (this.eventTimeIndex !== null && buckets === null) {
      buckets = new Map();
      for (const [key, t] of store.entries()) index(buckets, key, t as number);
    }
    const input = await collectBatch(this.plan.child);
    const keyCols = this.plan.keyIndices.map((i) => input.column(i));
    const time = this.eventTimeIndex === null ? null : input.column(this.eventTimeIndex);
    const wm = ctx.watermarkMs;
    const keep: number[] = [];
    let dropped = 0;
    for (let i = 0; i < input.numRows; i++) {
      const t = time === null ? null : (time.get(i) as number | null);
      if (t !== null && t <= wm && wm > 0) {
        dropped++;
        continue;
      }
      // The state key is the JSON of the key values, stateJson([...]), written out without the array.
      let key = '[';
      for (let j = 0; j < keyCols.length; j++) key += (j === 0 ? '' : ',') + stateJson(keyCols[j]!.get(i));
      key += ']';
      if (!store.putIfAbsent(key, t ?? 0)) continue;
      if (buckets !== null && t !== null) index(buckets, key, t);
      keep.push(i);
    }
    let removed = 0;
    if (buckets !== null && wm > 0) {
      for (const [b, bucket] of buckets) {
        if (b * BUCKET_MS > wm) continue;
        // The bucket the watermark is in keeps its later keys.
        const later: Bucket = { keys: [], times: [] };
        for (let k = 0; k < bucket.keys.length; k++) {
          if (bucket.times[k]! <= wm) {
            store.remove(bucket.keys[k]!);
            removed++;
          } else {
            later.keys.push(bucket.keys[k]!);
            later.times.push(bucket.times[k]!);
          }
        }
        if (later.keys.length === 0) buckets.delete(b);
        else buckets.set(b, later);
      }
    }
    const updated = store.numUpdated - removed;
    const version = await store.commit();
    this.store = store;
    this.buckets = buckets;
    if (version % 10 === 0 && version > MIN_VERSIONS_TO_RETAIN) await store.purge(version - MIN_VERSIONS_TO_RETAIN);
    const batch = input.gather(Int32Array.from(keep), keep.length);
    return {
      batch,
      progress: {
        operatorName: 'dedupe',
        numRowsTotal: store.size,
        numRowsUpdated: updated,
        numRowsRemoved: removed,
        numRowsDroppedByWatermark: dropped,
        numShufflePartitions: 1,
        numStateStoreInstances: 1,
      },
    };
  }
}

function index(buckets: Map<number, Bucket>, key: string, t: number): void {
  const b = Math.floor(t / BUCKET_MS);
  let bucket = buckets.get(b);
  if (bucket === undefined) buckets.set(b, (bucket = { keys: [], times: [] }));
  bucket.keys.push(key);
  bucket.times.push(t);
}
