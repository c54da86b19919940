import type { RecordBatch } from '../../dataframe/batch.js';
import { DataFrame } from '../../dataframe/dataframe.js';
import { Plan, type Partition } from '../../dataframe/plan.js';
import type { StructType } from '../../dataframe/types.js';

/**
 * A narrow plan node for ML transformers: each batch of the child goes through `fn`, which returns the batch
 * with the stage's columns appended (or some rows dropped, for handleInvalid = "skip"). Streams batch by batch
 * like a projection, and keeps the schema it is given — including ML column metadata (StringIndexer labels)
 * that a SQL projection would not carry.
 */
export class TransformPlan extends Plan {
  /** Tells the streaming planner (which may not import ml) that this node is stateless, one batch at a time. */
  readonly perBatch = true;
  readonly children: readonly Plan[];
  constructor(
    readonly child: Plan,
    readonly schema: StructType,
    private readonly fn: (batch: RecordBatch) => RecordBatch,
    private readonly label: string,
  ) {
    super();
    this.children = [child];
  }

  async partitions(): Promise<Partition[]> {
    const parts = await this.child.partitions();
    const fn = this.fn;
    return parts.map(
      (p) =>
        async function* () {
          for await (const b of p()) {
            const out = fn(b);
            if (out.numRows > 0 || b.numRows === 0) yield out;
          }
        },
    );
  }

  describe(): string {
    return this.label;
  }
}

/** The DataFrame `dataset` transformed batch by batch into `schema`. */
export function mapBatches(
  dataset: DataFrame,
  schema: StructType,
  fn: (batch: RecordBatch) => RecordBatch,
  label: string,
): DataFrame {
  return new DataFrame(new TransformPlan(dataset.plan, schema, fn, label), dataset.env);
}
