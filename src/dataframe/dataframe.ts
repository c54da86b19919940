import { EddyError, describeValue } from '../common/errors.js';
import { RecordBatch } from './batch.js';
import { bind } from './analyzer.js';
import type { AnalysisContext } from './bound.js';
import { Column, toExpr, type ColumnOrName, type Expr } from './column.js';
import type { DataFrameEnv } from './env.js';
import { GroupedData } from './grouped-data.js';
import { DataFrameNaFunctions } from './na-functions.js';
import { parseExpression, parseNamedExpression } from './parser.js';
import { DeduplicatePlan } from './plan-wide.js';
import {
  CachePlan,
  FilterPlan,
  LimitPlan,
  RepartitionPlan,
  SamplePlan,
  collectBatch,
  collectPartitions,
  forEachBatch,
  type Plan,
} from './plan.js';
import { planSelect, planSort, planUnion } from './planner.js';
import { joinType, planConditionJoin, planUsingJoin } from './join-planner.js';
import { showString } from './show.js';
import { simpleString, StructType } from './types.js';
import { toExternal } from './values.js';
import { DataFrameWriter } from './io/writer.js';
import { arrowToBatches, batchToArrow, type arrow } from './arrow.js';
import { LocalRelation } from './plan.js';
import { FileSystemRegistry } from '../storage/registry.js';

export type Row = Record<string, unknown>;

/**
 * A lazy, partitioned table with a schema, as Spark's DataFrame. Transformations build a new DataFrame over
 * an analysed plan (so a bad column name fails here, not at collect()); actions (count, collect, show, write)
 * run it.
 */
export class DataFrame {
  constructor(
    readonly plan: Plan,
    readonly env: DataFrameEnv,
  ) {}

  private get ctx(): AnalysisContext {
    return { now: Date.now() };
  }

  private with(plan: Plan): DataFrame {
    return new DataFrame(plan, this.env);
  }

  get schema(): StructType {
    return this.plan.schema;
  }
  get columns(): string[] {
    return this.schema.fieldNames;
  }
  /** [name, type] pairs with Spark's simple type names ("bigint", "array<string>"). */
  get dtypes(): [string, string][] {
    return this.schema.fields.map((f) => [f.name, simpleString(f.dataType)]);
  }
  printSchema(): void {
    process.stdout.write(this.schema.treeString());
  }
  explain(): string {
    return this.plan.explain();
  }

  /** This DataFrame's column `name`; in a join condition it refers to this side even if both sides have the name. */
  col(name: string): Column {
    if (name === '*') return new Column({ k: 'star' });
    if (this.schema.indexOf(name) < 0 && !name.includes('.')) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `cannot resolve '${name}' given input columns: [${this.columns.join(', ')}]`,
      );
    }
    return new Column({ k: 'col', name, from: this.plan });
  }

  select(...cols: (ColumnOrName | ColumnOrName[])[]): DataFrame {
    return this.with(planSelect(this.plan, cols.flat().map(toExpr), this.ctx));
  }
  /** select() with SQL expressions: selectExpr('CAST(value AS STRING)', 'a + 1 AS b'). */
  selectExpr(...exprs: (string | string[])[]): DataFrame {
    return this.with(planSelect(this.plan, exprs.flat().map(parseNamedExpression), this.ctx));
  }
  withColumn(name: string, c: Column): DataFrame {
    return this.withColumns({ [name]: c });
  }
  withColumns(cols: Record<string, Column>): DataFrame {
    const items: Expr[] = this.schema.fields.map((f, i) => ({ k: 'col', name: f.name, index: i }));
    for (const [name, c] of Object.entries(cols)) {
      const e: Expr = { k: 'alias', child: c.expr, name };
      const i = this.schema.indexOf(name);
      if (i >= 0) items[i] = e;
      else items.push(e);
    }
    return this.with(planSelect(this.plan, items, this.ctx));
  }
  /** Renames a column; a no-op if there is none of that name, as in Spark. */
  withColumnRenamed(existing: string, newName: string): DataFrame {
    const i = this.schema.indexOf(existing);
    if (i < 0) return this;
    const items: Expr[] = this.schema.fields.map((f, j) => ({
      k: 'alias',
      child: { k: 'col', name: f.name, index: j },
      name: j === i ? newName : f.name,
    }));
    return this.with(planSelect(this.plan, items, this.ctx));
  }
  /** Drops columns; names that do not exist are ignored, as in Spark. */
  drop(...cols: ColumnOrName[]): DataFrame {
    const names = new Set(
      cols.map((c) => (typeof c === 'string' ? c : c.expr.k === 'col' ? c.expr.name : String(c)).toLowerCase()),
    );
    const items: Expr[] = [];
    this.schema.fields.forEach((f, i) => {
      if (!names.has(f.name.toLowerCase())) items.push({ k: 'col', name: f.name, index: i });
    });
    return this.with(planSelect(this.plan, items, this.ctx));
  }
  /** Keeps rows where the condition is true: a Column or a SQL string ("age > 21 AND name IS NOT NULL"). */
  filter(condition: Column | string): DataFrame {
    const e = typeof condition === 'string' ? parseExpression(condition) : condition.expr;
    const b = bind(e, this.schema, this.ctx);
    if (b.type.kind !== 'boolean' && b.type.kind !== 'null') {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `filter expression '${b.name}' of type ${simpleString(b.type)} is not a boolean`,
      );
    }
    return this.with(new FilterPlan(this.plan, b));
  }
  where(condition: Column | string): DataFrame {
    return this.filter(condition);
  }
  groupBy(...cols: (ColumnOrName | ColumnOrName[])[]): GroupedData {
    return new GroupedData(this, cols.flat().map(toExpr), (plan) => this.with(plan));
  }
  groupby(...cols: (ColumnOrName | ColumnOrName[])[]): GroupedData {
    return this.groupBy(...cols);
  }
  /** Aggregates over the whole DataFrame: df.agg(max('a')). */
  agg(...exprs: (Column | Record<string, string>)[]): DataFrame {
    return this.groupBy().agg(...exprs);
  }
  orderBy(...cols: (ColumnOrName | ColumnOrName[])[]): DataFrame {
    return this.with(planSort(this.plan, cols.flat().map(toExpr), this.ctx));
  }
  sort(...cols: (ColumnOrName | ColumnOrName[])[]): DataFrame {
    return this.orderBy(...cols);
  }
  limit(n: number): DataFrame {
    if (!Number.isInteger(n) || n < 0)
      throw new EddyError('INVALID_ARGUMENT', `limit ${describeValue(n)} must be a non-negative integer`);
    return this.with(new LimitPlan(this.plan, n));
  }
  distinct(): DataFrame {
    return this.with(
      new DeduplicatePlan(
        this.plan,
        this.schema.fields.map((_, i) => i),
        true,
      ),
    );
  }
  dropDuplicates(subset?: string[]): DataFrame {
    if (!subset)
      return this.with(
        new DeduplicatePlan(
          this.plan,
          this.schema.fields.map((_, i) => i),
        ),
      );
    const idx = subset.map((n) => {
      const i = this.schema.indexOf(n);
      if (i < 0)
        throw new EddyError(
          'ANALYSIS_ERROR',
          `cannot resolve '${n}' given input columns: [${this.columns.join(', ')}]`,
        );
      return i;
    });
    return this.with(new DeduplicatePlan(this.plan, idx));
  }
  drop_duplicates(subset?: string[]): DataFrame {
    return this.dropDuplicates(subset);
  }
  /**
   * Joins with another DataFrame: on column names (a USING join, keys once in the output) or on a boolean
   * Column; how is inner (default), left, right, full, left_semi, left_anti, cross (and Spark's aliases).
   */
  join(other: DataFrame, on?: string | string[] | Column, how = 'inner'): DataFrame {
    const t = joinType(how);
    if (on === undefined)
      return this.with(
        planConditionJoin(this.plan, other.plan, this.plan, other.plan, null, t === 'inner' ? 'cross' : t, this.ctx),
      );
    if (typeof on === 'string' || Array.isArray(on)) {
      return this.with(planUsingJoin(this.plan, other.plan, typeof on === 'string' ? [on] : on, t, this.ctx));
    }
    return this.with(planConditionJoin(this.plan, other.plan, this.plan, other.plan, on.expr, t, this.ctx));
  }
  crossJoin(other: DataFrame): DataFrame {
    return this.join(other);
  }
  /** Union by position (Spark's union/unionAll: duplicates kept). */
  union(other: DataFrame): DataFrame {
    return this.with(planUnion(this.plan, [other.plan], false, this.ctx));
  }
  unionAll(other: DataFrame): DataFrame {
    return this.union(other);
  }
  unionByName(other: DataFrame): DataFrame {
    return this.with(planUnion(this.plan, [other.plan], true, this.ctx));
  }
  /**
   * Splits rows at random by weights (normalised to sum 1); the same seed gives the same split. Every row
   * lands in exactly one split.
   */
  randomSplit(weights: number[], seed = Math.floor(Math.random() * 2 ** 31)): DataFrame[] {
    if (weights.length === 0 || weights.some((w) => !(w >= 0)) || weights.every((w) => w === 0)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `randomSplit weights ${describeValue(weights)} must be non-negative numbers, not all zero`,
      );
    }
    const total = weights.reduce((a, b) => a + b, 0);
    let lo = 0;
    const cached = this.plan;
    return weights.map((w, i) => {
      const hi = i === weights.length - 1 ? 1 : lo + w / total;
      const df = this.with(new SamplePlan(cached, lo, hi, seed));
      lo = hi;
      return df;
    });
  }
  /** A Bernoulli sample: each row kept with probability `fraction`. */
  sample(fraction: number, seed?: number): DataFrame;
  sample(withReplacement: boolean, fraction: number, seed?: number): DataFrame;
  sample(a: number | boolean, b?: number, c?: number): DataFrame {
    const withReplacement = typeof a === 'boolean' ? a : false;
    const fraction = typeof a === 'boolean' ? b! : a;
    const seed = typeof a === 'boolean' ? c : b;
    if (withReplacement)
      throw new EddyError('UNSUPPORTED', 'sample(withReplacement = true) is not supported; sample without replacement');
    if (!(fraction >= 0 && fraction <= 1))
      throw new EddyError('INVALID_ARGUMENT', `sample fraction ${describeValue(fraction)} must be in [0, 1]`);
    return this.with(new SamplePlan(this.plan, 0, fraction, seed ?? Math.floor(Math.random() * 2 ** 31)));
  }
  /** Keeps the computed rows in memory after the first action, as Spark's cache() (MEMORY_ONLY). */
  cache(): DataFrame {
    return this.plan instanceof CachePlan ? this : this.with(new CachePlan(this.plan));
  }
  persist(): DataFrame {
    return this.cache();
  }
  unpersist(): DataFrame {
    if (this.plan instanceof CachePlan) this.plan.unpersist();
    return this;
  }
  repartition(n: number): DataFrame {
    return this.with(new RepartitionPlan(this.plan, n));
  }
  coalesce(n: number): DataFrame {
    return this.repartition(n);
  }

  // Actions.

  async count(): Promise<number> {
    let n = 0;
    await forEachBatch(await this.plan.partitions(), (b) => {
      n += b.numRows;
    });
    return n;
  }
  async isEmpty(): Promise<boolean> {
    return (await this.take(1)).length === 0;
  }
  /** Every row as a plain object keyed by column name (see values.ts for the JS type of each Eddy type). */
  async collect(): Promise<Row[]> {
    return batchToRows(await collectBatch(this.plan));
  }
  async take(n: number): Promise<Row[]> {
    return this.limit(n).collect();
  }
  async head(n = 1): Promise<Row[]> {
    return this.take(n);
  }
  async first(): Promise<Row | null> {
    return (await this.take(1))[0] ?? null;
  }
  /** All rows as one columnar batch (what ML and Arrow export read). */
  async collectBatch(): Promise<RecordBatch> {
    return collectBatch(this.plan);
  }
  /** The batches of each partition, in order, without gathering them (bounded memory). */
  async *batches(): AsyncIterable<RecordBatch> {
    for (const p of await this.plan.partitions()) yield* p();
  }
  async numPartitions(): Promise<number> {
    return (await this.plan.partitions()).length;
  }
  async collectPartitions(): Promise<RecordBatch[][]> {
    return collectPartitions(this.plan);
  }
  /** The text show() prints. */
  async showString(n = 20, truncate: boolean | number = true): Promise<string> {
    const t = truncate === true ? 20 : truncate === false ? 0 : truncate;
    const rows = await collectBatch(new LimitPlan(this.plan, n + 1));
    return showString(rows, n, t);
  }
  /** Prints the first n rows as Spark's show() does (truncating cells to 20 characters unless truncate is false). */
  async show(n = 20, truncate: boolean | number = true): Promise<void> {
    process.stdout.write(await this.showString(n, truncate));
  }
  /** All rows as an Apache Arrow table (numeric columns without nulls are not copied row by row). */
  async toArrow(): Promise<arrow.Table> {
    return batchToArrow(await collectBatch(this.plan));
  }

  /**
   * A DataFrame over an Arrow table, one partition per Arrow record batch. Without an env (a session) it can
   * read and write local files only; eddy.fromArrow() gives it the session's file systems.
   */
  static fromArrow(table: arrow.Table, env: DataFrameEnv = localEnv()): DataFrame {
    const { schema, batches } = arrowToBatches(table);
    return new DataFrame(
      new LocalRelation(
        schema,
        batches.map((b) => [b]),
      ),
      env,
    );
  }

  /** Null handling: df.na.drop(), df.na.fill(0). */
  get na(): DataFrameNaFunctions {
    return new DataFrameNaFunctions(this);
  }
  dropna(how: 'any' | 'all' = 'any', subset?: string[]): DataFrame {
    return this.na.drop(how, subset);
  }
  fillna(value: Parameters<DataFrameNaFunctions['fill']>[0], subset?: string[]): DataFrame {
    return this.na.fill(value, subset);
  }

  /** A DataFrame over batches already in memory, one inner array per partition (what sources and ML build). */
  static fromBatches(
    schema: StructType,
    partitions: readonly (readonly RecordBatch[])[],
    env: DataFrameEnv = localEnv(),
  ): DataFrame {
    for (const b of partitions.flat()) {
      if (
        b.schema.fields.length !== schema.fields.length ||
        b.schema.fields.some((f, i) => f.dataType.kind !== schema.fields[i]!.dataType.kind)
      ) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `a batch with schema ${b.schema.simpleString()} does not match ${schema.simpleString()}`,
        );
      }
    }
    return new DataFrame(
      new LocalRelation(
        schema,
        partitions.map((p) => p.map((b) => new RecordBatch(schema, b.columns, b.numRows))),
      ),
      env,
    );
  }

  get write(): DataFrameWriter {
    return new DataFrameWriter(this);
  }
}

export function batchToRows(b: RecordBatch): Row[] {
  const fields = b.schema.fields;
  const rows: Row[] = new Array<Row>(b.numRows);
  for (let i = 0; i < b.numRows; i++) {
    const r: Row = {};
    for (let j = 0; j < fields.length; j++) r[fields[j]!.name] = toExternal(b.column(j).get(i), fields[j]!.dataType);
    rows[i] = r;
  }
  return rows;
}

function localEnv(): DataFrameEnv {
  const registry = new FileSystemRegistry();
  return { resolvePath: (p) => registry.resolve(p) };
}
