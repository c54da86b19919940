import { EddyError } from '../../common/errors.js';
import { castValue } from '../cast.js';
import {
  ArrayType,
  BinaryType,
  BooleanType,
  DoubleType,
  LongType,
  StringType,
  StructType,
  TimestampType,
  type DataType,
  type StructField,
} from '../types.js';
import { formatJavaDouble, DenseVector, SparseVector, Vector } from '../vector.js';
import type { ParseMode } from './options.js';

const BIG = '\u0000bigint:';

/**
 * JSON.parse turns integers beyond 2^53 into inexact doubles. Long integer literals (16+ digits, outside
 * strings) are quoted with a marker first, so a bigint column keeps every digit.
 */
export function parseJsonLine(line: string): unknown {
  if (!/\d{16}/.test(line)) return JSON.parse(line);
  let out = '';
  let i = 0;
  let inString = false;
  while (i < line.length) {
    const c = line[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += line[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      i++;
      continue;
    }
    const m = /^-?\d+(?![.eE\d])/.exec(line.slice(i, i + 32));
    if (m && m[0].replace('-', '').length >= 16 && !/[\d.]/.test(line[i - 1] ?? '')) {
      out += JSON.stringify(BIG + m[0]);
      i += m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return JSON.parse(out);
}

function bigOf(v: unknown): bigint | null {
  return typeof v === 'string' && v.startsWith(BIG) ? BigInt(v.slice(BIG.length)) : null;
}

/** The Spark type of a parsed JSON value: integers are bigint (long), other numbers double, objects structs. */
function jsonType(v: unknown): DataType | null {
  if (v === null || v === undefined) return null;
  if (bigOf(v) !== null) return BigInt.asIntN(64, bigOf(v)!) === bigOf(v) ? LongType : DoubleType;
  if (typeof v === 'string') return StringType;
  if (typeof v === 'boolean') return BooleanType;
  if (typeof v === 'number') return Number.isInteger(v) ? LongType : DoubleType;
  if (Array.isArray(v)) {
    let el: DataType | null = null;
    for (const x of v) el = mergeJson(el, jsonType(x));
    return ArrayType(el ?? StringType);
  }
  const o = v as Record<string, unknown>;
  return new StructType(
    Object.keys(o)
      .sort()
      .map((k) => ({ name: k, dataType: jsonType(o[k]) ?? StringType, nullable: true })),
  );
}

function mergeJson(a: DataType | null, b: DataType | null): DataType | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.kind === b.kind) {
    if (a.kind === 'array' && b.kind === 'array')
      return ArrayType(mergeJson(a.elementType, b.elementType) ?? StringType);
    if (a.kind === 'struct' && b.kind === 'struct') return mergeStructs(a, b);
    return a;
  }
  if ((a.kind === 'long' && b.kind === 'double') || (a.kind === 'double' && b.kind === 'long')) return DoubleType;
  return StringType;
}

function mergeStructs(a: StructType, b: StructType): StructType {
  const fields = new Map<string, StructField>();
  for (const f of a.fields) fields.set(f.name, f);
  for (const f of b.fields) {
    const prev = fields.get(f.name);
    fields.set(
      f.name,
      prev ? { name: f.name, dataType: mergeJson(prev.dataType, f.dataType) ?? StringType, nullable: true } : f,
    );
  }
  return new StructType([...fields.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)));
}

/**
 * Spark's JSON schema inference over every line: fields sorted by name; a field only ever null is string;
 * a line that is not a JSON object adds the corrupt-record column (in PERMISSIVE mode).
 */
export async function inferJsonSchema(
  lines: AsyncIterable<string>,
  corruptName: string,
  mode: ParseMode,
): Promise<StructType> {
  let t = new StructType([]);
  let corrupt = false;
  for await (const line of lines) {
    if (line.trim().length === 0) continue;
    let v: unknown;
    try {
      v = parseJsonLine(line);
    } catch {
      corrupt = true;
      continue;
    }
    const jt = jsonType(v);
    if (jt?.kind !== 'struct') {
      corrupt = true;
      continue;
    }
    t = mergeStructs(t, jt);
  }
  if (corrupt && mode === 'PERMISSIVE' && t.indexOf(corruptName) < 0)
    t = mergeStructs(t, new StructType([{ name: corruptName, dataType: StringType, nullable: true }]));
  return t;
}

/** Converts a parsed JSON value to an internal value of type t; undefined when it does not fit (malformed). */
export function jsonToInternal(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  const big = bigOf(v);
  if (big !== null) {
    if (t.kind === 'long') return BigInt.asIntN(64, big) === big ? big : undefined;
    if (t.kind === 'double') return Number(big);
    if (t.kind === 'string') return String(big);
    return undefined;
  }
  switch (t.kind) {
    case 'string':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? v : undefined;
    case 'long':
      return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined;
    case 'double':
      if (typeof v === 'number') return v;
      if (v === 'NaN') return NaN;
      if (v === 'Infinity' || v === '-Infinity') return v === 'Infinity' ? Infinity : -Infinity;
      return undefined;
    case 'timestamp':
      if (typeof v === 'string') return castValue(v, StringType, TimestampType) ?? undefined;
      if (typeof v === 'number') return v * 1000;
      return undefined;
    case 'binary':
      return typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'base64')) : undefined;
    case 'array': {
      if (!Array.isArray(v)) return undefined;
      const out: unknown[] = [];
      for (const x of v) {
        const c = jsonToInternal(x, t.elementType);
        if (c === undefined) return undefined;
        out.push(c);
      }
      return out;
    }
    case 'struct': {
      if (typeof v !== 'object' || Array.isArray(v)) return undefined;
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) {
        const c = jsonToInternal(o[f.name], f.dataType);
        if (c === undefined) return undefined;
        out[f.name] = c;
      }
      return out;
    }
    case 'vector':
      return vectorFromJson(v);
    case 'null':
      return null;
  }
}

/** Spark ML writes a vector as {"type":1,"values":[...]} (dense) or {"type":0,"size":n,"indices":[...],"values":[...]}. */
function vectorFromJson(v: unknown): Vector | undefined {
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return new DenseVector(v as number[]);
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { type?: number; size?: number; indices?: number[]; values?: number[] };
  try {
    if (o.type === 1 && Array.isArray(o.values)) return new DenseVector(o.values);
    if (o.type === 0 && typeof o.size === 'number' && Array.isArray(o.indices) && Array.isArray(o.values))
      return new SparseVector(o.size, o.indices, o.values);
  } catch (e) {
    if (e instanceof EddyError) return undefined;
    throw e;
  }
  return undefined;
}

/** One internal value as JSON text, as Spark's JSON writer renders it. */
export function internalToJson(v: unknown, t: DataType): string {
  if (v === null || v === undefined) return 'null';
  switch (t.kind) {
    case 'string':
      return JSON.stringify(v);
    case 'long':
      return String(v);
    case 'double': {
      const n = v as number;
      return Number.isFinite(n) ? formatJavaDouble(n) : JSON.stringify(formatJavaDouble(n));
    }
    case 'timestamp':
      return JSON.stringify(new Date(v as number).toISOString());
    case 'binary':
      return JSON.stringify(Buffer.from(v as Uint8Array).toString('base64'));
    case 'array':
      return `[${(v as unknown[]).map((x) => internalToJson(x, t.elementType)).join(',')}]`;
    case 'struct':
      return structToJson(v as Record<string, unknown>, t);
    case 'vector': {
      const vec = v as Vector;
      if (vec instanceof SparseVector)
        return JSON.stringify({
          type: 0,
          size: vec.size,
          indices: Array.from(vec.indices),
          values: Array.from(vec.values),
        });
      return JSON.stringify({ type: 1, values: Array.from(vec.toArray()) });
    }
    default:
      return JSON.stringify(v);
  }
}

/** An object with its non-null fields (Spark's ignoreNullFields=true). */
export function structToJson(o: Record<string, unknown>, t: StructType): string {
  const parts: string[] = [];
  for (const f of t.fields) {
    const v = o[f.name];
    if (v === null || v === undefined) continue;
    parts.push(`${JSON.stringify(f.name)}:${internalToJson(v, f.dataType)}`);
  }
  return `{${parts.join(',')}}`;
}

export { BinaryType };
