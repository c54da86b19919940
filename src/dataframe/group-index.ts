import type { ColumnVector } from './column-vector.js';
import { hashKey } from './values.js';

/**
 * Dense group ids for the rows of a hash aggregation: each distinct combination of key values gets the next id,
 * in order of first appearance, and the key values of every group are kept (as first seen) for the output.
 *
 * Each key column is dictionary-encoded on its own (a Map from the value to a small code: strings, numbers and
 * bigints are their own Map keys, so no key string is built per row; structs, arrays and binaries go through
 * hashKey once per distinct object of a batch — rows sharing one value object, as window() makes, pay once), and the
 * codes of several columns are then combined. Equality is Spark's grouping equality: null equals null, NaN
 * equals NaN, 0.0 equals -0.0.
 */
export class GroupIndex {
  private readonly dicts: ColumnDictionary[];
  /**
   * Two keys, per code of the first: a table from code of the second to group id (-1: none yet), grown as codes
   * appear — a few array reads per row; or, once the tables would pass MAX_PAIR_CELLS together (many distinct
   * values in both keys), a Map from code of the second to id. With one key the code is the group id.
   */
  private readonly pairTables: (Int32Array | undefined)[] = [];
  private pairCells = 0;
  private readonly pairs: (Map<number, number> | undefined)[] = [];
  private readonly tuples = new Map<string, number>();
  private readonly values: unknown[][];
  /** Per key column, each group's dictionary code (with one key the code is the group id, so none is kept). */
  private readonly codes: number[][];
  private n = 0;

  constructor(readonly numKeys: number) {
    this.dicts = Array.from({ length: numKeys }, () => new ColumnDictionary());
    this.values = Array.from({ length: numKeys }, () => []);
    this.codes = Array.from({ length: numKeys }, () => []);
  }

  /**
   * The dictionary code of group g's value in key column k: groups sharing a value share its code, so work on
   * a key value (encoding it, say) can be done once per distinct value and reused. Codes are below
   * `distinctValues(k)`.
   */
  code(k: number, g: number): number {
    return this.numKeys === 1 ? g : this.codes[k]![g]!;
  }

  /** Number of distinct values seen in key column k. */
  distinctValues(k: number): number {
    return this.dicts[k]!.size;
  }

  /** Number of groups so far. */
  get size(): number {
    return this.n;
  }

  /** The value of key column `k` for every group, in id order. */
  keyValues(k: number): readonly unknown[] {
    return this.values[k]!;
  }

  /** The group ids of rows [0, numRows) given the batch's key columns; new groups get new ids. */
  assign(cols: readonly ColumnVector[], numRows: number): Int32Array {
    const gids = new Int32Array(numRows);
    const k = this.numKeys;
    if (k === 0) {
      if (this.n === 0) this.n = 1;
      return gids;
    }
    const codes = cols.map((c, j) => this.dicts[j]!.encode(c, numRows));
    if (k === 1) {
      const c0 = codes[0]!;
      const dict = this.dicts[0]!;
      // With one key the dictionary code is the id: record values of codes seen for the first time.
      for (let j = this.n; j < dict.size; j++) this.values[0]!.push(dict.value(j));
      this.n = dict.size;
      return c0;
    }
    if (k === 2) {
      const [c0, c1] = codes as [Int32Array, Int32Array];
      const tables = this.pairTables;
      for (let i = 0; i < numRows; i++) {
        const a = c0[i]!;
        const b = c1[i]!;
        const t = tables[a];
        if (t !== undefined && b < t.length) {
          const g = t[b]!;
          if (g >= 0) {
            gids[i] = g;
            continue;
          }
        }
        gids[i] = this.pairGroup(codes, i, a, b);
      }
      return gids;
    }
    for (let i = 0; i < numRows; i++) {
      let key = String(codes[0]![i]);
      for (let j = 1; j < k; j++) key += `,${codes[j]![i]}`;
      let g = this.tuples.get(key);
      if (g === undefined) {
        g = this.newGroup(codes, i);
        this.tuples.set(key, g);
      }
      gids[i] = g;
    }
    return gids;
  }

  /** The group of a pair of codes not found in the tables: from the pair's Map, or a new group. */
  private pairGroup(codes: Int32Array[], row: number, a: number, b: number): number {
    let m = this.pairs[a];
    let t = this.pairTables[a];
    if (m === undefined && (t === undefined || t.length <= b)) {
      const old = t?.length ?? 0;
      const size = Math.max(b + 1, old * 2, 64);
      if (this.pairCells - old + size <= MAX_PAIR_CELLS) {
        const next = new Int32Array(size).fill(-1);
        if (t !== undefined) next.set(t);
        this.pairTables[a] = t = next;
        this.pairCells += size - old;
      } else {
        this.pairs[a] = m = new Map();
        if (t !== undefined) for (let x = 0; x < t.length; x++) if (t[x]! >= 0) m.set(x, t[x]!);
        this.pairTables[a] = undefined;
        this.pairCells -= old;
      }
    }
    if (m !== undefined) {
      let g = m.get(b);
      if (g === undefined) m.set(b, (g = this.newGroup(codes, row)));
      return g;
    }
    let g = t![b]!;
    if (g < 0) t![b] = g = this.newGroup(codes, row);
    return g;
  }

  private newGroup(codes: Int32Array[], row: number): number {
    for (let j = 0; j < this.numKeys; j++) {
      const c = codes[j]![row]!;
      this.values[j]!.push(this.dicts[j]!.value(c));
      this.codes[j]!.push(c);
    }
    return this.n++;
  }
}

/** Cells (4 bytes each) the two-key tables may take together before pairs go to Maps. */
const MAX_PAIR_CELLS = 1 << 22;

const NULL = Symbol('null');

/** The distinct values of one key column, each with a code in order of first appearance. */
class ColumnDictionary {
  private readonly codes = new Map<unknown, number>();
  private readonly distinct: unknown[] = [];

  get size(): number {
    return this.distinct.length;
  }

  value(code: number): unknown {
    return this.distinct[code];
  }

  encode(col: ColumnVector, n: number): Int32Array {
    const out = new Int32Array(n);
    const { codes, distinct } = this;
    const data = col.data;
    const validity = col.validity;
    const objects = Array.isArray(data) && col.type.kind !== 'string';
    const isBoolean = col.type.kind === 'boolean';
    // Rows often share value objects (window() makes one per window and batch): each object is hashed once.
    const byObject = objects ? new Map<unknown, number>() : null;
    let lastObject: unknown = undefined;
    let lastCode = -1;
    for (let i = 0; i < n; i++) {
      let key: unknown;
      let v: unknown;
      if (validity !== null && validity[i] === 0) {
        key = NULL;
        v = null;
      } else {
        v = data[i];
        if (objects) {
          if (v === null || v === undefined) {
            key = NULL;
            v = null;
          } else if (v === lastObject) {
            out[i] = lastCode;
            continue;
          } else {
            const known = byObject!.get(v);
            if (known !== undefined) {
              out[i] = lastCode = known;
              lastObject = v;
              continue;
            }
            key = hashKey(v);
          }
        } else {
          if (isBoolean) v = v === 1;
          else if (v === undefined) v = null;
          key = v === null ? NULL : v;
        }
      }
      let c = codes.get(key);
      if (c === undefined) {
        c = distinct.length;
        codes.set(key, c);
        distinct.push(v);
      }
      out[i] = c;
      if (byObject !== null && v !== null) {
        byObject.set(v, c);
        lastObject = v;
        lastCode = c;
      }
    }
    return out;
  }
}
