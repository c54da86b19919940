import { EddyError, describeValue } from '../common/errors.js';
import {
  ArrayType,
  BinaryType,
  BooleanType,
  DoubleType,
  LongType,
  NullType,
  StringType,
  StructType,
  TimestampType,
  VectorType,
  simpleString,
  type DataType,
} from './types.js';
import { DenseVector, Vector, formatJavaDouble } from './vector.js';

/**
 * Conversions between the values users hand in or get back (external) and the values columns hold (internal).
 *
 *   type       external (collect/createDataFrame)        internal (ColumnVector.get)
 *   string     string                                    string
 *   boolean    boolean                                   boolean
 *   int        number (32-bit integer)                   number
 *   long       bigint (numbers accepted on input)        bigint
 *   double     number                                    number
 *   timestamp  Date (numbers = epoch ms, ISO strings)    number, epoch milliseconds
 *   binary     Uint8Array                                Uint8Array
 *   array      JS array                                  JS array of internal values
 *   vector     DenseVector / SparseVector                Vector
 *   struct     plain object keyed by field name          plain object of internal values
 */

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

export function toInternal(v: unknown, t: DataType, where: string): unknown {
  if (v === null || v === undefined) return null;
  const bad = (): never => {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${where}: value ${describeValue(v)} does not fit type ${simpleString(t)}; give a ${externalName(t)} or null`,
    );
  };
  switch (t.kind) {
    case 'null':
      return bad();
    case 'string':
      return typeof v === 'string' ? v : bad();
    case 'boolean':
      return typeof v === 'boolean' ? v : bad();
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX ? v : bad();
    case 'long':
      if (typeof v === 'bigint') return BigInt.asIntN(64, v) === v ? v : bad();
      return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : bad();
    case 'double':
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : bad();
    case 'timestamp': {
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? bad() : v.getTime();
      if (typeof v === 'number') return Number.isFinite(v) ? v : bad();
      if (typeof v === 'string') {
        const ms = parseTimestamp(v);
        return ms === null ? bad() : ms;
      }
      return bad();
    }
    case 'binary':
      if (v instanceof Uint8Array) return v;
      if (typeof v === 'string') return new TextEncoder().encode(v);
      return bad();
    case 'vector':
      if (v instanceof Vector) return v;
      if (v instanceof Float64Array) return new DenseVector(v);
      if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return new DenseVector(v as number[]);
      return bad();
    case 'array':
      if (!Array.isArray(v)) return bad();
      return v.map((x, i) => toInternal(x, t.elementType, `${where}[${i}]`));
    case 'struct': {
      if (typeof v !== 'object' || Array.isArray(v)) return bad();
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = toInternal(o[f.name], f.dataType, `${where}.${f.name}`);
      return out;
    }
  }
}

function externalName(t: DataType): string {
  switch (t.kind) {
    case 'int':
      return '32-bit integer number';
    case 'long':
      return 'bigint (or safe-integer number)';
    case 'double':
      return 'number';
    case 'timestamp':
      return 'Date, epoch-millisecond number or ISO-8601 string';
    case 'binary':
      return 'Uint8Array';
    case 'vector':
      return 'Vector (Vectors.dense / Vectors.sparse) or number array';
    case 'array':
      return 'array';
    case 'struct':
      return 'plain object';
    default:
      return t.kind;
  }
}

export function toExternal(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'timestamp':
      return new Date(v as number);
    case 'array':
      return (v as unknown[]).map((x) => toExternal(x, t.elementType));
    case 'struct': {
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = toExternal(o[f.name], f.dataType);
      return out;
    }
    default:
      return v;
  }
}

/** The Eddy type of a JS value, for createDataFrame without a schema (Spark's inference from Python values). */
export function inferType(v: unknown): DataType | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return StringType;
  if (typeof v === 'boolean') return BooleanType;
  if (typeof v === 'bigint') return LongType;
  // Python ints infer as bigint in Spark; JS numbers cannot tell 1 from 1.0, so integers become long.
  if (typeof v === 'number') return Number.isInteger(v) ? LongType : DoubleType;
  if (v instanceof Date) return TimestampType;
  if (v instanceof Uint8Array) return BinaryType;
  if (v instanceof Vector) return VectorType;
  if (Array.isArray(v)) {
    let el: DataType | null = null;
    for (const x of v) el = mergeTypes(el, inferType(x));
    return ArrayType(el ?? StringType);
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return new StructType(
      Object.keys(o).map((k) => ({ name: k, dataType: inferType(o[k]) ?? StringType, nullable: true })),
    );
  }
  return null;
}

/** The wider of two inferred types: long + double → double, anything else mixed → string. */
export function mergeTypes(a: DataType | null, b: DataType | null): DataType | null {
  if (a === null || a.kind === 'null') return b;
  if (b === null || b.kind === 'null') return a;
  if (a.kind === b.kind) return a;
  const num = ['int', 'long', 'double'];
  if (num.includes(a.kind) && num.includes(b.kind)) return num.indexOf(a.kind) > num.indexOf(b.kind) ? a : b;
  return StringType;
}

/** Compares two non-null internal values of one type (for sorting, min/max). */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    // Spark orders NaN above every other double.
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (a[i] === null || b[i] === null) {
        if (a[i] !== b[i]) return a[i] === null ? -1 : 1;
        continue;
      }
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    if (a instanceof Vector && b instanceof Vector)
      return compareValues(Array.from(a.toArray()), Array.from(b.toArray()));
    const ka = Object.values(a);
    const kb = Object.values(b);
    return compareValues(ka, kb);
  }
  return 0;
}

/** A key that is equal for equal internal values, for hashing in groupBy, distinct and joins. */
export function hashKey(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  return keyString(v);
}

function keyString(v: unknown): string {
  if (v === null) return 'n';
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (typeof v === 'bigint') return `l${v}`;
  if (typeof v === 'number') return `d${v}`;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (v instanceof Uint8Array) return `b${Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex')}`;
  if (v instanceof Vector) return `v${v.toString()}`;
  if (Array.isArray(v)) return `[${v.map(keyString).join(',')}]`;
  if (typeof v === 'object') return `{${Object.values(v).map(keyString).join(',')}}`;
  return String(v);
}

/** A timestamp as Spark casts it to string: "2024-01-02 03:04:05" plus fractional seconds when non-zero, in UTC. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const iso = d.toISOString(); // yyyy-mm-ddThh:mm:ss.SSSZ
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return frac ? `${base}.${frac}` : base;
}

/**
 * Parses a timestamp string as Spark's CAST(... AS TIMESTAMP) does: "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss[.SSS]",
 * or ISO-8601 with "T" and an optional zone; a time without zone is UTC. Returns epoch ms or null.
 */
export function parseTimestamp(s: string): number | null {
  const m =
    /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/.exec(
      s,
    );
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  let ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(sec ?? 0),
    frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0,
  );
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(ms) ? null : ms;
}

/** A value rendered as Spark's CAST(x AS STRING) renders it (also what show() and CSV output print). */
export function formatValue(v: unknown, t: DataType): string {
  if (v === null || v === undefined) return 'null';
  switch (t.kind) {
    case 'double':
      return formatJavaDouble(v as number);
    case 'timestamp':
      return formatTimestamp(v as number);
    case 'binary':
      return `[${Array.from(v as Uint8Array, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')}]`;
    case 'array':
      return `[${(v as unknown[]).map((x) => formatValue(x, t.elementType)).join(', ')}]`;
    case 'struct': {
      const o = v as Record<string, unknown>;
      return `{${t.fields.map((f) => formatValue(o[f.name], f.dataType)).join(', ')}}`;
    }
    case 'null':
      return 'null';
    default:
      return String(v);
  }
}

export { NullType };
