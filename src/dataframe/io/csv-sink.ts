import { allocate, ColumnVector, type ColumnData } from '../column-vector.js';
import type { DataType } from '../types.js';
import { convertField } from './csv.js';

/**
 * One column of a CSV scan batch, written in place: row r's value goes straight into the typed array, with no
 * intermediate row object. Every row writes every column (a value or null), so a row that is dropped
 * (DROPMALFORMED) is simply overwritten by the next one.
 */
export class SinkColumn {
  data: ColumnData;
  validity: Uint8Array | null = null;
  /**
   * String columns: each row's index in the intern table (-1 for null), valid while `coded` (every value of
   * the batch came from the table), so the batch can cross threads as codes without hashing every row again.
   */
  codes: Int32Array | null;
  coded = true;
  /** The intern table the codes index (append-only, so earlier codes stay right). */
  dict: string[] | null = null;
  /** Writes field text `s` at row r; false when it does not convert (the row is then malformed). */
  readonly put: (s: string, r: number) => boolean;
  /** As put, for the text line[a, b), parsing numbers in place without cutting a substring when it can. */
  readonly putRange: (line: string, a: number, b: number, r: number) => boolean;

  constructor(
    readonly type: DataType,
    private readonly capacity: number,
  ) {
    this.data = allocate(type, capacity);
    this.codes = type.kind === 'string' ? new Int32Array(capacity) : null;
    this.put = makePut(this, type);
    this.putRange = makePutRange(this, type, this.put);
  }

  setNull(r: number): void {
    if (this.validity === null) this.validity = new Uint8Array(this.capacity).fill(1);
    this.validity[r] = 0;
    if (Array.isArray(this.data)) this.data[r] = null;
    if (this.codes !== null) this.codes[r] = -1;
  }

  /** Writes an already converted value (or null) at row r. */
  set(r: number, v: unknown): void {
    if (v === null || v === undefined) return this.setNull(r);
    const d = this.data;
    if (Array.isArray(d)) {
      d[r] = v;
      this.coded = false;
    } else if (d instanceof BigInt64Array) d[r] = v as bigint;
    else (d as Float64Array)[r] = this.type.kind === 'boolean' ? (v ? 1 : 0) : (v as number);
    if (this.validity !== null) this.validity[r] = 1;
  }

  /** The value at row r as a filter sees it: a number, a string, 0/1 for booleans, or null. */
  value(r: number): unknown {
    if (this.validity !== null && this.validity[r] === 0) return null;
    return this.data[r] ?? null;
  }

  /** The first n rows as a column; the sink starts over with fresh arrays. */
  finish(n: number): ColumnVector {
    const d = this.data;
    const data = Array.isArray(d) ? d.slice(0, n) : (d as Float64Array).subarray(0, n);
    let validity = this.validity ? this.validity.subarray(0, n) : null;
    if (validity && validity.indexOf(0) < 0) validity = null;
    this.data = allocate(this.type, this.capacity);
    this.validity = null;
    const col = new ColumnVector(this.type, n, data, validity);
    if (this.codes !== null) {
      if (this.coded && this.dict !== null)
        dictionaries.set(col, { dict: this.dict, codes: this.codes.subarray(0, n) });
      this.codes = new Int32Array(this.capacity);
      this.coded = true;
    }
    return col;
  }
}

const dictionaries = new WeakMap<ColumnVector, { dict: string[]; codes: Int32Array }>();

/** A scanned string column as intern-table codes, when every value came from the table. */
export function dictionaryOf(col: ColumnVector): { dict: string[]; codes: Int32Array } | undefined {
  return dictionaries.get(col);
}

function makePut(c: SinkColumn, t: DataType): (s: string, r: number) => boolean {
  const slow = (s: string, r: number): boolean => {
    const v = convertField(s, t);
    if (v === undefined) {
      c.setNull(r);
      return false;
    }
    c.set(r, v);
    return true;
  };
  switch (t.kind) {
    case 'double':
      return (s, r) => {
        const ch = s.charCodeAt(0);
        if ((ch >= 48 && ch <= 57) || ch === 45) {
          const v = +s;
          if (v === v) {
            (c.data as Float64Array)[r] = v;
            if (c.validity !== null) c.validity[r] = 1;
            return true;
          }
        }
        return slow(s, r);
      };
    case 'int':
      return (s, r) => {
        const v = +s;
        if ((v | 0) === v && s.indexOf('.') < 0 && s.indexOf('e') < 0 && s.indexOf('E') < 0 && s.indexOf('x') < 0) {
          (c.data as Int32Array)[r] = v;
          if (c.validity !== null) c.validity[r] = 1;
          return true;
        }
        return slow(s, r);
      };
    case 'string':
      return (s, r) => {
        (c.data as unknown[])[r] = s;
        if (c.validity !== null) c.validity[r] = 1;
        c.coded = false;
        return true;
      };
    case 'boolean':
      return (s, r) => {
        if (s === 'true' || s === 'false') {
          (c.data as Uint8Array)[r] = s === 'true' ? 1 : 0;
          if (c.validity !== null) c.validity[r] = 1;
          return true;
        }
        return slow(s, r);
      };
    default:
      return slow;
  }
}

const INTERN_MAX = 4096;
/** Twice INTERN_MAX, a power of two: the table stays at most half full, so probes stay short. */
const INTERN_SLOTS = 8192;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Decimal text of up to 15 digits is m / 10^k with m and 10^k exact doubles, and one IEEE division is
 * correctly rounded, so the result equals Number(text) (Clinger's fast path). Anything else falls back.
 */
function makePutRange(
  c: SinkColumn,
  t: DataType,
  put: (s: string, r: number) => boolean,
): (line: string, a: number, b: number, r: number) => boolean {
  const fallback = (line: string, a: number, b: number, r: number): boolean => put(line.slice(a, b), r);
  switch (t.kind) {
    case 'double':
      return (line, a, b, r) => {
        let i = a;
        let neg = false;
        if (line.charCodeAt(i) === 45) {
          neg = true;
          i++;
        }
        let m = 0;
        let digits = 0;
        let scale = 0;
        let dot = false;
        for (; i < b; i++) {
          const ch = line.charCodeAt(i);
          if (ch >= 48 && ch <= 57) {
            m = m * 10 + (ch - 48);
            digits++;
            if (dot) scale++;
          } else if (ch === 46 && !dot) dot = true;
          else return fallback(line, a, b, r);
        }
        if (digits === 0 || digits > 15) return fallback(line, a, b, r);
        const v = scale === 0 ? m : m / POW10[scale]!;
        (c.data as Float64Array)[r] = neg ? -v : v;
        if (c.validity !== null) c.validity[r] = 1;
        return true;
      };
    case 'int':
      return (line, a, b, r) => {
        let i = a;
        let neg = false;
        if (line.charCodeAt(i) === 45) {
          neg = true;
          i++;
        }
        if (i === b || b - i > 9) return fallback(line, a, b, r);
        let m = 0;
        for (; i < b; i++) {
          const ch = line.charCodeAt(i);
          if (ch < 48 || ch > 57) return fallback(line, a, b, r);
          m = m * 10 + (ch - 48);
        }
        (c.data as Int32Array)[r] = neg ? -m : m;
        if (c.validity !== null) c.validity[r] = 1;
        return true;
      };
    case 'string': {
      // Low-cardinality columns (categories, labels) repeat a few values: reusing one string per value saves
      // an allocation per field. An open-addressing table of up to INTERN_MAX strings (small-integer slots,
      // compared in place without cutting the field out); dropped after many misses (a high-cardinality column).
      let slots: Int32Array | null = new Int32Array(INTERN_SLOTS).fill(-1);
      const strings: string[] = [];
      c.dict = strings;
      let misses = 0;
      return (line, a, b, r) => {
        const n = b - a;
        let s: string | undefined;
        if (slots !== null && n <= 32) {
          let h = n;
          for (let i = a; i < b; i++) h = (Math.imul(h, 31) + line.charCodeAt(i)) | 0;
          let slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
          for (;;) {
            const k = slots[slot]!;
            if (k < 0) break;
            const cand = strings[k]!;
            if (cand.length === n) {
              let i = 0;
              while (i < n && cand.charCodeAt(i) === line.charCodeAt(a + i)) i++;
              if (i === n) {
                s = cand;
                c.codes![r] = k;
                break;
              }
            }
            slot = (slot + 1) & (INTERN_SLOTS - 1);
          }
          if (s === undefined) {
            s = line.slice(a, b);
            if (strings.length < INTERN_MAX) {
              // A copy of its own, so the table does not keep the whole chunk of text alive.
              c.codes![r] = slots[slot] = strings.length;
              s = Buffer.from(s, 'utf8').toString('utf8');
              strings.push(s);
            } else {
              c.coded = false;
              if (++misses > INTERN_MAX) slots = null;
            }
          }
        } else {
          s = line.slice(a, b);
          c.coded = false;
        }
        (c.data as unknown[])[r] = s;
        if (c.validity !== null) c.validity[r] = 1;
        return true;
      };
    }
    case 'boolean':
      return (line, a, b, r) => {
        const n = b - a;
        const v = n === 4 && line.startsWith('true', a) ? 1 : n === 5 && line.startsWith('false', a) ? 0 : -1;
        if (v < 0) return fallback(line, a, b, r);
        (c.data as Uint8Array)[r] = v;
        if (c.validity !== null) c.validity[r] = 1;
        return true;
      };
    default:
      return fallback;
  }
}
