import { RecordBatch } from './batch.js';
import { allocate, ColumnBuilder, ColumnVector } from './column-vector.js';
import type { Bound } from './bound.js';
import { PrunedColumn } from './pruned-column.js';
import type { StructType } from './types.js';

/** A generator in a select list: explode(array) turns each element into its own row. */
export interface Generator {
  /** Index of the generator's output column in the project list. */
  readonly index: number;
  /** Evaluates to an array column (internal arrays), one array per input row. */
  readonly input: Bound;
  /** explode_outer: a null or empty array still yields one row, with null. */
  readonly outer: boolean;
}

/**
 * A select list with a generator over one batch: each input row becomes one output row per element of its
 * array (explode), the other expressions repeated for each. Sized in a first pass so that the element column
 * and the row index are written once into arrays of their final length; the other columns are gathered only
 * when there are any.
 */
export function generate(
  schema: StructType,
  exprs: readonly Bound[],
  g: Generator,
  batch: RecordBatch,
  skip: (k: number) => boolean = () => false,
): RecordBatch {
  const arrays = g.input.eval(batch);
  const n = batch.numRows;
  const data = arrays.data as unknown[];
  const validity = arrays.validity;
  const at = (i: number): unknown[] | null =>
    (validity !== null && validity[i] === 0) || data[i] === undefined ? null : (data[i] as unknown[] | null);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = at(i);
    total += a === null || a.length === 0 ? (g.outer ? 1 : 0) : a.length;
  }
  const elemType = schema.fields[g.index]!.dataType;
  // Columns nobody reads (pruned) are neither evaluated nor gathered.
  const needRows = exprs.some((_, k) => k !== g.index && !skip(k));
  const rows = needRows ? new Int32Array(total) : null;
  let elems: ColumnVector;
  const plain = allocate(elemType, 0);
  if (Array.isArray(plain)) {
    // Strings, structs, arrays: elements are copied as they are; a validity array appears only with a null.
    const out = new Array<unknown>(total);
    let nulls: Uint8Array | null = null;
    let o = 0;
    for (let i = 0; i < n; i++) {
      const a = at(i);
      if (a === null || a.length === 0) {
        if (g.outer) {
          if (rows) rows[o] = i;
          if (nulls === null) nulls = new Uint8Array(total).fill(1);
          nulls[o] = 0;
          out[o++] = null;
        }
        continue;
      }
      for (let j = 0; j < a.length; j++) {
        const x = a[j];
        if (rows) rows[o] = i;
        if (x === null || x === undefined) {
          if (nulls === null) nulls = new Uint8Array(total).fill(1);
          nulls[o] = 0;
          out[o++] = null;
        } else out[o++] = x;
      }
    }
    elems = new ColumnVector(elemType, total, out, nulls);
  } else {
    const b = new ColumnBuilder(elemType, total);
    let o = 0;
    for (let i = 0; i < n; i++) {
      const a = at(i);
      if (a === null || a.length === 0) {
        if (g.outer) {
          if (rows) rows[o++] = i;
          b.append(null);
        }
        continue;
      }
      for (const x of a) {
        if (rows) rows[o++] = i;
        b.append(x);
      }
    }
    elems = b.finish();
  }
  const cols = exprs.map((e, k) =>
    k === g.index ? elems : skip(k) ? new PrunedColumn(e.type, total) : e.eval(batch).gather(rows!, total),
  );
  return new RecordBatch(schema, cols, total);
}
