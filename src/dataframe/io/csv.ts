import { EddyError, describeValue } from '../../common/errors.js';
import { castValue } from '../cast.js';
import {
  BooleanType,
  DoubleType,
  IntegerType,
  LongType,
  StringType,
  TimestampType,
  simpleString,
  type DataType,
} from '../types.js';
import { formatJavaDouble } from '../vector.js';
import type { Options } from './options.js';

/**
 * CSV as Spark reads and writes it: one record per line (multiLine off), `sep` between fields, fields in
 * `quote` may hold separators and quotes (escaped by `escape`, default backslash, or doubled), an unquoted
 * empty field is null, a quoted empty field the empty string.
 */
export interface CsvFormat {
  sep: string;
  quote: string;
  escape: string;
  nullValue: string;
}

export function csvFormat(opts: Options): CsvFormat {
  return {
    sep: opts.get('sep') !== undefined ? opts.char('sep', ',') : opts.char('delimiter', ','),
    quote: opts.char('quote', '"'),
    escape: opts.char('escape', '\\'),
    nullValue: opts.string('nullValue', ''),
  };
}

/** Splits one line into fields (null = null field); returns null when a quote is left open (a malformed line). */
export function parseCsvLine(line: string, f: CsvFormat): (string | null)[] | null {
  const out: (string | null)[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    if (i < n && line[i] === f.quote) {
      let s = '';
      i++;
      let closed = false;
      while (i < n) {
        const c = line[i]!;
        if (
          c === f.escape &&
          f.escape !== f.quote &&
          i + 1 < n &&
          (line[i + 1] === f.quote || line[i + 1] === f.escape)
        ) {
          s += line[i + 1];
          i += 2;
        } else if (c === f.quote) {
          if (line[i + 1] === f.quote) {
            s += f.quote;
            i += 2;
          } else {
            i++;
            closed = true;
            break;
          }
        } else {
          s += c;
          i++;
        }
      }
      if (!closed) return null;
      // Text between the closing quote and the separator is kept, as univocity does.
      const sep = line.indexOf(f.sep, i);
      const tail = sep < 0 ? line.slice(i) : line.slice(i, sep);
      out.push(s + tail);
      if (sep < 0) return out;
      i = sep + 1;
    } else {
      const sep = line.indexOf(f.sep, i);
      const raw = sep < 0 ? line.slice(i) : line.slice(i, sep);
      out.push(raw === f.nullValue || raw === '' ? null : raw);
      if (sep < 0) return out;
      i = sep + 1;
    }
  }
}

const TS_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const INT_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$|^[+-]?(NaN|Infinity|Inf)$/;

/** The narrowest type of one field as Spark's CSVInferSchema sees it. */
export function inferFieldType(s: string): DataType {
  if (INT_RE.test(s)) {
    const n = Number(s);
    if (n >= -2147483648 && n <= 2147483647) return IntegerType;
    const b = BigInt(s);
    return BigInt.asIntN(64, b) === b ? LongType : DoubleType;
  }
  if (DOUBLE_RE.test(s)) return DoubleType;
  if (TS_RE.test(s)) return TimestampType;
  const l = s.toLowerCase();
  if (l === 'true' || l === 'false') return BooleanType;
  return StringType;
}

/** Merges two inferred types: numbers widen (int → long → double), anything else mixed becomes string. */
export function mergeInferred(a: DataType | null, b: DataType): DataType {
  if (a === null || a.kind === b.kind) return b;
  const order = ['int', 'long', 'double'];
  const ia = order.indexOf(a.kind);
  const ib = order.indexOf(b.kind);
  if (ia >= 0 && ib >= 0) return ia > ib ? a : b;
  return StringType;
}

/**
 * Converts a field to its column type; undefined when it does not convert (a malformed record).
 * Follows Spark's CSV rules: numbers parse strictly, booleans are true/false, timestamps ISO-8601.
 */
export function convertField(s: string, t: DataType): unknown {
  switch (t.kind) {
    case 'string':
      return s;
    case 'int': {
      if (!INT_RE.test(s.trim())) return undefined;
      const n = Number(s);
      return n >= -2147483648 && n <= 2147483647 ? n : undefined;
    }
    case 'long':
      if (!INT_RE.test(s.trim())) return undefined;
      return castValue(s, StringType, LongType) ?? undefined;
    case 'double': {
      const v = s.trim();
      if (!DOUBLE_RE.test(v)) return undefined;
      if (/^[+-]?Inf$/.test(v)) return v.startsWith('-') ? -Infinity : Infinity;
      return Number(v.replace(/[dDfF]$/, ''));
    }
    case 'boolean': {
      const l = s.trim().toLowerCase();
      return l === 'true' ? true : l === 'false' ? false : undefined;
    }
    case 'timestamp':
      return castValue(s, StringType, TimestampType) ?? undefined;
    case 'binary':
      return new TextEncoder().encode(s);
    default:
      throw new EddyError('UNSUPPORTED', `CSV data source does not support ${simpleString(t)} data type`);
  }
}

/** Refuses types CSV cannot hold, before anything is written or read. */
export function checkCsvType(name: string, t: DataType): void {
  if (t.kind === 'array' || t.kind === 'struct' || t.kind === 'vector') {
    throw new EddyError(
      'UNSUPPORTED',
      `CSV data source does not support ${simpleString(t)} data type (column ${describeValue(name)}); write JSON or Parquet, or cast it to string`,
    );
  }
}

/** A field as Spark's CSV writer prints it, quoted when it holds the separator, a quote or a line break. */
export function formatCsvField(v: unknown, t: DataType, f: CsvFormat): string {
  if (v === null || v === undefined) return f.nullValue;
  let s: string;
  switch (t.kind) {
    case 'double':
      s = formatJavaDouble(v as number);
      break;
    case 'timestamp':
      s = new Date(v as number).toISOString();
      break;
    case 'binary':
      s = new TextDecoder().decode(v as Uint8Array);
      break;
    default:
      s = String(v);
  }
  if (s === '' || s.includes(f.sep) || s.includes(f.quote) || s.includes('\n') || s.includes('\r')) {
    const q = f.quote;
    // Quotes are doubled (RFC 4180), which Spark, DuckDB and pandas all read back.
    return q + s.split(q).join(q + q) + q;
  }
  return s;
}

/**
 * A per-column converter with fast paths for the common cases (plain numbers, true/false) that falls back to
 * convertField for everything else, so results are the same, only quicker.
 */
export function fieldConverter(t: DataType): (s: string) => unknown {
  switch (t.kind) {
    case 'string':
      return (s) => s;
    case 'double':
      return (s) => {
        const c = s.charCodeAt(0);
        if ((c >= 48 && c <= 57) || c === 45) {
          const v = +s;
          if (v === v) return v;
        }
        return convertField(s, t);
      };
    case 'int':
      return (s) => {
        const v = +s;
        if (
          Number.isInteger(v) &&
          v <= 2147483647 &&
          v >= -2147483648 &&
          s.indexOf('.') < 0 &&
          s.indexOf('e') < 0 &&
          s.indexOf('E') < 0 &&
          s.indexOf('x') < 0
        )
          return v;
        return convertField(s, t);
      };
    case 'long':
      return (s) => {
        if (s.length < 16) {
          const v = +s;
          if (
            Number.isInteger(v) &&
            s.indexOf('.') < 0 &&
            s.indexOf('e') < 0 &&
            s.indexOf('E') < 0 &&
            s.indexOf('x') < 0
          )
            return BigInt(v);
        }
        return convertField(s, t);
      };
    case 'boolean':
      return (s) => (s === 'true' ? true : s === 'false' ? false : convertField(s, t));
    default:
      return (s) => convertField(s, t);
  }
}
