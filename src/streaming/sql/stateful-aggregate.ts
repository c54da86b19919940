import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import type { AggregatePlan } from '../../dataframe/plan-wide.js';
import type { BatchContext } from '../contracts.js';
import type { StateOperatorProgress } from '../progress.js';
import { StateStore } from '../state/state-store.js';
import { aggregateBuffer, type AggregateBuffer } from './aggregate-state.js';
import { decodeValue, encodeValue } from './state-values.js';

/** Batches whose state files are kept for recovery beyond the newest (Spark's minBatchesToRetain). */
const MIN_VERSIONS_TO_RETAIN = 100;

interface Group {
  keys: unknown[];
  buffers: unknown[];
}

export interface StatefulAggregateOptions {
  outputMode: string;
  /** Index of the grouping key that is event time (a window or the watermarked column), when the query has a watermark. */
  eventTimeKey: number | null;
  operatorId: number;
}

/**
 * A streaming groupBy().agg() (Spark's StateStoreRestore/Save pair): folds a batch's rows into per-group buffers
 * restored from the state store, commits the new version, and emits what the output mode asks for — every group
 * (complete), the groups this batch changed (update), or the groups the watermark has closed (append). With an
 * event-time key, rows of groups already behind the watermark are dropped as late, and closed groups are evicted
 * from state (append, update; complete mode keeps every group, as Spark's does).
 */
export class StatefulAggregate {
  private readonly buffers: AggregateBuffer[];
  constructor(
    readonly plan: AggregatePlan,
    private readonly options: StatefulAggregateOptions,
  ) {
    this.buffers = plan.aggs.map(aggregateBuffer);
  }

  /** The event-time predicate of a key value: a window is closed once its end is at or below the watermark. */
  private expired(keys: unknown[], watermarkMs: number): boolean {
    const k = this.options.eventTimeKey;
    if (k === null) return false;
    const v = keys[k];
    if (v === null || v === undefined) return false;
    const t = typeof v === 'object' ? ((v as { end?: unknown }).end as number) : (v as number);
    return t <= watermarkMs;
  }

  async run(ctx: BatchContext): Promise<{ batch: RecordBatch; progress: StateOperatorProgress }> {
    const { plan, buffers } = this;
    const cp = ctx.checkpoint;
    const store = await StateStore.load(cp.fs, cp.stateDir(this.options.operatorId, 0), ctx.batchId);
    const mode = this.options.outputMode;
    const evicts = mode !== 'complete' && this.options.eventTimeKey !== null;
    const wm = ctx.watermarkMs;
    const updated = new Map<string, Group>();
    let dropped = 0;
    for (const part of await plan.child.partitions()) {
      for await (const b of part()) {
        const keyCols = plan.keys.map((k) => k.eval(b));
        const inputs = plan.aggs.map((a) => (a.input ? a.input.eval(b) : null));
        for (let i = 0; i < b.numRows; i++) {
          const keys = keyCols.map((c) => c.get(i));
          if (evicts && this.expired(keys, wm)) {
            dropped++;
            continue;
          }
          const skey = JSON.stringify(encodeValue(keys));
          let g = updated.get(skey);
          if (!g) {
            const stored = store.get(skey) as { b: unknown[] } | undefined;
            g = { keys, buffers: stored ? (decodeValue(stored.b) as unknown[]) : buffers.map((x) => x.init()) };
            updated.set(skey, g);
          }
          for (let k = 0; k < buffers.length; k++) {
            const col = inputs[k];
            g.buffers[k] = buffers[k]!.add(g.buffers[k], col ? col.get(i) : 1);
          }
        }
      }
    }
    for (const [skey, g] of updated) store.put(skey, { k: encodeValue(g.keys), b: encodeValue(g.buffers) });

    let out: Group[];
    let removed = 0;
    if (mode === 'complete') {
      out = [...store.entries()].map(([, v]) => decodeGroup(v));
    } else {
      const closed: Group[] = [];
      if (evicts) {
        for (const [skey, v] of [...store.entries()]) {
          const g = updated.get(skey) ?? decodeGroup(v);
          if (this.expired(g.keys, wm)) {
            closed.push(g);
            store.remove(skey);
            removed++;
          }
        }
      }
      out = mode === 'append' ? closed : [...updated.values()];
    }
    const numUpdated = updated.size;
    const total = store.size;
    const version = await store.commit();
    if (version % 10 === 0 && version > MIN_VERSIONS_TO_RETAIN) await store.purge(version - MIN_VERSIONS_TO_RETAIN);

    const cols = [
      ...plan.keys.map((k, j) =>
        ColumnVector.fromValues(
          k.type,
          out.map((g) => g.keys[j]),
        ),
      ),
      ...plan.aggs.map((_, k) =>
        ColumnVector.fromValues(
          plan.aggs[k]!.type,
          out.map((g) => buffers[k]!.result(g.buffers[k])),
        ),
      ),
    ];
    const inter = new RecordBatch(plan.intermediate, cols, out.length);
    const batch = new RecordBatch(
      plan.schema,
      plan.results.map((r) => r.eval(inter)),
      out.length,
    );
    return {
      batch,
      progress: {
        operatorName: 'stateStoreSave',
        numRowsTotal: total,
        numRowsUpdated: numUpdated,
        numRowsRemoved: removed,
        numRowsDroppedByWatermark: dropped,
        numShufflePartitions: 1,
        numStateStoreInstances: 1,
      },
    };
  }
}

function decodeGroup(v: unknown): Group {
  const o = v as { k: unknown; b: unknown };
  return { keys: decodeValue(o.k) as unknown[], buffers: decodeValue(o.b) as unknown[] };
}
