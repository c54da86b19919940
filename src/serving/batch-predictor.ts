import { RecordBatch } from '../dataframe/batch.js';
import { ColumnVector } from '../dataframe/column-vector.js';
import { DataFrame } from '../dataframe/dataframe.js';
import type { DataFrameEnv } from '../dataframe/env.js';
import { DoubleType, IntegerType, StringType, StructType, field } from '../dataframe/types.js';
import type { Transformer } from '../ml/pipeline/stage.js';
import type { ServingSchema } from './serving-schema.js';

/** A column no model uses, carrying each row's place in its batch through the pipeline (which may drop rows). */
const ROW_ID = '__eddy_serve_row';

/** The model's outputs for the rows it answered: rowIds[k] is the input row that prediction[k] belongs to. */
export interface Predictions {
  readonly count: number;
  readonly rowIds: ArrayLike<number>;
  readonly prediction: ColumnVector | null;
  readonly probability: ColumnVector | null;
}

/**
 * Runs a model's batch `transform` on columns of decoded messages: the same code path as a batch transform of
 * the same rows, so answers equal it, but fed with a RecordBatch built column by column.
 */
export class BatchPredictor {
  private readonly schema: StructType;
  private readonly outputs: string[];

  constructor(
    private readonly model: Transformer,
    private readonly serving: ServingSchema,
    private readonly env: DataFrameEnv,
  ) {
    const required = serving.fields.filter((f) => !f.optional);
    this.schema = new StructType([
      ...required.map((f) => field(f.name, f.type === 'double' ? DoubleType : StringType)),
      field(ROW_ID, IntegerType, false),
    ]);
    this.outputs = [ROW_ID, serving.predictionCol, serving.probabilityCol].filter((c): c is string => c !== null);
  }

  /** Predicts rows [from, to) of the columns (one per required field, in the serving schema's order). */
  async predict(columns: readonly ColumnVector[], from: number, to: number): Promise<Predictions> {
    const n = to - from;
    const ids = new Int32Array(n);
    for (let i = 0; i < n; i++) ids[i] = from + i;
    const cols = columns.map((c) => (from === 0 && to === c.length ? c : c.slice(from, to)));
    const batch = new RecordBatch(this.schema, [...cols, new ColumnVector(IntegerType, n, ids, null)], n);
    const out = await this.model
      .transform(DataFrame.fromBatches(this.schema, [[batch]], this.env))
      .select(...this.outputs)
      .collectBatch();
    const s = this.serving;
    return {
      count: out.numRows,
      rowIds: out.column(0).data as Int32Array,
      prediction: s.predictionCol ? out.column(1) : null,
      probability: s.probabilityCol ? out.column(s.predictionCol ? 2 : 1) : null,
    };
  }
}
