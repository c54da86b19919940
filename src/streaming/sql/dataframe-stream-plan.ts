import { EddyError } from '../../common/errors.js';
import { RecordBatch } from '../../dataframe/batch.js';
import { DataFrame } from '../../dataframe/dataframe.js';
import type { DataFrameEnv } from '../../dataframe/env.js';
import { FilterPlan, LimitPlan, LocalRelation, ProjectPlan, collectBatch, type Plan } from '../../dataframe/plan.js';
import { AggregatePlan, DeduplicatePlan, JoinPlan, SortPlan } from '../../dataframe/plan-wide.js';
import type { BatchContext, BatchResult, StreamPlan } from '../contracts.js';
import { checkOutputMode, type OutputMode, type QueryFacts } from './output-mode.js';
import { StatefulAggregate } from './stateful-aggregate.js';
import { StatefulDeduplicate } from './stateful-deduplicate.js';
import { StreamingRelation, isStreamingPlan, streamingLeaves, withBatchInputs } from './streaming-relation.js';
import { WatermarkPlan } from './watermark-plan.js';

/** Row counts of the DataFrames the engine moves (all materialized, so counting is free). */
const rowCounts = new WeakMap<DataFrame, number>();
/** The rows of the DataFrames sources returned, to run the plan over them in chunks. */
const sourceBatches = new WeakMap<DataFrame, RecordBatch>();

/**
 * Rows a micro-batch's plan processes at a time. The plan runs over a source batch in slices of this many rows
 * so that what each operator makes per row (split's arrays, explode's rows) dies young, in the garbage
 * collector's cheap nursery, instead of living as long as the whole batch; results are the same as over one
 * batch, since every operator below a stateful one maps batches independently.
 */
export const CHUNK_ROWS = 8192;

/** A DataFrame over one batch already in memory, remembering its row count for progress. */
export function materialized(batch: RecordBatch, env: DataFrameEnv): DataFrame {
  const df = DataFrame.fromBatches(batch.schema, batch.numRows === 0 ? [[]] : [[batch]], env);
  rowCounts.set(df, batch.numRows);
  sourceBatches.set(df, batch);
  return df;
}

/** A source's batch as a leaf of the plan: one partition yielding it in chunks of CHUNK_ROWS rows. */
function chunked(df: DataFrame): Plan {
  const batch = sourceBatches.get(df);
  if (batch === undefined || batch.numRows <= CHUNK_ROWS) return df.plan;
  const chunks: RecordBatch[] = [];
  for (let i = 0; i < batch.numRows; i += CHUNK_ROWS) {
    chunks.push(batch.slice(i, Math.min(i + CHUNK_ROWS, batch.numRows)));
  }
  return new LocalRelation(batch.schema, [chunks]);
}

/**
 * A streaming DataFrame's plan as the engine runs it: each micro-batch binds the sources' rows to the
 * streaming leaves and runs the plan; a groupBy().agg() on the stream becomes a StatefulAggregate whose
 * output replaces the aggregate for the operators above it. The plan is checked against the output mode when
 * built (at start()).
 */
export class DataFrameStreamPlan implements StreamPlan<DataFrame> {
  readonly leaves: StreamingRelation[];
  readonly statefulOperators: string[];
  readonly watermarkDelayMs?: number;
  private readonly watermark: WatermarkPlan | null;
  private readonly aggregate: StatefulAggregate | null;
  private readonly dedup: StatefulDeduplicate | null;
  /** Operators between the root and the aggregate, root first. */
  private readonly above: Plan[];

  constructor(
    readonly root: Plan,
    readonly outputMode: OutputMode,
    private readonly env: DataFrameEnv,
  ) {
    this.leaves = streamingLeaves(root);
    const facts: QueryFacts = {
      aggregations: 0,
      hasWatermark: false,
      eventTimeKey: false,
      sorts: 0,
      limits: 0,
      unsupported: [],
    };
    const aggs: AggregatePlan[] = [];
    const dedups: DeduplicatePlan[] = [];
    const stateful = (p: Plan) => p instanceof AggregatePlan || p instanceof DeduplicatePlan;
    const watermarks: WatermarkPlan[] = [];
    const above: Plan[] = [];
    const visit = (p: Plan, aboveAggregate: boolean): void => {
      if (!isStreamingPlan(p)) return;
      if (p instanceof AggregatePlan) {
        facts.aggregations++;
        aggs.push(p);
      } else if (p instanceof DeduplicatePlan && !p.isDistinct) dedups.push(p);
      else if (p instanceof WatermarkPlan) watermarks.push(p);
      else if (p instanceof SortPlan) facts.sorts++;
      else if (p instanceof LimitPlan) facts.limits++;
      else if (p instanceof JoinPlan) {
        const refusal = streamJoinRefusal(p);
        if (refusal) throw new EddyError('ANALYSIS_ERROR', refusal);
      } else if (!(
        p instanceof ProjectPlan ||
        p instanceof FilterPlan ||
        p instanceof StreamingRelation ||
        isPerBatch(p)
      )) {
        facts.unsupported.push(p.describe());
      }
      if (aboveAggregate && !stateful(p)) above.push(p);
      for (const c of p.children) visit(c, aboveAggregate && !stateful(p));
    };
    visit(root, true);
    if (watermarks.length > 1) {
      throw new EddyError(
        'UNSUPPORTED',
        'a streaming query may declare withWatermark() once; Eddy keeps one watermark',
      );
    }
    this.watermark = watermarks[0] ?? null;
    facts.hasWatermark = this.watermark !== null;
    let eventTimeKey: number | null = null;
    const agg = aggs[0];
    if (agg && this.watermark) {
      const wmName = this.watermark.columnName.toLowerCase();
      const k = agg.keys.findIndex(
        (b) =>
          (b.type.kind === 'struct' && b.type.fields.map((f) => f.name).join() === 'start,end') ||
          (b.type.kind === 'timestamp' && b.name.toLowerCase() === wmName),
      );
      if (k >= 0) eventTimeKey = k;
    }
    facts.eventTimeKey = eventTimeKey !== null;
    checkOutputMode(outputMode, facts);
    if (dedups.length > 1 || (dedups.length > 0 && aggs.length > 0)) {
      throw new EddyError(
        'UNSUPPORTED',
        'Eddy runs one stateful operator per streaming query: one dropDuplicates, or one groupBy().agg(), not both',
      );
    }
    const dedup = dedups[0];
    if (aggs.length === 0 && !dedup) above.length = 0;
    this.above = above;
    this.aggregate = agg ? new StatefulAggregate(agg, { outputMode, eventTimeKey, operatorId: 0 }) : null;
    let dedupTime: number | null = null;
    if (dedup && this.watermark) {
      const wmName = this.watermark.columnName.toLowerCase();
      const k = dedup.keyIndices.find((i) => dedup.child.schema.fields[i]!.name.toLowerCase() === wmName);
      if (k !== undefined) dedupTime = k;
    }
    this.dedup = dedup ? new StatefulDeduplicate(dedup, dedupTime, 0) : null;
    this.statefulOperators = agg ? ['stateStoreSave'] : dedup ? ['dedupe'] : [];
    if (this.watermark) this.watermarkDelayMs = this.watermark.delayMs;
  }

  rowCount(data: DataFrame): number {
    const n = rowCounts.get(data);
    if (n === undefined) throw new EddyError('INTERNAL', 'a streaming batch was not materialized before counting');
    return n;
  }

  async execute(inputs: DataFrame[], ctx: BatchContext): Promise<BatchResult<DataFrame>> {
    const bound = new Map<StreamingRelation, Plan>(this.leaves.map((l, i) => [l, chunked(inputs[i]!)]));
    return withBatchInputs(bound, async () => {
      const eventTime = this.watermark ? await eventTimeStats(this.watermark) : undefined;
      const operator = this.aggregate ?? this.dedup;
      if (!operator) {
        const out = await collectBatch(this.root);
        return { output: materialized(out, this.env), ...(eventTime ? { eventTime } : {}) };
      }
      const { batch, progress } = await operator.run(ctx);
      let top: Plan = new LocalRelation(batch.schema, [[batch]]);
      for (let i = this.above.length - 1; i >= 0; i--) top = rebuild(this.above[i]!, top);
      const out = await collectBatch(top);
      return {
        output: materialized(out, this.env),
        stateOperators: [progress],
        ...(eventTime ? { eventTime } : {}),
      };
    });
  }
}

/**
 * A plan node from a layer above (the ML transform node) that maps each batch on its own, so it runs on a
 * stream like a projection. Marked by a property because streaming may not import ml.
 */
function isPerBatch(p: Plan): boolean {
  return (p as { perBatch?: unknown }).perBatch === true;
}

/**
 * Spark's rules for joins on streams: a stream joined with a static DataFrame runs batch by batch (the static
 * side is read again for every batch), for the join types that never need rows of a later batch; joins of two
 * streams need state and watermarks on both sides, which Eddy does not keep. Returns the refusal, or null.
 */
function streamJoinRefusal(p: JoinPlan): string | null {
  const l = isStreamingPlan(p.left);
  const r = isStreamingPlan(p.right);
  if (l && r) {
    return 'Stream-stream joins are not supported in Eddy; join the stream with a static DataFrame instead';
  }
  switch (p.how) {
    case 'inner':
      return null;
    case 'left':
      return l
        ? null
        : 'Left outer join with a streaming DataFrame/Dataset on the right and a static DataFrame/Dataset on the left is not supported';
    case 'right':
      return r
        ? null
        : 'Right outer join with a streaming DataFrame/Dataset on the left and a static DataFrame/Dataset on the right is not supported';
    case 'left_semi':
    case 'left_anti':
      return l
        ? null
        : `Left ${p.how === 'left_semi' ? 'semi' : 'anti'} join with a streaming DataFrame/Dataset on the right is not supported`;
    case 'full':
      return 'Full outer joins with streaming DataFrames/Datasets are not supported';
    default:
      return `${p.how} joins with streaming DataFrames/Datasets are not supported`;
  }
}

/** The same operator over another child (only the operators allowed above a streaming aggregate). */
function rebuild(p: Plan, child: Plan): Plan {
  if (p instanceof ProjectPlan) return new ProjectPlan(child, p.exprs, p.generator);
  if (p instanceof FilterPlan) return new FilterPlan(child, p.predicate);
  if (p instanceof SortPlan) return new SortPlan(child, p.keys);
  if (p instanceof LimitPlan) return new LimitPlan(child, p.n);
  if (p instanceof WatermarkPlan) return new WatermarkPlan(child, p.columnIndex, p.delayMs);
  if (p instanceof JoinPlan) {
    const streamLeft = isStreamingPlan(p.left);
    const [left, right] = streamLeft ? [child, p.right] : [p.left, child];
    return new JoinPlan(left, right, p.how, p.leftKeys, p.rightKeys, p.residual, p.output);
  }
  throw new EddyError('INTERNAL', `cannot run ${p.describe()} above a streaming aggregation`);
}

async function eventTimeStats(w: WatermarkPlan): Promise<{ min: number; max: number; sum: number; count: number }> {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (const part of await w.child.partitions()) {
    for await (const b of part()) {
      const c = b.column(w.columnIndex);
      for (let i = 0; i < b.numRows; i++) {
        const t = c.get(i);
        if (t === null) continue;
        const ms = t as number;
        if (ms < min) min = ms;
        if (ms > max) max = ms;
        sum += ms;
        count++;
      }
    }
  }
  return { min, max, sum, count };
}
