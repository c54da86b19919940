import { EddyError } from '../common/errors.js';
import type { DataType } from './types.js';

/**
 * One column of a batch, laid out as Arrow lays it out where JavaScript allows it cheaply:
 *   int → Int32Array, long → BigInt64Array, double → Float64Array, timestamp → Float64Array of epoch
 *   milliseconds (Date's unit), boolean → Uint8Array of 0/1, everything else (string, binary, array, vector,
 *   struct) → a plain array of values.
 * Nulls are a validity array: one byte per row, 1 = valid, or `null` when no row is null. Bytes rather than
 * Arrow's bits keep per-row access branch-free; toArrow packs them.
 * Values stored at null positions are unspecified (0 for typed arrays).
 */
export type ColumnData = Float64Array | Int32Array | BigInt64Array | Uint8Array | unknown[];

export class ColumnVector {
  constructor(
    readonly type: DataType,
    readonly length: number,
    readonly data: ColumnData,
    readonly validity: Uint8Array | null,
  ) {}

  isNull(i: number): boolean {
    return this.validity !== null && this.validity[i] === 0;
  }

  /** The internal value at row i (timestamp as epoch ms number, long as bigint, boolean as boolean), or null. */
  get(i: number): unknown {
    if (this.validity !== null && this.validity[i] === 0) return null;
    const v = this.data[i];
    if (this.type.kind === 'boolean') return v === 1;
    return v === undefined ? null : v;
  }

  nullCount(): number {
    if (this.validity === null) return 0;
    let n = 0;
    for (let i = 0; i < this.length; i++) if (this.validity[i] === 0) n++;
    return n;
  }

  /** Rows at the given indices, in that order. */
  gather(indices: ArrayLike<number>, count = indices.length): ColumnVector {
    const data = allocate(this.type, count);
    const src = this.data;
    if (Array.isArray(src)) {
      const dst = data as unknown[];
      for (let k = 0; k < count; k++) dst[k] = src[indices[k]!];
    } else {
      const dst = data as Float64Array;
      const s = src as Float64Array;
      for (let k = 0; k < count; k++) dst[k] = s[indices[k]!]!;
    }
    let validity: Uint8Array | null = null;
    if (this.validity !== null) {
      validity = new Uint8Array(count);
      for (let k = 0; k < count; k++) validity[k] = this.validity[indices[k]!]!;
    }
    return new ColumnVector(this.type, count, data, validity);
  }

  slice(start: number, end: number): ColumnVector {
    const data = Array.isArray(this.data)
      ? this.data.slice(start, end)
      : (this.data as Float64Array).subarray(start, end);
    return new ColumnVector(this.type, end - start, data, this.validity?.subarray(start, end) ?? null);
  }

  static fromValues(type: DataType, values: readonly unknown[]): ColumnVector {
    const b = new ColumnBuilder(type, values.length);
    for (const v of values) b.append(v);
    return b.finish();
  }

  /** A column of `length` copies of one value. */
  static constant(type: DataType, value: unknown, length: number): ColumnVector {
    const data = allocate(type, length);
    if (value === null || value === undefined) return new ColumnVector(type, length, data, new Uint8Array(length));
    if (Array.isArray(data)) data.fill(value);
    else if (data instanceof BigInt64Array) data.fill(value as bigint);
    else (data as Float64Array).fill(type.kind === 'boolean' ? (value ? 1 : 0) : (value as number));
    return new ColumnVector(type, length, data, null);
  }

  static concat(type: DataType, parts: readonly ColumnVector[]): ColumnVector {
    if (parts.length === 1) return parts[0]!;
    const length = parts.reduce((n, p) => n + p.length, 0);
    const data = allocate(type, length);
    const anyNull = parts.some((p) => p.validity !== null);
    const validity = anyNull ? new Uint8Array(length).fill(1) : null;
    let off = 0;
    for (const p of parts) {
      if (Array.isArray(data)) {
        const src = p.data as unknown[];
        for (let i = 0; i < p.length; i++) data[off + i] = src[i];
      } else (data as Float64Array).set(p.data as Float64Array, off);
      if (validity && p.validity) validity.set(p.validity, off);
      off += p.length;
    }
    return new ColumnVector(type, length, data, validity);
  }
}

export function allocate(type: DataType, n: number): ColumnData {
  switch (type.kind) {
    case 'double':
    case 'timestamp':
      return new Float64Array(n);
    case 'int':
      return new Int32Array(n);
    case 'long':
      return new BigInt64Array(n);
    case 'boolean':
      return new Uint8Array(n);
    default:
      return new Array<unknown>(n).fill(null);
  }
}

/** Appends internal values (see ColumnVector.get) into a growing column. */
export class ColumnBuilder {
  private data: ColumnData;
  private validity: Uint8Array | null = null;
  private n = 0;

  constructor(
    readonly type: DataType,
    capacity = 1024,
  ) {
    this.data = allocate(type, Math.max(capacity, 16));
  }

  get length(): number {
    return this.n;
  }

  private grow(): void {
    const cap = this.data.length * 2;
    if (Array.isArray(this.data)) return;
    const next = allocate(this.type, cap) as Float64Array;
    next.set(this.data as Float64Array);
    this.data = next;
    if (this.validity) {
      const v = new Uint8Array(cap);
      v.set(this.validity);
      this.validity = v;
    }
  }

  private ensureValidity(): void {
    const v = this.validity!;
    if (v.length > this.n) return;
    const nv = new Uint8Array(Math.max(this.n * 2, 16));
    nv.set(v);
    this.validity = nv;
  }

  appendNull(): void {
    if (this.n >= this.data.length) this.grow();
    if (this.validity === null) {
      this.validity = new Uint8Array(Math.max(this.data.length, this.n + 1));
      this.validity.fill(1, 0, this.n);
    } else this.ensureValidity();
    if (Array.isArray(this.data)) this.data[this.n] = null;
    this.n++;
  }

  append(v: unknown): void {
    if (v === null || v === undefined) {
      this.appendNull();
      return;
    }
    if (this.n >= this.data.length) this.grow();
    const d = this.data;
    if (Array.isArray(d)) d[this.n] = v;
    else if (d instanceof BigInt64Array) d[this.n] = v as bigint;
    else if (this.type.kind === 'boolean') d[this.n] = v ? 1 : 0;
    else (d as Float64Array)[this.n] = v as number;
    if (this.validity !== null) {
      this.ensureValidity();
      this.validity![this.n] = 1;
    }
    this.n++;
  }

  finish(): ColumnVector {
    const d = this.data;
    const data = Array.isArray(d)
      ? d.length === this.n
        ? d
        : d.slice(0, this.n)
      : (d as Float64Array).subarray(0, this.n);
    const validity = this.validity ? this.validity.subarray(0, this.n) : null;
    return new ColumnVector(this.type, this.n, data, validity);
  }
}

export function assertLength(col: ColumnVector, n: number): void {
  if (col.length !== n) throw new EddyError('INTERNAL', `column of ${col.length} rows in a batch of ${n} rows`);
}
