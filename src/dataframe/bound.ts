import { EddyError } from '../common/errors.js';
import type { RecordBatch } from './batch.js';
import { castError, canCast, castValue } from './cast.js';
import { ColumnBuilder, ColumnVector } from './column-vector.js';
import { sameColumns } from './references.js';
import { DoubleType, LongType, IntegerType, StringType, simpleString, type DataType } from './types.js';

/**
 * A resolved expression: its type, nullability and output name are known, and it evaluates a whole batch at
 * once into a column.
 */
export interface Bound {
  readonly type: DataType;
  readonly nullable: boolean;
  /** The generated output name (Spark's pretty SQL of the expression). */
  readonly name: string;
  eval(batch: RecordBatch): ColumnVector;
}

/** State shared by every expression of one query: current_timestamp() is fixed per query, as in Spark. */
export interface AnalysisContext {
  readonly now: number;
}

/**
 * An expression evaluated row by row over its arguments' columns. Unless `nullSafe`, a null argument makes a
 * null result without calling fn (Spark's NullIntolerant).
 */
export function rowwise(
  name: string,
  type: DataType,
  args: readonly Bound[],
  fn: (vals: unknown[]) => unknown,
  opts: { nullSafe?: boolean; nullable?: boolean } = {},
): Bound {
  const nullable = opts.nullable ?? args.some((a) => a.nullable);
  return {
    type,
    nullable,
    name,
    eval(batch) {
      const cols = args.map((a) => a.eval(batch));
      const n = batch.numRows;
      const out = new ColumnBuilder(type, n);
      const vals: unknown[] = new Array<unknown>(cols.length);
      for (let i = 0; i < n; i++) {
        let anyNull = false;
        for (let j = 0; j < cols.length; j++) {
          const v = cols[j]!.get(i);
          vals[j] = v;
          if (v === null) anyNull = true;
        }
        out.append(anyNull && !opts.nullSafe ? null : fn(vals));
      }
      return out.finish();
    },
  };
}

/** Wraps b in a cast to `to` unless it already has that type. */
export function coerce(b: Bound, to: DataType): Bound {
  if (b.type.kind === to.kind && to.kind !== 'array' && to.kind !== 'struct') return b;
  if (b.type.kind === to.kind) return b;
  return castBound(b, to, b.name);
}

export function castBound(b: Bound, to: DataType, name: string): Bound {
  if (!canCast(b.type, to)) throw castError(name, b.type, to);
  const from = b.type;
  if (from.kind === 'int' && to.kind === 'double') {
    return sameColumns(
      {
        type: to,
        nullable: b.nullable,
        name,
        eval(batch) {
          const c = b.eval(batch);
          return new ColumnVector(to, c.length, Float64Array.from(c.data as Int32Array), c.validity);
        },
      },
      b,
    );
  }
  // Strings that do not parse become null, so a cast from string is nullable even when its input is not.
  const nullable = b.nullable || from.kind === 'string' || from.kind === 'null';
  return sameColumns(
    rowwise(name, to, [b], (v) => castValue(v[0], from, to), { nullable }),
    b,
  );
}

const NUMERIC_ORDER = ['int', 'long', 'double'];

/** The common type of two operands as Spark's implicit widening finds it, or null if there is none. */
export function widerType(a: DataType, b: DataType): DataType | null {
  if (a.kind === b.kind && a.kind !== 'array' && a.kind !== 'struct') return a;
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  const ia = NUMERIC_ORDER.indexOf(a.kind);
  const ib = NUMERIC_ORDER.indexOf(b.kind);
  if (ia >= 0 && ib >= 0) return ia > ib ? a : b;
  // A string against a number compares as numbers, against a timestamp as timestamps (Spark's promotion rules).
  if (a.kind === 'string' && ib >= 0) return b.kind === 'int' ? LongType : b.kind === 'long' ? LongType : DoubleType;
  if (b.kind === 'string' && ia >= 0) return a.kind === 'int' ? LongType : a.kind === 'long' ? LongType : DoubleType;
  if (a.kind === 'string' && b.kind === 'timestamp') return b;
  if (b.kind === 'string' && a.kind === 'timestamp') return a;
  if (a.kind === 'array' && b.kind === 'array') {
    const el = widerType(a.elementType, b.elementType);
    return el ? { kind: 'array', elementType: el, containsNull: true } : null;
  }
  if (a.kind === 'struct' && b.kind === 'struct' && simpleString(a) === simpleString(b)) return a;
  return null;
}

export function mismatch(name: string, detail: string): EddyError {
  return new EddyError('ANALYSIS_ERROR', `cannot resolve '${name}' due to data type mismatch: ${detail}`);
}

export function requireType(name: string, b: Bound, what: string, ...kinds: string[]): void {
  if (b.type.kind === 'null' || kinds.includes(b.type.kind)) return;
  throw mismatch(
    name,
    `argument ${what} requires ${kinds.join(' or ')} type, but '${b.name}' is of ${simpleString(b.type)} type`,
  );
}

export { StringType, IntegerType };
