import { RecordBatch } from '../../dataframe/batch.js';
import type { DeduplicatePlan } from '../../dataframe/plan-wide.js';
import { collectBatch } from '../../dataframe/plan.js';
import type { BatchContext } from '../contracts.js';
import type { StateOperatorProgress } from '../progress.js';
import { StateStore } from '../state/state-store.js';
import { encodeValue } from './state-values.js';

/** Batches whose state files are kept for recovery beyond the newest (Spark's minBatchesToRetain). */
const MIN_VERSIONS_TO_RETAIN = 100;

/**
 * A streaming dropDuplicates (Spark's StreamingDeduplicateExec): the keys seen so far live in the state store, so a
 * row whose key was seen in any earlier batch is dropped. When the watermarked event-time column is one of the
 * keys, rows behind the watermark are dropped as late and keys behind it are evicted, so state stays bounded;
 * without it every key is kept forever, as in Spark.
 */
export class StatefulDeduplicate {
  /** The store the last batch committed, continued by the next batch without reading files. */
  private store: StateStore | null = null;
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
      const key = JSON.stringify(keyCols.map((c) => encodeValue(c.get(i))));
      if (store.has(key)) continue;
      store.put(key, t ?? 0);
      keep.push(i);
    }
    let removed = 0;
    if (time !== null && wm > 0) {
      for (const [key, t] of [...store.entries()]) {
        if ((t as number) <= wm) {
          store.remove(key);
          removed++;
        }
      }
    }
    const updated = store.numUpdated - removed;
    const version = await store.commit();
    this.store = store;
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
