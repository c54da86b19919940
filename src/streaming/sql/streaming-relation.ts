import { AsyncLocalStorage } from 'node:async_hooks';
import { EddyError } from '../../common/errors.js';
import { Plan, type Partition } from '../../dataframe/plan.js';
import type { StructType } from '../../dataframe/types.js';
import type { PluginOptions, SourceContext, SourceProvider } from '../../plugins/types.js';

/**
 * The leaf of a streaming DataFrame's plan (Spark's StreamingRelation): which source, with which options. It
 * has no rows of its own. While a micro-batch runs, the batch's rows are bound to it through `withBatchInputs`
 * (async-context local, so two queries started from one DataFrame never see each other's rows) and the rest of
 * the plan runs unchanged over them.
 */
export class StreamingRelation extends Plan {
  readonly children = [];
  constructor(
    readonly schema: StructType,
    readonly provider: SourceProvider,
    readonly options: PluginOptions,
    readonly context: SourceContext,
  ) {
    super();
  }

  partitions(): Promise<Partition[]> {
    const bound = batchInputs.getStore()?.get(this);
    if (!bound) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `Queries with streaming sources must be executed with writeStream.start(); ${this.describe()} has no rows ` +
          `outside a streaming query`,
      );
    }
    return bound.partitions();
  }

  describe(): string {
    return `StreamingRelation ${this.provider.shortName} [${this.schema.fieldNames.join(', ')}]`;
  }
}

const batchInputs = new AsyncLocalStorage<Map<StreamingRelation, Plan>>();

/** Runs fn with each streaming leaf reading the given batch's rows. */
export function withBatchInputs<T>(inputs: Map<StreamingRelation, Plan>, fn: () => Promise<T>): Promise<T> {
  return batchInputs.run(inputs, fn);
}

/** True when the plan reads a stream somewhere below. */
export function isStreamingPlan(plan: Plan): boolean {
  return plan instanceof StreamingRelation || plan.children.some(isStreamingPlan);
}

/** The streaming leaves of a plan, in plan order (the query's source order). */
export function streamingLeaves(plan: Plan, out: StreamingRelation[] = []): StreamingRelation[] {
  if (plan instanceof StreamingRelation) out.push(plan);
  for (const c of plan.children) streamingLeaves(c, out);
  return out;
}
