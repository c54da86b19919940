import { EddyError } from '../common/errors.js';

/**
 * ML feature vectors, as Spark ML's DenseVector and SparseVector. Values are Float64Array so they move to
 * Arrow, Parquet and numeric kernels without copying element by element.
 */
export abstract class Vector {
  abstract readonly size: number;
  /** The value at index i. */
  abstract get(i: number): number;
  abstract toArray(): Float64Array;
  abstract toString(): string;
  abstract get numNonzeros(): number;

  toDense(): DenseVector {
    return new DenseVector(this.toArray());
  }

  equals(o: Vector): boolean {
    if (o.size !== this.size) return false;
    for (let i = 0; i < this.size; i++) if (this.get(i) !== o.get(i)) return false;
    return true;
  }
}

export class DenseVector extends Vector {
  readonly values: Float64Array;
  constructor(values: Float64Array | readonly number[]) {
    super();
    this.values = values instanceof Float64Array ? values : Float64Array.from(values);
  }
  get size(): number {
    return this.values.length;
  }
  get(i: number): number {
    return this.values[i] ?? 0;
  }
  toArray(): Float64Array {
    return this.values;
  }
  get numNonzeros(): number {
    let n = 0;
    for (const v of this.values) if (v !== 0) n++;
    return n;
  }
  toString(): string {
    return `[${Array.from(this.values, formatJavaDouble).join(',')}]`;
  }
}

export class SparseVector extends Vector {
  readonly size: number;
  readonly indices: Int32Array;
  readonly values: Float64Array;
  constructor(size: number, indices: Int32Array | readonly number[], values: Float64Array | readonly number[]) {
    super();
    this.size = size;
    this.indices = indices instanceof Int32Array ? indices : Int32Array.from(indices);
    this.values = values instanceof Float64Array ? values : Float64Array.from(values);
    if (this.indices.length !== this.values.length) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `sparse vector has ${this.indices.length} indices but ${this.values.length} values; give one value per index`,
      );
    }
    for (let k = 0; k < this.indices.length; k++) {
      const i = this.indices[k]!;
      if (i < 0 || i >= size || (k > 0 && i <= this.indices[k - 1]!)) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `sparse vector index ${i} is out of order or outside [0, ${size}); give strictly increasing indices below the size`,
        );
      }
    }
  }
  get(i: number): number {
    let lo = 0;
    let hi = this.indices.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.indices[mid]!;
      if (v === i) return this.values[mid]!;
      if (v < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }
  toArray(): Float64Array {
    const out = new Float64Array(this.size);
    for (let k = 0; k < this.indices.length; k++) out[this.indices[k]!] = this.values[k]!;
    return out;
  }
  get numNonzeros(): number {
    let n = 0;
    for (const v of this.values) if (v !== 0) n++;
    return n;
  }
  toString(): string {
    return `(${this.size},[${Array.from(this.indices).join(',')}],[${Array.from(this.values, formatJavaDouble).join(',')}])`;
  }
}

/** Factory methods as Spark ML's Vectors object. */
export const Vectors = {
  dense(values: Float64Array | readonly number[]): DenseVector {
    return new DenseVector(values);
  },
  sparse(
    size: number,
    indices: Int32Array | readonly number[],
    values: Float64Array | readonly number[],
  ): SparseVector {
    return new SparseVector(size, indices, values);
  },
  zeros(size: number): DenseVector {
    return new DenseVector(new Float64Array(size));
  },
};

/**
 * A double printed as Java's Double.toString prints it, so that show() and CSV output match Spark:
 * 1.0 rather than 1, and scientific notation below 1e-3 or from 1e7 on (1.0E7).
 */
export function formatJavaDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e7) {
    const s = String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  const m = mant.includes('.') ? mant : `${mant}.0`;
  return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}
