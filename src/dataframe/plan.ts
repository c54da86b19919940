import { EddyError } from '../common/errors.js';
import { seededRandom } from '../common/random.js';
import { RecordBatch } from './batch.js';
import { selectTrue } from './analyzer.js';
import type { Bound } from './bound.js';
import { ColumnBuilder, ColumnVector } from './column-vector.js';
import { generate, type Generator } from './generate.js';
import { StructType, type DataType } from './types.js';

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
  /** One line for explain(). */
  abstract describe(): string;
  abstract readonly children: readonly Plan[];

  explain(indent = ''): string {
    return [`${indent}${this.describe()}`, ...this.children.map((c) => c.explain(`${indent}  `))].join('\n');
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

/** A source whose partitions are computed on demand (file scans). */
export class ScanPlan extends Plan {
  readonly children = [];
  constructor(
    readonly schema: StructType,
    private readonly source: () => Promise<Partition[]>,
    private readonly label: string,
  ) {
    super();
  }
  partitions(): Promise<Partition[]> {
    return this.source();
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

  project(batch: RecordBatch): RecordBatch {
    if (!this.generator)
      return new RecordBatch(
        this.schema,
        this.exprs.map((e) => e.eval(batch)),
        batch.numRows,
      );
    return generate(this.schema, this.exprs, this.generator, batch);
  }

  async partitions(): Promise<Partition[]> {
    const parts = await this.child.partitions();
    const project = (b: RecordBatch): RecordBatch => this.project(b);
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
  async partitions(): Promise<Partition[]> {
    const parts = await this.child.partitions();
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
  async partitions(): Promise<Partition[]> {
    const parts = await this.child.partitions();
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
  async partitions(): Promise<Partition[]> {
    const schema = this.schema;
    const all = await Promise.all(this.children.map((c) => c.partitions()));
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
  async partitions(): Promise<Partition[]> {
    const parts = await this.child.partitions();
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
