import { EddyError, describeValue } from '../common/errors.js';
import { RecordBatch } from './batch.js';
import { ColumnBuilder } from './column-vector.js';
import { DataFrame } from './dataframe.js';
import type { DataFrameEnv } from './env.js';
import { LocalRelation } from './plan.js';
import { StructType, parseSchema, simpleString, type DataType } from './types.js';
import { inferType, mergeTypes, toInternal } from './values.js';

export type RowInput = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface CreateDataFrameOptions {
  /** How many partitions to cut the rows into (default 1). */
  numPartitions?: number;
}

/**
 * eddy.createDataFrame(rows, schema): rows are arrays (by position) or objects (by name). The schema is a
 * StructType, a DDL string ("a INT, b STRING") or a list of column names whose types are inferred from the
 * values (JS integers become long, other numbers double, as Spark infers Python ints and floats).
 */
export function createDataFrame(
  env: DataFrameEnv,
  rows: readonly RowInput[],
  schema?: StructType | string | readonly string[],
  options: CreateDataFrameOptions = {},
): DataFrame {
  if (!Array.isArray(rows))
    throw new EddyError('INVALID_ARGUMENT', `createDataFrame needs an array of rows, got ${describeValue(rows)}`);
  let names: string[];
  let types: (DataType | null)[];
  let nullable: boolean[];
  if (schema instanceof StructType || typeof schema === 'string') {
    const s = typeof schema === 'string' ? parseSchema(schema) : schema;
    names = s.fieldNames;
    types = s.fields.map((f) => f.dataType);
    nullable = s.fields.map((f) => f.nullable);
  } else {
    if (schema) names = [...schema];
    else {
      const keys = new Set<string>();
      for (const r of rows) {
        if (Array.isArray(r))
          throw new EddyError(
            'INVALID_ARGUMENT',
            'rows given as arrays need column names or a schema: createDataFrame(rows, ["a", "b"])',
          );
        for (const k of Object.keys(r)) keys.add(k);
      }
      names = [...keys];
    }
    types = names.map(() => null);
    nullable = names.map(() => true);
  }
  const valueAt = (r: RowInput, j: number, i: number): unknown => {
    if (Array.isArray(r)) {
      if (r.length !== names.length) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `row ${i} has ${r.length} values but there are ${names.length} columns [${names.join(', ')}]`,
        );
      }
      return r[j];
    }
    if (r === null || typeof r !== 'object')
      throw new EddyError('INVALID_ARGUMENT', `row ${i} ${describeValue(r)} is neither an array nor an object`);
    return (r as Record<string, unknown>)[names[j]!];
  };
  if (types.some((t) => t === null)) {
    for (let i = 0; i < rows.length; i++) {
      for (let j = 0; j < names.length; j++)
        if (types[j] === null || !(schema instanceof StructType))
          types[j] = mergeTypes(types[j]!, inferType(valueAt(rows[i]!, j, i)));
    }
    const unknown = names.filter((_, j) => types[j] === null);
    if (unknown.length > 0) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `cannot infer the type of column(s) ${unknown.join(', ')}: every value is null; give a schema, e.g. createDataFrame(rows, "${unknown[0]} STRING")`,
      );
    }
  }
  const struct = new StructType(names.map((name, j) => ({ name, dataType: types[j]!, nullable: nullable[j]! })));
  const parts = Math.max(1, Math.min(options.numPartitions ?? 1, rows.length || 1));
  const per = Math.ceil(rows.length / parts);
  const partitions: RecordBatch[][] = [];
  for (let p = 0; p < parts; p++) {
    const slice = rows.slice(p * per, (p + 1) * per);
    const cols = struct.fields.map((f, j) => {
      const b = new ColumnBuilder(f.dataType, slice.length);
      slice.forEach((r, k) => {
        const i = p * per + k;
        const v = toInternal(valueAt(r, j, i), f.dataType, `row ${i}, column ${f.name}`);
        if (v === null && !f.nullable) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `row ${i}, column ${f.name}: null in a non-nullable ${simpleString(f.dataType)} field`,
          );
        }
        b.append(v);
      });
      return b.finish();
    });
    partitions.push(slice.length > 0 ? [new RecordBatch(struct, cols, slice.length)] : []);
  }
  return new DataFrame(new LocalRelation(struct, partitions), env);
}
