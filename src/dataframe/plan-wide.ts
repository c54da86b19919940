import { RecordBatch } from './batch.js';
import { selectTrue } from './analyzer.js';
import type { Accumulator, AggregateFn } from './aggregates.js';
import type { Bound } from './bound.js';
import { ColumnBuilder, ColumnVector } from './column-vector.js';
import { Plan, collectBatch, forEachBatch, gatherOrNull, type Partition } from './plan.js';
import { columnsOfAll } from './references.js';
import type { ScanRequest } from './scan-request.js';
import { StructType } from './types.js';
import { compareValues, hashKey } from './values.js';

/** The hash key of row i over several key columns; null when any key is null and nulls do not match. */
function rowKey(cols: readonly ColumnVector[], i: number, nullsMatch: boolean): unknown {
  if (cols.length === 1) {
    const v = cols[0]!.get(i);
    if (v === null) return nullsMatch ? NULL_KEY : null;
    return hashKey(v);
  }
  const parts: unknown[] = [];
  for (const c of cols) {
    const v = c.get(i);
    if (v === null && !nullsMatch) return null;
    parts.push(v === null ? null : hashKey(v));
  }
  return JSON.stringify(parts, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
}
const NULL_KEY = Symbol('null');

function childColumns(bs: readonly (Bound | null)[]): number[] | null {
  const s = columnsOfAll(bs);
  return s === null ? null : [...s].sort((a, b) => a - b);
}

/**
 * Hash aggregation: groups rows by the key expressions and feeds each group's accumulators. The output is
 * one row per group: the keys, then the aggregates (the intermediate schema `result` expressions read).
 */
export class AggregatePlan extends Plan {
  readonly children: readonly Plan[];
  readonly intermediate: StructType;
  readonly schema: StructType;
  constructor(
    readonly child: Plan,
    readonly keys: readonly Bound[],
    readonly aggs: readonly AggregateFn[],
    /** Final expressions over [keys..., aggs...]. */
    readonly results: readonly Bound[],
    intermediate: StructType,
  ) {
    super();
    this.children = [child];
    this.intermediate = intermediate;
    this.schema = new StructType(results.map((r) => ({ name: r.name, dataType: r.type, nullable: r.nullable })));
  }

  /** Only the columns the keys and aggregate inputs read are built by the scans below. */
  override childRequests(): ScanRequest[] {
    return [{ columns: childColumns([...this.keys, ...this.aggs.map((a) => a.input)]), filters: [] }];
  }

  async partitions(): Promise<Partition[]> {
    const groups = new Map<unknown, number>();
    const keyValues: unknown[][] = this.keys.map(() => []);
    const accs: Accumulator[][] = this.aggs.map(() => []);
    const global = this.keys.length === 0;
    const newGroup = (): number => {
      const g = accs[0]?.length ?? keyValues[0]?.length ?? 0;
      this.aggs.forEach((a, k) => accs[k]!.push(a.create()));
      return g;
    };
    let ngroups = 0;
    if (global) {
      newGroup();
      ngroups = 1;
    }
    const parts = await this.child.partitionsFor(this.childRequests()[0]!);
    // Groups are created in arrival order; with partitions consumed concurrently that order may vary.
    await forEachBatch(parts, (b) => {
      {
        const keyCols = this.keys.map((k) => k.eval(b));
        const inputs = this.aggs.map((a) => (a.input ? a.input.eval(b) : null));
        const gids = new Int32Array(b.numRows);
        if (!global) {
          for (let i = 0; i < b.numRows; i++) {
            const key = rowKey(keyCols, i, true);
            let g = groups.get(key);
            if (g === undefined) {
              g = ngroups++;
              groups.set(key, g);
              newGroup();
              keyCols.forEach((c, k) => keyValues[k]!.push(c.get(i)));
            }
            gids[i] = g;
          }
        }
        for (let k = 0; k < this.aggs.length; k++) {
          const col = inputs[k];
          const acc = accs[k]!;
          for (let i = 0; i < b.numRows; i++) acc[gids[i]!]!.add(col ? col.get(i) : 1);
        }
      }
    });
    const cols = [
      ...this.keys.map((k, j) => ColumnVector.fromValues(k.type, keyValues[j]!)),
      ...this.aggs.map((a, k) =>
        ColumnVector.fromValues(
          a.type,
          accs[k]!.map((x) => x.result()),
        ),
      ),
    ];
    const inter = new RecordBatch(this.intermediate, cols, ngroups);
    const out = new RecordBatch(
      this.schema,
      this.results.map((r) => r.eval(inter)),
      ngroups,
    );
    return [
      async function* () {
        if (out.numRows > 0) yield out;
      },
    ];
  }
  describe(): string {
    return `Aggregate [${this.keys.map((k) => k.name).join(', ')}], [${this.results.map((r) => r.name).join(', ')}]`;
  }
}

export interface SortKey {
  readonly bound: Bound;
  readonly asc: boolean;
  readonly nullsFirst: boolean;
}

/** A total sort into one partition (a stable sort, so equal keys keep their input order). */
export class SortPlan extends Plan {
  readonly children: readonly Plan[];
  constructor(
    readonly child: Plan,
    readonly keys: readonly SortKey[],
  ) {
    super();
    this.children = [child];
  }
  get schema(): StructType {
    return this.child.schema;
  }
  async partitions(): Promise<Partition[]> {
    const all = await collectBatch(this.child);
    const cols = this.keys.map((k) => k.bound.eval(all));
    const idx = Array.from({ length: all.numRows }, (_, i) => i);
    const numeric = cols.map((c) => c.type.kind === 'double' || c.type.kind === 'int' || c.type.kind === 'timestamp');
    idx.sort((x, y) => {
      for (let k = 0; k < cols.length; k++) {
        const key = this.keys[k]!;
        const c = cols[k]!;
        const nx = c.isNull(x);
        const ny = c.isNull(y);
        if (nx || ny) {
          if (nx && ny) continue;
          return nx === key.nullsFirst ? -1 : 1;
        }
        let r: number;
        if (numeric[k]) {
          const a = (c.data as Float64Array)[x]!;
          const b = (c.data as Float64Array)[y]!;
          r = a < b ? -1 : a > b ? 1 : a === b ? 0 : compareValues(a, b);
        } else r = compareValues(c.get(x), c.get(y));
        if (r !== 0) return key.asc ? r : -r;
      }
      return 0;
    });
    const sorted = all.gather(Int32Array.from(idx));
    return [
      async function* () {
        if (sorted.numRows > 0) yield sorted;
      },
    ];
  }
  describe(): string {
    return `Sort [${this.keys.map((k) => `${k.bound.name} ${k.asc ? 'ASC' : 'DESC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ')}]`;
  }
}

/** Keeps the first row of each distinct key (distinct() keys on every column, dropDuplicates on a subset). */
export class DeduplicatePlan extends Plan {
  readonly children: readonly Plan[];
  constructor(
    readonly child: Plan,
    readonly keyIndices: readonly number[],
    /** Made by distinct() rather than dropDuplicates(): the same rows, but Spark streams only the latter. */
    readonly isDistinct = false,
  ) {
    super();
    this.children = [child];
  }
  get schema(): StructType {
    return this.child.schema;
  }
  async partitions(): Promise<Partition[]> {
    const parts = await this.child.partitions();
    const keyIndices = this.keyIndices;
    // One shared set across partitions: the shuffle Spark would do, in one process.
    return [
      async function* () {
        const seen = new Set<unknown>();
        for (const p of parts) {
          for await (const b of p()) {
            const cols = keyIndices.map((i) => b.column(i));
            const idx = new Int32Array(b.numRows);
            let n = 0;
            for (let i = 0; i < b.numRows; i++) {
              const k = rowKey(cols, i, true);
              if (!seen.has(k)) {
                seen.add(k);
                idx[n++] = i;
              }
            }
            if (n > 0) yield b.gather(idx, n);
          }
        }
      },
    ];
  }
  describe(): string {
    return `Deduplicate [${this.keyIndices.map((i) => this.schema.fields[i]!.name).join(', ')}]`;
  }
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'left_semi' | 'left_anti' | 'cross';

/**
 * A hash join: the right side is built into a hash table on its key expressions, the left side streams
 * through it. Pairs matching the keys then pass the residual condition (non-equi parts of the join
 * expression). Without keys every pair is tried (a nested-loop join).
 * `output` maps the joined pair batch (left columns, then right columns) to the result columns.
 */
export class JoinPlan extends Plan {
  readonly children: readonly Plan[];
  readonly schema: StructType;
  readonly pairSchema: StructType;
  constructor(
    readonly left: Plan,
    readonly right: Plan,
    readonly how: JoinType,
    readonly leftKeys: readonly Bound[],
    readonly rightKeys: readonly Bound[],
    /** Over the pair schema; null when the keys are the whole condition. */
    readonly residual: Bound | null,
    readonly output: readonly Bound[],
  ) {
    super();
    this.children = [left, right];
    const l = left.schema.fields;
    const r = right.schema.fields;
    // Outer joins make the other side's columns nullable.
    const nullL = how === 'right' || how === 'full';
    const nullR = how === 'left' || how === 'full';
    this.pairSchema = new StructType([
      ...l.map((f) => ({ ...f, nullable: f.nullable || nullL })),
      ...r.map((f) => ({ ...f, nullable: f.nullable || nullR })),
    ]);
    this.schema = new StructType(output.map((o) => ({ name: o.name, dataType: o.type, nullable: o.nullable })));
  }

  async partitions(): Promise<Partition[]> {
    const build = await collectBatch(this.right);
    const rkeys = this.rightKeys.map((k) => k.eval(build));
    const table = new Map<unknown, number[]>();
    for (let i = 0; i < build.numRows; i++) {
      const key = this.rightKeys.length === 0 ? 0 : rowKey(rkeys, i, false);
      if (key === null) continue;
      const list = table.get(key);
      if (list) list.push(i);
      else table.set(key, [i]);
    }
    const matchedRight = new Uint8Array(build.numRows);
    const parts = await this.left.partitions();
    const { pairSchema, schema, output, leftKeys, residual } = this;
    const leftSchema = this.left.schema;
    const how = this.how;
    const nl = this.left.schema.fields.length;
    const pairs = (lb: RecordBatch, li: Int32Array, ri: Int32Array): RecordBatch => {
      const cols = [
        ...lb.columns.map((c, j) => gatherOrNull(c, li, pairSchema.fields[j]!.dataType)),
        ...build.columns.map((c, j) => gatherOrNull(c, ri, pairSchema.fields[nl + j]!.dataType)),
      ];
      return new RecordBatch(pairSchema, cols, li.length);
    };
    const finish = (pb: RecordBatch): RecordBatch =>
      new RecordBatch(
        schema,
        output.map((o) => o.eval(pb)),
        pb.numRows,
      );
    const out: Partition[] = parts.map(
      (p) =>
        async function* () {
          for await (const lb of p()) {
            const lkeys = leftKeys.map((k) => k.eval(lb));
            const li: number[] = [];
            const ri: number[] = [];
            for (let i = 0; i < lb.numRows; i++) {
              const key = leftKeys.length === 0 ? 0 : rowKey(lkeys, i, false);
              const list = key === null ? undefined : table.get(key);
              if (list) {
                for (const r of list) {
                  li.push(i);
                  ri.push(r);
                }
              }
            }
            let L = Int32Array.from(li);
            let R = Int32Array.from(ri);
            if (residual && L.length > 0) {
              const { indices, count } = selectTrue(residual, pairs(lb, L, R));
              L = Int32Array.from(indices.subarray(0, count), (k) => L[k]!);
              R = Int32Array.from(indices.subarray(0, count), (k) => R[k]!);
            }
            for (const r of R) matchedRight[r] = 1;
            if (how === 'left_semi' || how === 'left_anti') {
              const hit = new Uint8Array(lb.numRows);
              for (const l of L) hit[l] = 1;
              const keep: number[] = [];
              for (let i = 0; i < lb.numRows; i++) if ((hit[i] === 1) === (how === 'left_semi')) keep.push(i);
              if (keep.length > 0) yield lb.gather(Int32Array.from(keep));
              continue;
            }
            if (how === 'left' || how === 'full') {
              const hit = new Uint8Array(lb.numRows);
              for (const l of L) hit[l] = 1;
              const extraL: number[] = [];
              for (let i = 0; i < lb.numRows; i++) if (hit[i] === 0) extraL.push(i);
              if (extraL.length > 0) {
                // Keep left order: merge matched pairs and unmatched rows by left index.
                const all = [...L.keys()]
                  .map((k) => [L[k]!, R[k]!] as const)
                  .concat(extraL.map((l) => [l, -1] as const));
                all.sort((a, b) => a[0] - b[0]);
                L = Int32Array.from(all, (x) => x[0]);
                R = Int32Array.from(all, (x) => x[1]);
              }
            }
            if (L.length > 0) yield finish(pairs(lb, L, R));
          }
        },
    );
    if (how === 'right' || how === 'full') {
      // The unmatched right rows are known only after every left partition ran, so they come last.
      const leftParts = out;
      return [
        async function* () {
          for (const p of leftParts) yield* p();
          const extra: number[] = [];
          for (let i = 0; i < build.numRows; i++) if (matchedRight[i] === 0) extra.push(i);
          if (extra.length === 0) return;
          const R = Int32Array.from(extra);
          const L = new Int32Array(R.length).fill(-1);
          const empty = RecordBatch.empty(leftSchema);
          yield finish(pairs(empty, L, R));
        },
      ];
    }
    return out;
  }
  describe(): string {
    return `Join ${this.how} [${this.leftKeys.map((k, i) => `${k.name} = ${this.rightKeys[i]!.name}`).join(' AND ')}]${this.residual ? ` AND ${this.residual.name}` : ''}`;
  }
}

export { ColumnBuilder };
