import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import { GroupIndex } from '../../dataframe/group-index.js';
import type { AggregatePlan } from '../../dataframe/plan-wide.js';
import type { BatchContext } from '../contracts.js';
import type { StateOperatorProgress } from '../progress.js';
import { StateLines } from '../state/state-log.js';
import { aggregateBuffer, type AggregateBuffer, type PartialBuffers } from './aggregate-state.js';
import { GroupSegments, SegmentStore, type Segment } from './group-segments.js';
import { stateJson } from './state-values.js';

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

export interface StatefulAggregateOptions {
  outputMode: string;
  /** Index of the grouping key that is event time (a window or the watermarked column), when the query has a watermark. */
  eventTimeKey: number | null;
  operatorId: number;
}

/**
 * A streaming groupBy().agg() (Spark's StateStoreRestore/Save pair): folds a batch's rows into per-group buffers
 * restored from state, commits the new state version, and emits what the output mode asks for — every group
 * (complete), the groups this batch changed (update), or the groups the watermark has closed (append). With an
 * event-time key, rows of groups already behind the watermark are dropped as late, and closed groups are evicted
 * from state (append, update; complete mode keeps every group, as Spark's does).
 *
 * A batch is first aggregated on its own (GroupIndex ids, partial buffers column at a time), then each of its
 * groups is merged once into state: the per-row work never touches state or builds a state key. State lives in
 * memory between batches as GroupSegments (groups by window, their keys and buffers in columns), written to the
 * state files (a StateLog) only as the lines of the groups a batch changed or evicted.
 */
export class StatefulAggregate {
  private readonly buffers: AggregateBuffer[];
  private readonly store: SegmentStore;
  constructor(
    readonly plan: AggregatePlan,
    private readonly options: StatefulAggregateOptions,
  ) {
    this.buffers = plan.aggs.map(aggregateBuffer);
    this.store = new SegmentStore(options.operatorId, (entries) =>
      GroupSegments.fromLog(entries, plan.keys.length, options.eventTimeKey, plan.aggs.length, this.closesAt),
    );
  }

  /**
   * When a group closes, given its event-time key value: a window's end, or the event time itself; null for a
   * null. A group is closed once that is at or below the watermark.
   */
  private readonly closesAt = (v: unknown): number | null => {
    if (v === null || v === undefined) return null;
    return typeof v === 'object' ? ((v as { end?: unknown }).end as number) : (v as number);
  };

  async run(ctx: BatchContext): Promise<{ batch: RecordBatch; progress: StateOperatorProgress }> {
    const { plan, buffers } = this;
    const { state, log } = await this.store.load(ctx);
    const mode = this.options.outputMode;
    const ek = this.options.eventTimeKey;
    const evicts = mode !== 'complete' && ek !== null;
    const wm = ctx.watermarkMs;

    // 1. The batch on its own: group ids per row, partial buffers per group.
    const { index, partials, rowsPerGroup } = await this.aggregateBatch(evicts);

    // 2. Merge each group of the batch into state once. Work on one key value (its JSON, its segment, its member
    //    key) is done once per distinct value of the batch (GroupIndex codes), not once per group.
    const numGroups = index.size;
    const numKeys = plan.keys.length;
    const numAggs = buffers.length;
    const keyValues = plan.keys.map((_, j) => index.keyValues(j));
    const keyJson = plan.keys.map((_, j) => new Array<string | undefined>(index.distinctValues(j)));
    const memberCols = plan.keys.map((_, j) => j).filter((j) => j !== ek);
    const oneMember = memberCols.length === 1 ? memberCols[0]! : -1;
    const memberKeyOf = new Array<unknown>(oneMember < 0 ? 0 : index.distinctValues(oneMember));
    // Per distinct event-time value: its segment, or null when its groups are already closed (late rows).
    const segmentOf = new Array<Segment | null | undefined>(ek === null ? 0 : index.distinctValues(ek));
    const allInOne = ek === null ? state.segment(null, '') : null;
    const json = (j: number, g: number): string => {
      const c = index.code(j, g);
      const cache = keyJson[j]!;
      let text = cache[c];
      if (text === undefined) cache[c] = text = stateJson(keyValues[j]![g]);
      return text;
    };
    // The UTF-8 of each distinct key value's JSON, copied into the state line of every group that has it.
    const keyBytes = plan.keys.map((_, j) => new Array<Buffer | undefined>(index.distinctValues(j)));
    const bytes = (j: number, g: number): Buffer => {
      const c = index.code(j, g);
      const cache = keyBytes[j]!;
      let b = cache[c];
      if (b === undefined) cache[c] = b = Buffer.from(json(j, g), 'utf8');
      return b;
    };
    const delta = new StateLines();
    const changedSegs: Segment[] = [];
    const changedSlots: number[] = [];
    const members = new Array<unknown>(memberCols.length);
    const fresh = new Array<unknown>(numAggs);
    let dropped = 0;
    for (let g = 0; g < numGroups; g++) {
      let seg: Segment | null | undefined = allInOne;
      if (seg === null) {
        const tc = index.code(ek!, g);
        seg = segmentOf[tc];
        if (seg === undefined) {
          const t = this.closesAt(keyValues[ek!]![g]);
          seg = segmentOf[tc] =
            evicts && t !== null && t <= wm ? null : state.segment(keyValues[ek!]![g], json(ek!, g));
        }
        if (seg === null) {
          dropped += rowsPerGroup[g]!;
          continue;
        }
      }
      let memberKey: unknown;
      if (oneMember >= 0) {
        const c = index.code(oneMember, g);
        memberKey = memberKeyOf[c];
        if (memberKey === undefined) {
          const v = keyValues[oneMember]![g];
          memberKey = memberKeyOf[c] = v === null || typeof v !== 'object' ? v : json(oneMember, g);
        }
      } else if (memberCols.length === 0) {
        memberKey = '';
      } else {
        memberKey = '[';
        for (let m = 0; m < memberCols.length; m++) memberKey += (m === 0 ? '' : ',') + json(memberCols[m]!, g);
        memberKey += ']';
      }
      let slot = seg.slots.get(memberKey);
      if (slot === undefined) {
        for (let m = 0; m < memberCols.length; m++) members[m] = keyValues[memberCols[m]!]![g];
        for (let k = 0; k < numAggs; k++) fresh[k] = partials[k]!.buffer(g);
        slot = state.add(seg, memberKey, members, fresh);
      } else {
        for (let k = 0; k < numAggs; k++) {
          const col = seg.buffers[k]!;
          col[slot] = buffers[k]!.merge(col[slot], partials[k]!.buffer(g));
        }
      }
      changedSegs.push(seg);
      changedSlots.push(slot);
      // The state key is stateJson(keys), assembled from the per-value JSON.
      delta.newline().byte(OPEN_BRACKET);
      for (let j = 0; j < numKeys; j++) {
        if (j > 0) delta.byte(COMMA);
        delta.raw(j === ek ? seg.eventBytes : bytes(j, g));
      }
      delta.byte(CLOSE_BRACKET).tab();
      state.writeValue(delta, seg, slot);
    }

    // 3. Evict what the watermark closed (never a group this batch merged: those are after the watermark), commit,
    //    and emit.
    const closed = evicts ? state.evictClosed(wm, delta) : [];
    await this.store.commit(ctx, state, log, delta);

    const batch =
      mode === 'update'
        ? this.emit(changedSegs, changedSlots)
        : this.emit(...slotsOf(mode === 'append' ? closed : state.segments.values()));
    return {
      batch,
      progress: {
        operatorName: 'stateStoreSave',
        numRowsTotal: state.size,
        numRowsUpdated: changedSegs.length,
        numRowsRemoved: closed.reduce((n, seg) => n + seg.size, 0),
        numRowsDroppedByWatermark: dropped,
        numShufflePartitions: 1,
        numStateStoreInstances: 1,
      },
    };
  }

  /** Group ids of the batch's rows, each group's partial buffers, and (when rows may be late) rows per group. */
  private async aggregateBatch(
    countRows: boolean,
  ): Promise<{ index: GroupIndex; partials: PartialBuffers[]; rowsPerGroup: Float64Array }> {
    const { plan, buffers } = this;
    const index = new GroupIndex(plan.keys.length);
    const partials = buffers.map((b) => b.partial());
    let rowsPerGroup = new Float64Array(countRows ? 1024 : 0);
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
        if (countRows) {
          if (rowsPerGroup.length < numGroups) {
            const next = new Float64Array(Math.max(numGroups, rowsPerGroup.length * 2));
            next.set(rowsPerGroup);
            rowsPerGroup = next;
          }
          for (let i = 0; i < b.numRows; i++) rowsPerGroup[gids[i]!]!++;
        }
      }
    }
    return { index, partials, rowsPerGroup };
  }

  /** The output rows of the given groups (segment and slot pairs): key values, then the aggregates' results. */
  private emit(segs: readonly Segment[], slots: readonly number[]): RecordBatch {
    const { plan, buffers } = this;
    const ek = this.options.eventTimeKey;
    const n = segs.length;
    const keyColumns = plan.keys.map((k, j) => {
      const values = new Array<unknown>(n);
      // Member columns are the keys other than the event-time one, in key order.
      const m = ek === null || j < ek ? j : j - 1;
      for (let i = 0; i < n; i++) values[i] = j === ek ? segs[i]!.eventValue : segs[i]!.members[m]![slots[i]!];
      return ColumnVector.fromValues(k.type, values);
    });
    const aggColumns = plan.aggs.map((a, k) => {
      const values = new Array<unknown>(n);
      for (let i = 0; i < n; i++) values[i] = buffers[k]!.result(segs[i]!.buffers[k]![slots[i]!]);
      return ColumnVector.fromValues(a.type, values);
    });
    const inter = new RecordBatch(plan.intermediate, [...keyColumns, ...aggColumns], n);
    return new RecordBatch(
      plan.schema,
      plan.results.map((r) => r.eval(inter)),
      n,
    );
  }
}

/** Every group of the segments, as segment and slot pairs. */
function slotsOf(segments: Iterable<Segment>): [Segment[], number[]] {
  const segs: Segment[] = [];
  const slots: number[] = [];
  for (const seg of segments) {
    for (let s = 0; s < seg.size; s++) {
      segs.push(seg);
      slots.push(s);
    }
  }
  return [segs, slots];
}
