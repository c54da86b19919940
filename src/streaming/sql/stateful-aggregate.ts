import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import { GroupIndex } from '../../dataframe/group-index.js';
import type { AggregatePlan } from '../../dataframe/plan-wide.js';
import type { BatchContext } from '../contracts.js';
import type { StateOperatorProgress } from '../progress.js';
import { StateStore, type StateCodec } from '../state/state-store.js';
import { aggregateBuffer, type AggregateBuffer } from './aggregate-state.js';
import { decodeValue, stateJson } from './state-values.js';

/** Batches whose state files are kept for recovery beyond the newest (Spark's minBatchesToRetain). */
const MIN_VERSIONS_TO_RETAIN = 100;

interface Group {
  readonly keys: readonly unknown[];
  readonly buffers: readonly unknown[];
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
 *
 * A batch is first aggregated on its own (GroupIndex ids, partial buffers column at a time), then each of its
 * groups is merged once into state: the per-row work never touches the state store or builds a state key.
 * State values stay live objects between batches (the store is reused while the query runs); they are encoded to
 * JSON only for the delta file of the keys a batch changed, in the same format as ever.
 */
export class StatefulAggregate {
  private readonly buffers: AggregateBuffer[];
  private store: StateStore<Group> | null = null;
  /**
   * The state keys by the time their group closes (closesAt), so that eviction visits only closed groups rather
   * than all of state. It describes `store`, and is rebuilt from the store whenever that was read from files.
   */
  private closing: Map<number, Set<string>> | null = null;
  constructor(
    readonly plan: AggregatePlan,
    private readonly options: StatefulAggregateOptions,
  ) {
    this.buffers = plan.aggs.map(aggregateBuffer);
  }

  /**
   * When a group closes: its window's end, or its event time; null without an event-time key or for a null. A
   * group is closed once that is at or below the watermark.
   */
  private closesAt(keys: readonly unknown[]): number | null {
    const k = this.options.eventTimeKey;
    if (k === null) return null;
    const v = keys[k];
    if (v === null || v === undefined) return null;
    return typeof v === 'object' ? ((v as { end?: unknown }).end as number) : (v as number);
  }

  async run(ctx: BatchContext): Promise<{ batch: RecordBatch; progress: StateOperatorProgress }> {
    const { plan, buffers } = this;
    const cp = ctx.checkpoint;
    const store = await StateStore.load(cp.fs, cp.stateDir(this.options.operatorId, 0), ctx.batchId, {
      codec: groupCodec,
      reuse: this.store,
    });
    this.store = null;
    const mode = this.options.outputMode;
    const evicts = mode !== 'complete' && this.options.eventTimeKey !== null;
    const wm = ctx.watermarkMs;
    let closing = store.continued ? this.closing : null;
    this.closing = null;
    if (evicts && closing === null) {
      closing = new Map();
      for (const [skey, g] of store.entries()) addClosing(closing, this.closesAt(g.keys), skey);
    }

    // 1. The batch on its own: group ids per row, partial buffers per group.
    const index = new GroupIndex(plan.keys.length);
    const partials = buffers.map((b) => b.partial());
    let rowsPerGroup = new Float64Array(evicts ? 1024 : 0);
    for (const part of await plan.child.partitions()) {
      for await (const b of part()) {
        if (b.numRows === 0) continue;
        const keyCols = plan.keys.map((k) => k.eval(b));
        const gids = index.assign(keyCols, b.numRows);
        const numGroups = index.size;
        for (let k = 0; k < buffers.length; k++) {
          const input = plan.aggs[k]!.input;
          partials[k]!.add(gids, input ? input.eval(b) : null, b.numRows, numGroups);
        }
        if (evicts) {
          if (rowsPerGroup.length < numGroups) {
            const next = new Float64Array(Math.max(numGroups, rowsPerGroup.length * 2));
            next.set(rowsPerGroup);
            rowsPerGroup = next;
          }
          for (let i = 0; i < b.numRows; i++) rowsPerGroup[gids[i]!]!++;
        }
      }
    }

    // 2. Merge each group of the batch into state once.
    const numGroups = index.size;
    const numKeys = plan.keys.length;
    const keyValues = plan.keys.map((_, j) => index.keyValues(j));
    // The JSON of each distinct key value, made once per batch: a window is shared by thousands of groups.
    const keyJson = plan.keys.map((_, j) => new Array<string | undefined>(index.distinctValues(j)));
    // When a group closes depends on its event-time key value only: found once per distinct value, as is the
    // set of keys closing then.
    const ek = this.options.eventTimeKey;
    const closeAt = new Array<number | null | undefined>(ek === null ? 0 : index.distinctValues(ek));
    const closeSet = new Array<Set<string> | undefined>(closeAt.length);
    const updated: Group[] = [];
    let dropped = 0;
    for (let g = 0; g < numGroups; g++) {
      const keys = keyValues.map((v) => v[g]);
      const tc = ek === null ? -1 : index.code(ek, g);
      let t: number | null = null;
      if (tc >= 0) {
        const known = closeAt[tc];
        t = known === undefined ? (closeAt[tc] = this.closesAt(keys)) : known;
      }
      if (evicts && t !== null && t <= wm) {
        dropped += rowsPerGroup[g]!;
        continue;
      }
      // The state key is stateJson(keys), assembled from the per-value JSON.
      let skey = '[';
      for (let j = 0; j < numKeys; j++) {
        const c = index.code(j, g);
        const cache = keyJson[j]!;
        let json = cache[c];
        if (json === undefined) cache[c] = json = stateJson(keys[j]);
        skey += j === 0 ? json : `,${json}`;
      }
      skey += ']';
      // Each group of the batch is merged once, before any eviction: the batch has not touched its key yet.
      const stored = store.getCommitted(skey);
      let merged: Group;
      if (stored) {
        const merges = new Array<unknown>(buffers.length);
        for (let k = 0; k < buffers.length; k++) {
          merges[k] = buffers[k]!.merge(stored.buffers[k], partials[k]!.buffer(g));
        }
        merged = { keys: stored.keys, buffers: merges };
      } else {
        const fresh = new Array<unknown>(buffers.length);
        for (let k = 0; k < buffers.length; k++) fresh[k] = partials[k]!.buffer(g);
        merged = { keys, buffers: fresh };
        if (closing && t !== null) {
          let set = closeSet[tc];
          if (set === undefined) {
            set = closing.get(t);
            if (set === undefined) closing.set(t, (set = new Set()));
            closeSet[tc] = set;
          }
          set.add(skey);
        }
      }
      store.put(skey, merged, stored !== undefined);
      updated.push(merged);
    }

    // 3. Evict what the watermark closed, commit, and emit.
    const closed: Group[] = [];
    if (closing) {
      for (const [t, skeys] of closing) {
        if (t > wm) continue;
        for (const skey of skeys) {
          const g = store.get(skey);
          if (g === undefined) continue;
          closed.push(g);
          store.remove(skey);
        }
        closing.delete(t);
      }
    }
    const numUpdated = updated.length;
    const version = await store.commit();
    this.store = store;
    this.closing = closing;
    if (version % 10 === 0 && version > MIN_VERSIONS_TO_RETAIN) await store.purge(version - MIN_VERSIONS_TO_RETAIN);
    const total = store.size;
    const out: Group[] =
      mode === 'complete' ? Array.from(store.entries(), ([, g]) => g) : mode === 'append' ? closed : updated;

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
        numRowsRemoved: closed.length,
        numRowsDroppedByWatermark: dropped,
        numShufflePartitions: 1,
        numStateStoreInstances: 1,
      },
    };
  }
}

function addClosing(closing: Map<number, Set<string>>, t: number | null, skey: string): void {
  if (t === null) return;
  let keys = closing.get(t);
  if (keys === undefined) closing.set(t, (keys = new Set()));
  keys.add(skey);
}

/**
 * State values are live groups in memory, `{"k": keys, "b": buffers}` (encodeValue'd) in state files. The state
 * key is the JSON of the keys already, so "k" is written as the key itself.
 */
const groupCodec: StateCodec<Group> = {
  toJson: (g, key) => `{"k":${key},"b":${stateJson(g.buffers)}}`,
  fromJson(v) {
    const o = v as { k: unknown; b: unknown };
    return { keys: decodeValue(o.k) as unknown[], buffers: decodeValue(o.b) as unknown[] };
  },
};
