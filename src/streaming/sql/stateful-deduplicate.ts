import type { RecordBatch } from '../../dataframe/batch.js';
import type { DeduplicatePlan } from '../../dataframe/plan-wide.js';
import { collectBatch } from '../../dataframe/plan.js';
import type { BatchContext } from '../contracts.js';
import type { StateOperatorProgress } from '../progress.js';
import { StateLines } from '../state/state-log.js';
import { GroupSegments, SegmentStore, type Segment } from './group-segments.js';
import { stateJson } from './state-values.js';

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** A key's state value: the key is all there is to remember. */
const NO_BUFFERS: readonly unknown[] = [];

/**
 * A streaming dropDuplicates (Spark's StreamingDeduplicateExec): the keys seen so far are kept in state, so a row
 * whose key was seen in any earlier batch is dropped. When the watermarked event-time column is one of the keys,
 * rows behind the watermark are dropped as late and keys behind it are evicted, so state stays bounded; without
 * it every key is kept forever, as in Spark.
 *
 * State is laid out as the aggregation's is (GroupSegments): the keys sharing an event time form a segment, looked
 * up by the time and then by the other key values (the value itself for one primitive column), and a time the
 * watermark passed leaves state as one unit. State files hold a line per key, `stateJson(keys)` and `[]`.
 */
export class StatefulDeduplicate {
  private readonly store: SegmentStore;
  /** Index of the event-time column among the keys, or null. */
  private readonly eventKey: number | null;

  constructor(
    readonly plan: DeduplicatePlan,
    /** Position of the watermarked event-time column in the row, when it is one of the keys. */
    eventTimeIndex: number | null,
    operatorId: number,
  ) {
    const k = eventTimeIndex === null ? -1 : plan.keyIndices.indexOf(eventTimeIndex);
    const eventKey = (this.eventKey = k < 0 ? null : k);
    this.store = new SegmentStore(operatorId, (entries) =>
      GroupSegments.fromLog(entries, plan.keyIndices.length, eventKey, 0, eventTime),
    );
  }

  async run(ctx: BatchContext): Promise<{ batch: RecordBatch; progress: StateOperatorProgress }> {
    const { state, log } = await this.store.load(ctx);
    const ek = this.eventKey;
    const input = await collectBatch(this.plan.child);
    const keyCols = this.plan.keyIndices.map((i) => input.column(i));
    const memberCols = keyCols.filter((_, j) => j !== ek);
    const time = ek === null ? null : keyCols[ek]!;
    const wm = ctx.watermarkMs;
    const allInOne = ek === null ? state.segment(null, '') : null;
    const delta = new StateLines();
    const members = new Array<unknown>(memberCols.length);
    const keep: number[] = [];
    let dropped = 0;
    let lastTime: number | null | undefined = undefined;
    let lastSegment: Segment | null = allInOne;
    for (let i = 0; i < input.numRows; i++) {
      let seg = allInOne;
      if (time !== null) {
        const t = time.get(i) as number | null;
        if (t !== null && t <= wm && wm > 0) {
          dropped++;
          continue;
        }
        // Rows come in runs of one time: the segment of the last row's time is tried first.
        if (t !== lastTime) {
          lastTime = t;
          lastSegment = state.segment(t, stateJson(t));
        }
        seg = lastSegment;
      }
      for (let m = 0; m < memberCols.length; m++) members[m] = memberCols[m]!.get(i);
      const memberKey = GroupSegments.memberKey(members);
      if (seg!.slots.has(memberKey)) continue;
      const slot = state.add(seg!, memberKey, members, NO_BUFFERS);
      keep.push(i);
      delta.newline();
      state.writeKey(delta, seg!, slot);
      delta.tab().byte(OPEN_BRACKET).byte(CLOSE_BRACKET);
    }
    // Evict the times the watermark passed (never a key this batch added: those are after it).
    const closed = ek !== null && wm > 0 ? state.evictClosed(wm, delta) : [];
    await this.store.commit(ctx, state, log, delta);
    const batch = input.gather(Int32Array.from(keep), keep.length);
    return {
      batch,
      progress: {
        operatorName: 'dedupe',
        numRowsTotal: state.size,
        numRowsUpdated: keep.length,
        numRowsRemoved: closed.reduce((n, seg) => n + seg.size, 0),
        numRowsDroppedByWatermark: dropped,
        numShufflePartitions: 1,
        numStateStoreInstances: 1,
      },
    };
  }
}

/** When a key closes: its event time (a number of milliseconds), never for a null. */
function eventTime(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}
