import { EddyError } from '../common/errors.js';
import { seededRandom } from '../common/random.js';
import { RecordBatch } from './batch.js';
import { selectTrue } from './analyzer.js';
import type { Bound } from './bound.js';
import { ColumnBuilder, ColumnVector } from './column-vector.js';
import { generate, type Generator } from './generate.js';
import { PrunedColumn } from './pruned-column.js';
import { columnsOf, columnsOfAll, exprOf } from './references.js';
import {
  FULL_SCAN,
  describeFilter,
  pushableFilters,
  unionColumns,
  type ScanRequest,
  type SourceFilter,
} from './scan-request.js';
import { StructType, type DataType } from './types.js';

function toArray(s: Set<number> | null): number[] | null {
  return s === null ? null : [...s].sort((a, b) => a - b);
}

/**
 * The logical plan that a DataFrame is, and how it runs. A plan's schema is computed when the node is built
 * (so errors surface at plan time); running it yields partitions, each a lazy stream of column batches.
 * Narrow operators (project, filter, sample) stream batch by batch, so memory stays bounded whatever the
 * input size; wide ones (aggregate, sort, join, distinct) gather their input first, as a shuffle would.
 */
export type Partition = () => AsyncIterable<RecordBatch>;

export abstract class Plan {
  abstract readonly schema: StructType;
  /** The partitions of the result; each may be iterated more than once. */
  abstract partitions(): Promise<Partition[]>;
  /**
   * The partitions when the consumer reads only `req.columns` of the output and keeps only rows passing
   * `req.filters`: columns it does not read may come back as PrunedColumns, rows failing a filter may be
   * left out (or not). Operators that know what their child reads pass a narrower request down; the default
   * ignores the request, which is always correct.
   */
  partitionsFor(req: ScanRequest): Promise<Partition[]> {
    void req;
    return this.partitions();
  }
  /** One line for explain(). */
  abstract describe(): string;
  abstract readonly children: readonly Plan[];

  /** What this node asks of each child when its consumer asks `req` (by default: everything). */
  childRequests(req: ScanRequest): ScanRequest[] {
    void req;
    return this.children.map(() => FULL_SCAN);
  }
  /** One line for explain() when the consumer asks `req` (scans show what they read). */
  describeFor(req: ScanRequest): string {
    void req;
    return this.describe();
  }

  explain(indent = '', req: ScanRequest = FULL_SCAN): string {
    const reqs = this.childRequests(req);
    return [
      `${indent}${this.describeFor(req)}`,
      ...this.children.map((c, i) => c.explain(`${indent}  `, reqs[i] ?? FULL_SCAN)),
    ].join('\n');
  }
}

/** Rows already in memory: createDataFrame, fromArrow, and cached results. */
export class LocalRelation extends Plan {
  readonly children = [];
  constructor(
    readonly schema: StructType,
    private readonly parts: readonly (readonly RecordBatch[])[],
  ) {
    super();
  }
  partitions(): Promise<Partition[]> {
    return Promise.resolve(
      this.parts.map(
        (batches) =>
          async function* () {
            yield* batches;
          },
      ),
    );
  }
  describe(): string {
    return `LocalRelation [${this.schema.fieldNames.join(', ')}], ${this.parts.length} partition(s)`;
  }
}

/**
 * A source whose partitions are computed on demand (file scans), for a request: a scan builds only the
 * columns asked for (the others are PrunedColumns) and may apply the filters while it reads.
 */
export class ScanPlan extends Plan {
  readonly children = [];
  constructor(
    readonly schema: StructType,
    private readonly source: (req: ScanRequest) => Promise<Partition[]>,
    private readonly label: string,
  ) {
    super();
  }
  partitions(): Promise<Partition[]> {
    return this.source(FULL_SCAN);
  }
  override partitionsFor(req: ScanRequest): Promise<Partition[]> {
    return this.source(req);
  }
  /** Spark's FileScan line: the columns read and the filters pushed. */
  override describeFor(req: ScanRequest): string {
    const cols = req.columns === null ? this.schema.fields : req.columns.map((i) => this.schema.fields[i]!);
    return (
      `${this.label}, ReadSchema: [${cols.map((f) => f.name).join(', ')}]` +
      (req.filters.length > 0
        ? `, PushedFilters: [${req.filters.map((f) => describeFilter(f, this.schema)).join(', ')}]`
        : '')
    );
  }
  describe(): string {
    return this.label;
  }
}

export type { Generator };

export class ProjectPlan extends Plan {
  readonly schema: StructType;
  readonly children: readonly Plan[];
  constructor(
    readonly child: Plan,
    readonly exprs: readonly Bound[],
    readonly generator: Generator | null = null,
  ) {
    super();
    this.children = [child];
    this.schema = new StructType(exprs.map((e) => ({ name: e.name, dataType: e.type, nullable: e.nullable })));
  }

  /** Evaluates the select list over a batch; outputs not in `needed` (null: all) are left pruned. */
  project(batch: RecordBatch, needed: ReadonlySet<number> | null = null): RecordBatch {
    const skip = (k: number): boolean => needed !== null && !needed.has(k);
    if (!this.generator)
      return new RecordBatch(
        this.schema,
        this.exprs.map((e, k) => (skip(k) ? new PrunedColumn(e.type, batch.numRows) : e.eval(batch))),
        batch.numRows,
      );
    return generate(this.schema, this.exprs, this.generator, batch, skip);
  }

  partitions(): Promise<Partition[]> {
    return this.partitionsFor(FULL_SCAN);
  }
  override childRequests(req: ScanRequest): ScanRequest[] {
    const needed = req.columns === null ? null : new Set(req.columns);
    const used = this.exprs.map((e, k) =>
      k === this.generator?.index ? this.generator.input : needed === null || needed.has(k) ? e : null,
    );
    // Filters name this node's outputs, not the child's columns: they stop here.
    return [{ columns: toArray(columnsOfAll(used)), filters: [] }];
  }
  override async partitionsFor(req: ScanRequest): Promise<Partition[]> {
    const needed = req.columns === null ? null : new Set(req.columns);
    const parts = await this.child.partitionsFor(this.childRequests(req)[0]!);
    const project = (b: RecordBatch): RecordBatch => this.project(b, needed);
    return parts.map(
      (p) =>
        async function* () {
          for await (const b of p()) yield project(b);
        },
    );
  }
  describe(): string {
    return `Project [${this.exprs.map((e) => e.name).join(', ')}]${this.generator ? ' with Generate' : ''}`;
  }
}

export class FilterPlan extends Plan {
  readonly children: readonly Plan[];
  constructor(
    readonly child: Plan,
    readonly predicate: Bound,
  ) {
    super();
    this.children = [child];
  }
  get schema(): StructType {
    return this.child.schema;
  }
  /** The conjuncts a scan below can apply while reading (computed once). */
  get pushable(): readonly SourceFilter[] {
    if (this.pushed === undefined) {
      const e = exprOf(this.predicate);
      this.pushed = e === null ? [] : pushableFilters(e, this.child.schema);
    }
    return this.pushed;
  }
  private pushed: readonly SourceFilter[] | undefined;
  partitions(): Promise<Partition[]> {
    return this.partitionsFor(FULL_SCAN);
  }
  override childRequests(req: ScanRequest): ScanRequest[] {
    return [
      { columns: unionColumns(req.columns, columnsOf(this.predicate)), filters: [...req.filters, ...this.pushable] },
    ];
  }
  override async partitionsFor(req: ScanRequest): Promise<Partition[]> {
    const parts = await this.child.partitionsFor(this.childRequests(req)[0]!);
    const pred = this.predicate;
    return parts.map(
      (p) =>
        async function* () {
          for await (const b of p()) {
            const { indices, count } = selectTrue(pred, b);
            if (count === b.numRows) yield b;
            else if (count > 0) yield b.gather(indices, count);
          }
        },
    );
  }
  describe(): string {
    return `Filter ${this.predicate.name}`;
  }
}

export class LimitPlan extends Plan {
  readonly children: readonly Plan[];
  constructor(
    readonly child: Plan,
    readonly n: number,
  ) {
    super();
    this.children = [child];
  }
  get schema(): StructType {
    return this.child.schema;
  }
  partitions(): Promise<Partition[]> {
    return this.partitionsFor(FULL_SCAN);
  }
  override childRequests(req: ScanRequest): ScanRequest[] {
    // A filter must not move below a limit: it would change which rows are the first n.
    return [{ columns: req.columns, filters: [] }];
  }
  override async partitionsFor(req: ScanRequest): Promise<Partition[]> {
    const parts = await this.child.partitionsFor(this.childRequests(req)[0]!);
    const n = this.n;
    return [
      async function* () {
        let left = n;
        for (const p of parts) {
          if (left <= 0) return;
          // Leaving the loop early closes the source iterator, and with it any open file.
          for await (const b of p()) {
            if (b.numRows >= left) {
              yield b.slice(0, left);
              left = 0;
              break;
            }
            left -= b.numRows;
            yield b;
          }
        }
      },
    ];
  }
  describe(): string {
    return `Limit ${this.n}`;
  }
}

export class UnionPlan extends Plan {
  constructor(
    readonly schema: StructType,
    readonly children: readonly Plan[],
  ) {
    super();
  }
  partitions(): Promise<Partition[]> {
    return this.partitionsFor(FULL_SCAN);
  }
  override childRequests(req: ScanRequest): ScanRequest[] {
    // Union is by position, so a request means the same columns (and rows) of every input.
    return this.children.map(() => req);
  }
  override async partitionsFor(req: ScanRequest): Promise<Partition[]> {
    const schema = this.schema;
    const all = await Promise.all(this.children.map((c) => c.partitionsFor(req)));
    // Batches keep their own columns; only the schema (names, nullability) is the union's.
    return all.flat().map(
      (p) =>
        async function* () {
          for await (const b of p()) yield new RecordBatch(schema, b.columns, b.numRows);
        },
    );
  }
  describe(): string {
    return 'Union';
  }
}

/**
 * Keeps each row whose draw falls in [lower, upper). randomSplit gives each split its own range of one seeded
 * sequence, so the splits are disjoint and together hold every row, as Spark's randomSplit does.
 */
export class SamplePlan extends Plan {
  readonly children: readonly Plan[];
  constructor(
    readonly child: Plan,
    readonly lower: number,
    readonly upper: number,
    readonly seed: number,
  ) {
    super();
    this.children = [child];
  }
  get schema(): StructType {
    return this.child.schema;
  }
  partitions(): Promise<Partition[]> {
    return this.partitionsFor(FULL_SCAN);
  }
  override childRequests(req: ScanRequest): ScanRequest[] {
    // Draws follow row positions, so rows must not be dropped below the sample.
    return [{ columns: req.columns, filters: [] }];
  }
  override async partitionsFor(req: ScanRequest): Promise<Partition[]> {
    const parts = await this.child.partitionsFor(this.childRequests(req)[0]!);
    const { lower, upper, seed } = this;
    return parts.map(
      (p, pi) =>
        async function* () {
          const rnd = seededRandom(seed + pi * 0x9e3779b1);
          for await (const b of p()) {
            const idx = new Int32Array(b.numRows);
            let n = 0;
            for (let i = 0; i < b.numRows; i++) {
              const x = rnd();
              if (x >= lower && x < upper) idx[n++] = i;
            }
            if (n > 0) yield b.gather(idx, n);
          }
        },
    );
  }
  describe(): string {
    return `Sample [${this.lower}, ${this.upper}) seed=${this.seed}`;
  }
}

/** Runs the child once and keeps its batches in memory (cache()/persist()). */
export class CachePlan extends Plan {
  readonly children: readonly Plan[];
  private data: Promise<RecordBatch[][]> | null = null;
  constructor(readonly child: Plan) {
    super();
    this.children = [child];
  }
  get schema(): StructType {
    return this.child.schema;
  }
  materialize(): Promise<RecordBatch[][]> {
    this.data ??= collectPartitions(this.child).catch((e: unknown) => {
      this.data = null;
      throw e;
    });
    return this.data;
  }
  unpersist(): void {
    this.data = null;
  }
  async partitions(): Promise<Partition[]> {
    const data = await this.materialize();
    return data.map(
      (batches) =>
        async function* () {
          yield* batches;
        },
    );
  }
  describe(): string {
    return 'InMemoryRelation';
  }
}

/** Redistributes rows into n partitions of near-equal size (round robin over row ranges). */
export class RepartitionPlan extends Plan {
  readonly children: readonly Plan[];
  constructor(
    readonly child: Plan,
    readonly n: number,
  ) {
    super();
    if (!Number.isInteger(n) || n < 1)
      throw new EddyError('INVALID_ARGUMENT', `number of partitions ${n} must be a positive integer`);
    this.children = [child];
  }
  get schema(): StructType {
    return this.child.schema;
  }
  async partitions(): Promise<Partition[]> {
    const all = RecordBatch.concat(this.schema, (await collectPartitions(this.child)).flat());
    const per = Math.ceil(all.numRows / this.n);
    const out: Partition[] = [];
    for (let i = 0; i < this.n; i++) {
      const slice = all.slice(Math.min(i * per, all.numRows), Math.min((i + 1) * per, all.numRows));
      out.push(async function* () {
        if (slice.numRows > 0) yield slice;
      });
    }
    return out;
  }
  describe(): string {
    return `Repartition ${this.n}`;
  }
}

/** Runs every partition of a plan, up to `concurrency` at a time, keeping partition order. */
export async function collectPartitions(plan: Plan, concurrency = 2): Promise<RecordBatch[][]> {
  const parts = await plan.partitions();
  const out: RecordBatch[][] = new Array<RecordBatch[]>(parts.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < parts.length) {
      const i = next++;
      const batches: RecordBatch[] = [];
      for await (const b of parts[i]!()) batches.push(b);
      out[i] = batches;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, parts.length) }, worker));
  return out;
}

/** All rows of a plan as one batch. */
export async function collectBatch(plan: Plan): Promise<RecordBatch> {
  return RecordBatch.concat(plan.schema, (await collectPartitions(plan)).flat());
}

/** A column whose row k is the source row indices[k], or null where indices[k] is -1 (outer joins). */
export function gatherOrNull(col: ColumnVector, indices: Int32Array, type: DataType = col.type): ColumnVector {
  const b = new ColumnBuilder(type, indices.length);
  for (let k = 0; k < indices.length; k++) b.append(indices[k]! < 0 ? null : col.get(indices[k]!));
  return b.finish();
}

/**
 * Feeds every batch of every partition to fn, running up to `concurrency` partitions at once (scans on worker
 * threads then parse in parallel while this thread consumes). Batch order across partitions is not kept.
 */
export async function forEachBatch(
  parts: readonly Partition[],
  fn: (b: RecordBatch) => void,
  concurrency = 2,
): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < parts.length) {
      const p = parts[next++]!;
      for await (const b of p()) fn(b);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, parts.length) }, run));
}
