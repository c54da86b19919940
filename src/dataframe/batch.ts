import { EddyError } from '../common/errors.js';
import { ColumnVector } from './column-vector.js';
import type { StructType } from './types.js';

/** A horizontal slice of a DataFrame: one ColumnVector per schema field, all of `numRows` rows. */
export class RecordBatch {
  constructor(
    readonly schema: StructType,
    readonly columns: readonly ColumnVector[],
    readonly numRows: number,
  ) {
    if (columns.length !== schema.fields.length) {
      throw new EddyError(
        'INTERNAL',
        `batch has ${columns.length} columns for a schema of ${schema.fields.length} fields`,
      );
    }
  }

  column(i: number): ColumnVector {
    const c = this.columns[i];
    if (!c) throw new EddyError('INTERNAL', `batch has no column ${i}`);
    return c;
  }

  gather(indices: ArrayLike<number>, count = indices.length): RecordBatch {
    return new RecordBatch(
      this.schema,
      this.columns.map((c) => c.gather(indices, count)),
      count,
    );
  }

  slice(start: number, end: number): RecordBatch {
    return new RecordBatch(
      this.schema,
      this.columns.map((c) => c.slice(start, end)),
      end - start,
    );
  }

  static empty(schema: StructType): RecordBatch {
    return new RecordBatch(
      schema,
      schema.fields.map((f) => ColumnVector.fromValues(f.dataType, [])),
      0,
    );
  }

  static concat(schema: StructType, batches: readonly RecordBatch[]): RecordBatch {
    if (batches.length === 0) return RecordBatch.empty(schema);
    if (batches.length === 1) return batches[0]!;
    const cols = schema.fields.map((f, i) =>
      ColumnVector.concat(
        f.dataType,
        batches.map((b) => b.column(i)),
      ),
    );
    return new RecordBatch(
      schema,
      cols,
      batches.reduce((n, b) => n + b.numRows, 0),
    );
  }
}
