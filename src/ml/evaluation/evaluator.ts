import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import { Params } from '../param/params.js';
import type { RecordBatch } from '../../dataframe/batch.js';
import { inputField, type KindSet } from '../pipeline/schema-utils.js';

/** Spark's Evaluator: a metric of a transformed DataFrame, and whether larger is better (for model selection). */
export abstract class Evaluator extends Params {
  abstract evaluate(dataset: DataFrame): Promise<number>;
  abstract isLargerBetter(): boolean;

  /** Checks the named columns (before any data flows) and streams their batches, in that column order. */
  protected async *columns(
    dataset: DataFrame,
    cols: readonly { param: string; name: string; kinds: KindSet }[],
  ): AsyncIterable<RecordBatch> {
    const schema: StructType = dataset.schema;
    const names = cols.map((c) => inputField(this, schema, c.param, c.name, c.kinds).name);
    yield* dataset.select(...names).batches();
  }
}
