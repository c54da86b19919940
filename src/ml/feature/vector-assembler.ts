import { EddyError } from '../../common/errors.js';
import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { VectorType, type StructType } from '../../dataframe/types.js';
import { DenseVector, SparseVector, Vector } from '../../dataframe/vector.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import { paramsOnlyLoader, registerStage } from '../pipeline/stage-registry.js';
import { Transformer } from '../pipeline/stage.js';
import {
  appendFields,
  inputField,
  mlField,
  NUMERIC_KINDS,
  toDouble,
  type MLAttributes,
  type MLField,
  type SlotAttribute,
  type VectorAttributes,
} from '../pipeline/schema-utils.js';
import { mapBatches } from '../pipeline/transform-plan.js';
import { outputColParam } from '../param/shared-params.js';

export interface VectorAssemblerOptions {
  uid?: string;
  inputCols?: string[];
  outputCol?: string;
  handleInvalid?: 'error' | 'skip' | 'keep';
}

/** Spark's Vectors.compressed rule: sparse when that takes less room. */
export function compressed(values: Float64Array): Vector {
  let nnz = 0;
  for (const v of values) if (v !== 0) nnz++;
  if (1.5 * (nnz + 1) >= values.length) return new DenseVector(values);
  const idx = new Int32Array(nnz);
  const vals = new Float64Array(nnz);
  let k = 0;
  values.forEach((v, i) => {
    if (v !== 0) {
      idx[k] = i;
      vals[k++] = v;
    }
  });
  return new SparseVector(values.length, idx, vals);
}

/**
 * The assembled vectors when every column is a double or int column with no nulls, else null; nanRow is the first
 * row holding a NaN (-1 if none), which handleInvalid decides about.
 */
function numericFastPath(cols: readonly ColumnVector[], numRows: number): { vectors: Vector[]; nanRow: number } | null {
  const data: (Float64Array | Int32Array)[] = [];
  for (const c of cols) {
    if (c.validity !== null || !(c.data instanceof Float64Array || c.data instanceof Int32Array)) return null;
    if (c.type.kind !== 'double' && c.type.kind !== 'int') return null;
    data.push(c.data);
  }
  const k = data.length;
  const vectors: Vector[] = new Array<Vector>(numRows);
  // One buffer for the batch, each dense vector a view of its row: a typed array of its own per row would cost
  // an ArrayBuffer (and its finalization) per row. Sparse rows are copied out by compressed().
  const all = new Float64Array(numRows * k);
  let nanRow = -1;
  for (let r = 0; r < numRows; r++) {
    const base = r * k;
    let nnz = 0;
    for (let f = 0; f < k; f++) {
      const x = data[f]![r]!;
      all[base + f] = x;
      if (x !== 0) nnz++;
      if (x !== x && nanRow < 0) nanRow = r;
    }
    const row = all.subarray(base, base + k);
    vectors[r] = 1.5 * (nnz + 1) >= k ? new DenseVector(row) : compressed(row);
  }
  return { vectors, nanRow };
}

/**
 * Spark's VectorAssembler: numeric, boolean and vector columns concatenated into one vector column.
 * handleInvalid: "error" (default) fails on a null or NaN, "skip" drops the row, "keep" puts NaN in its place
 * (a null vector needs its size known from an earlier row).
 */
export class VectorAssembler extends Transformer {
  readonly inputCols = this.declare<string[]>('inputCols', {
    doc: 'input column names',
    kind: 'stringArray',
    validator: V.stringArray(),
  });
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly handleInvalid = this.declare<string>('handleInvalid', {
    doc:
      "How to handle invalid data (NULL and NaN values). Options are 'skip' (filter out rows with invalid data), " +
      "'error' (throw an error), or 'keep' (return relevant number of NaN in the output). Column lengths are taken " +
      'from the size of the first non-null vector of each column.',
    kind: 'string',
    validator: V.inArray(['skip', 'error', 'keep']),
    default: 'error',
  });

  constructor(options: VectorAssemblerOptions = {}) {
    super(options.uid ?? randomUID('VectorAssembler'));
    this.applyOptions(options);
  }

  getInputCols(): string[] {
    return this.getOrDefault(this.inputCols);
  }
  setInputCols(value: string[]): this {
    return this.set(this.inputCols, value);
  }
  getOutputCol(): string {
    return this.getOrDefault(this.outputCol);
  }
  setOutputCol(value: string): this {
    return this.set(this.outputCol, value);
  }
  getHandleInvalid(): string {
    return this.getOrDefault(this.handleInvalid);
  }
  setHandleInvalid(value: 'error' | 'skip' | 'keep'): this {
    return this.set(this.handleInvalid, value);
  }

  private inputs(): string[] {
    if (!this.isDefined(this.inputCols)) {
      throw new EddyError('INVALID_ARGUMENT', `${this.uid}: inputCols is not set; give the columns to assemble`);
    }
    return this.getInputCols();
  }

  transformSchema(schema: StructType): StructType {
    const fields = this.inputs().map((c) => inputField(this, schema, 'inputCols', c, [...NUMERIC_KINDS, 'vector']));
    return appendFields(this, schema, [mlField(this.getOutputCol(), VectorType, true, assembledAttributes(fields))]);
  }

  transform(dataset: DataFrame): DataFrame {
    const schema = this.transformSchema(dataset.schema);
    const idx = this.inputs().map((c) => dataset.schema.indexOf(c));
    const names = this.inputs();
    const mode = this.getHandleInvalid();
    const isVector = idx.map((i) => dataset.schema.fields[i]!.dataType.kind === 'vector');
    const sizes: (number | undefined)[] = idx.map((_, k) => (isVector[k] ? undefined : 1));
    const uid = this.uid;
    const assemble = (batch: RecordBatch): RecordBatch => {
      const cols = idx.map((i) => batch.column(i));
      const fast = numericFastPath(cols, batch.numRows);
      if (fast !== null && (mode !== 'error' || fast.nanRow < 0)) {
        // Every input is a plain double/int column without nulls: rows are read straight from the typed arrays.
        if (mode === 'skip' && fast.nanRow >= 0) return assembleSlow(batch, cols);
        return new RecordBatch(
          schema,
          [...batch.columns, new ColumnVector(VectorType, batch.numRows, fast.vectors, null)],
          batch.numRows,
        );
      }
      return assembleSlow(batch, cols);
    };
    const assembleSlow = (batch: RecordBatch, cols: ColumnVector[]): RecordBatch => {
      const out: unknown[] = new Array<unknown>(batch.numRows);
      const keep: number[] = [];
      for (let r = 0; r < batch.numRows; r++) {
        const parts: number[] = [];
        let invalid: string | null = null;
        for (let k = 0; k < cols.length; k++) {
          const v = cols[k]!.get(r);
          if (isVector[k]) {
            if (v === null) {
              invalid ??= `null in column '${names[k]}'`;
              const n = sizes[k];
              if (mode === 'keep' && n === undefined) {
                throw new EddyError(
                  'INVALID_ARGUMENT',
                  `${uid}: cannot keep a null vector in column '${names[k]}' before its size is known; use handleInvalid "skip" or "error", or fill the nulls`,
                );
              }
              for (let j = 0; j < (n ?? 0); j++) parts.push(Number.NaN);
            } else {
              const arr = (v as Vector).toArray();
              sizes[k] ??= arr.length;
              for (const x of arr) {
                if (Number.isNaN(x)) invalid ??= `NaN in column '${names[k]}'`;
                parts.push(x);
              }
            }
          } else {
            const d = toDouble(v);
            if (d === null || Number.isNaN(d)) invalid ??= `${d === null ? 'null' : 'NaN'} in column '${names[k]}'`;
            parts.push(d ?? Number.NaN);
          }
        }
        if (invalid !== null) {
          if (mode === 'error') {
            throw new EddyError(
              'INVALID_ARGUMENT',
              `${uid}: encountered ${invalid} (row ${r} of a batch) while assembling [${names.join(', ')}]; ` +
                `set handleInvalid to "skip" to drop such rows or "keep" to put NaN in their place`,
            );
          }
          if (mode === 'skip') continue;
        }
        keep.push(r);
        out[r] = compressed(Float64Array.from(parts));
      }
      const kept = keep.length === batch.numRows ? batch : batch.gather(Int32Array.from(keep));
      const vec = keep.length === batch.numRows ? out : keep.map((r) => out[r]);
      return new RecordBatch(
        schema,
        [...kept.columns, new ColumnVector(VectorType, vec.length, vec, null)],
        vec.length,
      );
    };
    return mapBatches(
      dataset,
      schema,
      assemble,
      `VectorAssembler ${uid} [${names.join(', ')}] -> ${this.getOutputCol()}`,
    );
  }

  copy(extra?: ParamMap | Record<string, unknown>): VectorAssembler {
    return this.copyValues(new VectorAssembler({ uid: this.uid }), extra);
  }

  static readonly load = paramsOnlyLoader('eddy.ml.VectorAssembler', (uid) => new VectorAssembler({ uid }));
}

registerStage('eddy.ml.VectorAssembler', (p, o) => VectorAssembler.load(p, o));

/**
 * The output's attribute group, as Spark's VectorAssembler builds it: a scalar input is one slot (nominal when it
 * carries nominal values, e.g. a StringIndexer output, else numeric), a vector input contributes its own slots,
 * renamed `<column>_<slot>`. A vector input of unknown size ends what can be said: slots after it are left out
 * and the size is not given.
 */
function assembledAttributes(inputs: readonly MLField[]): MLAttributes {
  const group: Required<VectorAttributes> = { numeric: [], nominal: [], binary: [] };
  let offset = 0;
  for (const f of inputs) {
    const attrs = f.metadata?.ml_attr;
    if (f.dataType.kind !== 'vector') {
      if (attrs?.vals !== undefined) group.nominal.push({ idx: offset, name: f.name, vals: attrs.vals });
      else group.numeric.push({ idx: offset, name: f.name });
      offset += 1;
      continue;
    }
    if (attrs?.num_attrs === undefined) return withoutEmpty(group, undefined);
    for (const kind of ['numeric', 'nominal', 'binary'] as const) {
      for (const a of attrs.attrs?.[kind] ?? []) {
        const slot: SlotAttribute = { ...a, idx: offset + a.idx, name: `${f.name}_${a.name ?? a.idx}` };
        group[kind].push(slot);
      }
    }
    offset += attrs.num_attrs;
  }
  return withoutEmpty(group, offset);
}

function withoutEmpty(group: Required<VectorAttributes>, size: number | undefined): MLAttributes {
  const attrs: VectorAttributes = {};
  for (const kind of ['numeric', 'nominal', 'binary'] as const) if (group[kind].length > 0) attrs[kind] = group[kind];
  return size === undefined ? { attrs } : { attrs, num_attrs: size };
}
