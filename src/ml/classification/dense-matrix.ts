import { EddyError } from '../../common/errors.js';
import { DenseVector, formatJavaDouble } from '../../dataframe/vector.js';

/**
 * Spark's DenseMatrix, enough for a model's coefficients: values in column-major order (Spark's layout), element
 * (i, j) at values[j * numRows + i].
 */
export class DenseMatrix {
  constructor(
    readonly numRows: number,
    readonly numCols: number,
    readonly values: Float64Array,
  ) {
    if (values.length !== numRows * numCols) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `a ${numRows} x ${numCols} matrix needs ${numRows * numCols} values but got ${values.length}`,
      );
    }
  }

  /** From row-major values (how models hold them: one row per class). */
  static fromRows(numRows: number, numCols: number, rowMajor: ArrayLike<number>): DenseMatrix {
    const values = new Float64Array(numRows * numCols);
    for (let i = 0; i < numRows; i++)
      for (let j = 0; j < numCols; j++) values[j * numRows + i] = rowMajor[i * numCols + j]!;
    return new DenseMatrix(numRows, numCols, values);
  }

  get(i: number, j: number): number {
    return this.values[j * this.numRows + i]!;
  }

  row(i: number): DenseVector {
    return new DenseVector(Float64Array.from({ length: this.numCols }, (_, j) => this.get(i, j)));
  }

  toArray(): number[][] {
    return Array.from({ length: this.numRows }, (_, i) =>
      Array.from({ length: this.numCols }, (_, j) => this.get(i, j)),
    );
  }

  toString(): string {
    return this.toArray()
      .map((r) => r.map((v) => formatJavaDouble(v)).join('  '))
      .join('\n');
  }
}
