import { describe, expect, it } from 'vitest';
import { FileSystemRegistry } from '../storage/registry.js';
import { createDataFrame, type RowInput } from './create.js';
import type { DataFrame } from './dataframe.js';
import {
  avg,
  col,
  collect_list,
  count,
  count_distinct,
  explode,
  first,
  lit,
  max,
  min,
  split,
  sum,
  when,
} from './functions.js';
import { StructType } from './types.js';
import { Vectors } from './vector.js';

const registry = new FileSystemRegistry();
const env = { resolvePath: (p: string) => registry.resolve(p) };
const df = (
  rows: readonly RowInput[],
  schema?: StructType | string | readonly string[],
  numPartitions = 1,
): DataFrame => createDataFrame(env, rows, schema, { numPartitions });

const people = (): DataFrame =>
  df(
    [
      ['Alice', 34, 'NY', 5.5],
      ['Bob', 45, 'SF', null],
      ['Carol', 29, 'NY', 7.25],
      ['Dan', null, null, 1.0],
    ],
    'name STRING, age INT, city STRING, score DOUBLE',
    2,
  );

describe('createDataFrame and collect', () => {
  it('returns plain objects with the documented JS type per Eddy type', async () => {
    const t = new Date('2024-05-06T07:08:09.010Z');
    const d = df([
      { s: 'x', b: true, l: 7, d: 1.5, t, bin: new Uint8Array([1, 2]), arr: ['a', 'b'], v: Vectors.dense([1, 2]) },
    ]);
    expect(d.dtypes).toEqual([
      ['s', 'string'],
      ['b', 'boolean'],
      ['l', 'bigint'],
      ['d', 'double'],
      ['t', 'timestamp'],
      ['bin', 'binary'],
      ['arr', 'array<string>'],
      ['v', 'vector'],
    ]);
    const [r] = await d.collect();
    expect(r).toEqual({
      s: 'x',
      b: true,
      l: 7n,
      d: 1.5,
      t,
      bin: new Uint8Array([1, 2]),
      arr: ['a', 'b'],
      v: Vectors.dense([1, 2]),
    });
    expect(r!['t']).toBeInstanceOf(Date);
  });

  it('takes arrays with column names, and a schema that decides the types', async () => {
    const d = df(
      [
        [1, 'a'],
        [2, null],
      ],
      ['n', 's'],
    );
    expect(d.columns).toEqual(['n', 's']);
    expect(await d.collect()).toEqual([
      { n: 1n, s: 'a' },
      { n: 2n, s: null },
    ]);
    const typed = df([[1, 2]], 'a INT, b DOUBLE');
    expect(await typed.collect()).toEqual([{ a: 1, b: 2 }]);
  });

  it('rejects values that do not fit the schema, naming row, column and value', () => {
    expect(() => df([['x']], 'a INT')).toThrow(/row 0, column a: value "x" does not fit type int/);
    expect(() => df([[1, 2]], ['a'])).toThrow(/row 0 has 2 values but there are 1 columns/);
    expect(() => df([{ a: null }])).toThrow(/cannot infer the type of column\(s\) a/);
  });
});

describe('show', () => {
  it('prints exactly as Spark: right-aligned, null, numbers as Java prints them', async () => {
    expect(await people().showString()).toBe(
      [
        '+-----+----+----+-----+',
        '| name| age|city|score|',
        '+-----+----+----+-----+',
        '|Alice|  34|  NY|  5.5|',
        '|  Bob|  45|  SF| null|',
        '|Carol|  29|  NY| 7.25|',
        '|  Dan|null|null|  1.0|',
        '+-----+----+----+-----+',
        '',
      ].join('\n'),
    );
  });

  it('truncates cells to 20 characters with "..." and says how many rows it showed', async () => {
    const d = df([{ s: 'a'.repeat(25) }, { s: 'b' }, { s: 'c' }]);
    expect(await d.showString(2)).toBe(
      [
        '+--------------------+',
        '|                   s|',
        '+--------------------+',
        '|aaaaaaaaaaaaaaaaa...|',
        '|                   b|',
        '+--------------------+',
        'only showing top 2 rows',
        '',
      ].join('\n'),
    );
    expect(await d.showString(1, false)).toBe(
      [
        '+-------------------------+',
        '|s                        |',
        '+-------------------------+',
        `|${'a'.repeat(25)}|`,
        '+-------------------------+',
        'only showing top 1 row',
        '',
      ].join('\n'),
    );
    expect(await d.showString(1, 3)).toContain('|aaa|');
  });

  it('prints arrays, structs, vectors and timestamps as Spark does', async () => {
    const d = df([{ a: ['x', 'y'], v: Vectors.sparse(3, [1], [2]), t: new Date('2024-01-01T00:00:00Z') }]);
    const s = await d.showString();
    expect(s).toContain('|[x, y]|(3,[1],[2.0])|2024-01-01 00:00:00|');
  });
});

describe('transformations', () => {
  it('select, selectExpr, withColumn, withColumnRenamed, drop', async () => {
    const p = people();
    expect(p.select('name', col('age').plus(1)).columns).toEqual(['name', '(age + 1)']);
    expect(await p.selectExpr('name', 'age * 2 AS double_age').where('double_age > 80').collect()).toEqual([
      { name: 'Bob', double_age: 90 },
    ]);
    const w = p.withColumn('age', col('age').cast('string')).withColumn('one', lit(1));
    expect(w.dtypes).toEqual([
      ['name', 'string'],
      ['age', 'string'],
      ['city', 'string'],
      ['score', 'double'],
      ['one', 'int'],
    ]);
    expect(p.withColumnRenamed('name', 'who').columns).toEqual(['who', 'age', 'city', 'score']);
    expect(p.withColumnRenamed('missing', 'x').columns).toEqual(p.columns);
    expect(p.drop('city', 'nope').columns).toEqual(['name', 'age', 'score']);
    expect(p.select('*').columns).toEqual(p.columns);
  });

  it('filter with Columns and SQL strings; null conditions drop the row', async () => {
    const p = people();
    expect((await p.filter(col('city').eq('NY').and(col('age').gt(30))).collect()).map((r) => r['name'])).toEqual([
      'Alice',
    ]);
    expect(await p.filter("city = 'NY' OR age IS NULL").count()).toBe(3);
    expect(await p.filter('age > 100 OR city = NULL').count()).toBe(0);
    expect(await p.where(col('name').isin('Bob', 'Dan')).count()).toBe(2);
  });

  it('reports unknown columns and type errors when the DataFrame is built', () => {
    const p = people();
    expect(() => p.select('agee')).toThrow("cannot resolve 'agee' given input columns: [name, age, city, score]");
    expect(() => p.filter('nme = 1')).toThrow(/cannot resolve 'nme' given input columns/);
    expect(() => p.filter('age')).toThrow(/filter expression 'age' of type int is not a boolean/);
    expect(() => p.select(col('name').plus(col('city').eq('x')))).toThrow(/data type mismatch/);
    expect(() => p.selectExpr('nofunc(age)')).toThrow(/undefined function "nofunc"/);
    expect(() => p.groupBy('city').agg(col('name'))).toThrow(/neither present in the group by/);
    expect(() => p.select(sum('age')).filter('name = 1')).toThrow(/cannot resolve 'name'/);
  });

  it('groupBy with agg, count, sum and expressions over aggregates', async () => {
    const p = people();
    const g = await p
      .groupBy('city')
      .agg(
        count('*'),
        avg('age'),
        max('score').alias('best'),
        sum('age').divide(count('age')).alias('mean'),
        collect_list('name'),
      )
      .orderBy('city')
      .collect();
    expect(g).toEqual([
      { city: null, 'count(1)': 1n, 'avg(age)': null, best: 1, mean: null, 'collect_list(name)': ['Dan'] },
      {
        city: 'NY',
        'count(1)': 2n,
        'avg(age)': 31.5,
        best: 7.25,
        mean: 31.5,
        'collect_list(name)': ['Alice', 'Carol'],
      },
      { city: 'SF', 'count(1)': 1n, 'avg(age)': 45, best: null, mean: 45, 'collect_list(name)': ['Bob'] },
    ]);
    expect(await p.groupBy('city').count().orderBy(col('count').desc(), 'city').first()).toEqual({
      city: 'NY',
      count: 2n,
    });
    expect((await p.groupBy().sum().collect())[0]).toEqual({ 'sum(age)': 108n, 'sum(score)': 13.75 });
    expect(await p.agg({ age: 'max', '*': 'count' }).collect()).toEqual([{ 'max(age)': 45, 'count(1)': 4n }]);
    expect(await p.select(count_distinct('city'), min('name'), first('age')).collect()).toEqual([
      { 'count(DISTINCT city)': 2n, 'min(name)': 'Alice', 'first(age)': 34 },
    ]);
    expect(await df([], 'a INT').agg(count('*'), sum('a')).collect()).toEqual([{ 'count(1)': 0n, 'sum(a)': null }]);
  });

  it('orderBy ascending puts nulls first, descending last, and takes explicit null placement', async () => {
    const p = people();
    const names = async (d: DataFrame): Promise<unknown[]> => (await d.collect()).map((r) => r['name']);
    expect(await names(p.orderBy('age'))).toEqual(['Dan', 'Carol', 'Alice', 'Bob']);
    expect(await names(p.orderBy(col('age').desc()))).toEqual(['Bob', 'Alice', 'Carol', 'Dan']);
    expect(await names(p.orderBy(col('age').asc_nulls_last()))).toEqual(['Carol', 'Alice', 'Bob', 'Dan']);
    expect(await names(p.sort(col('city').desc_nulls_first(), 'name'))).toEqual(['Dan', 'Bob', 'Alice', 'Carol']);
  });

  it('limit, distinct, dropDuplicates, union, unionByName', async () => {
    const p = people();
    expect(await p.limit(3).count()).toBe(3);
    expect(await p.limit(0).collect()).toEqual([]);
    expect(await p.select('city').distinct().count()).toBe(3);
    expect((await p.dropDuplicates(['city']).collect()).map((r) => r['name'])).toEqual(['Alice', 'Bob', 'Dan']);
    const u = p.select('name').union(p.select('city'));
    expect(await u.count()).toBe(8);
    expect(() => p.union(p.select('name'))).toThrow(/same number of columns/);
    const a = df([{ x: 1, y: 'a' }]);
    const b = df([{ y: 'b', x: 2 }]);
    expect(await a.unionByName(b).collect()).toEqual([
      { x: 1n, y: 'a' },
      { x: 2n, y: 'b' },
    ]);
    const widened = df([[1]], 'a INT').union(df([[1.5]], 'a DOUBLE'));
    expect(widened.dtypes).toEqual([['a', 'double']]);
    expect(await widened.collect()).toEqual([{ a: 1 }, { a: 1.5 }]);
  });

  it('explode(split(...)) turns a line into words, and when/otherwise branches', async () => {
    const lines = df([{ value: 'a b a' }, { value: '' }, { value: 'c' }]);
    const words = lines.select(explode(split(col('value'), ' ')).alias('word'));
    const counts = await words.groupBy('word').count().orderBy('word').collect();
    expect(counts).toEqual([
      { word: '', count: 1n },
      { word: 'a', count: 2n },
      { word: 'b', count: 1n },
      { word: 'c', count: 1n },
    ]);
    const graded = people().select(
      'name',
      when(col('age').geq(40), 'senior').when(col('age').geq(30), 'mid').otherwise('junior').alias('band'),
    );
    expect((await graded.collect()).map((r) => r['band'])).toEqual(['mid', 'senior', 'junior', 'junior']);
  });

  it('randomSplit is seeded, disjoint and complete; sample is seeded', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [i]);
    const d = df(rows, 'i INT', 3);
    const [a, b] = d.randomSplit([0.7, 0.3], 42);
    const ia = (await a!.collect()).map((r) => r['i'] as number);
    const ib = (await b!.collect()).map((r) => r['i'] as number);
    expect(ia.length + ib.length).toBe(1000);
    expect(new Set([...ia, ...ib]).size).toBe(1000);
    expect(ia.length).toBeGreaterThan(600);
    expect(ia.length).toBeLessThan(800);
    const [a2] = d.randomSplit([0.7, 0.3], 42);
    expect((await a2!.collect()).map((r) => r['i'])).toEqual(ia);
    const s1 = await d.sample(0.1, 7).collect();
    expect(await d.sample(0.1, 7).collect()).toEqual(s1);
    expect(s1.length).toBeGreaterThan(50);
    expect(s1.length).toBeLessThan(150);
  });

  it('cache computes once; repartition keeps every row', async () => {
    const d = df(
      Array.from({ length: 10 }, (_, i) => [i]),
      'i INT',
    );
    const cached = d.filter('i % 2 = 0').cache();
    expect(await cached.count()).toBe(5);
    expect(await cached.collect()).toEqual([0, 2, 4, 6, 8].map((i) => ({ i })));
    const r = d.repartition(3);
    expect(await r.numPartitions()).toBe(3);
    expect(await r.count()).toBe(10);
  });
});

describe('joins', () => {
  const emp = (): DataFrame =>
    df(
      [
        [1, 'ann', 10],
        [2, 'ben', 20],
        [3, 'cy', null],
        [4, 'di', 30],
      ],
      'id INT, name STRING, dept INT',
    );
  const dept = (): DataFrame =>
    df(
      [
        [10, 'eng'],
        [20, 'ops'],
        [40, 'hr'],
      ],
      'dept INT, title STRING',
    );
  const rows = async (d: DataFrame): Promise<string[]> => (await d.collect()).map((r) => JSON.stringify(r)).sort();

  it('joins on column names: inner, left, right, full, semi, anti', async () => {
    expect(emp().join(dept(), 'dept').columns).toEqual(['dept', 'id', 'name', 'title']);
    expect(await emp().join(dept(), 'dept').count()).toBe(2);
    expect(await rows(emp().join(dept(), ['dept'], 'left').select('name', 'title'))).toEqual([
      '{"name":"ann","title":"eng"}',
      '{"name":"ben","title":"ops"}',
      '{"name":"cy","title":null}',
      '{"name":"di","title":null}',
    ]);
    expect(await rows(emp().join(dept(), 'dept', 'right').select('dept', 'name'))).toEqual([
      '{"dept":10,"name":"ann"}',
      '{"dept":20,"name":"ben"}',
      '{"dept":40,"name":null}',
    ]);
    const full = emp().join(dept(), 'dept', 'full');
    expect(await full.count()).toBe(5);
    expect((await full.filter('title = "hr"').collect())[0]).toEqual({ dept: 40, id: null, name: null, title: 'hr' });
    expect(await rows(emp().join(dept(), 'dept', 'left_semi'))).toEqual([
      '{"id":1,"name":"ann","dept":10}',
      '{"id":2,"name":"ben","dept":20}',
    ]);
    expect((await emp().join(dept(), 'dept', 'anti').collect()).map((r) => r['name'])).toEqual(['cy', 'di']);
  });

  it('joins on an expression, with non-equi residual conditions and df.col() disambiguation', async () => {
    const e = emp();
    const d = dept();
    const j = e.join(d, e.col('dept').eq(d.col('dept')).and(col('name').ne('ben')), 'inner');
    expect(j.columns).toEqual(['id', 'name', 'dept', 'dept', 'title']);
    expect((await j.collect()).map((r) => r['name'])).toEqual(['ann']);
    expect(() => e.join(d, col('dept').eq(col('dept')))).toThrow(/ambiguous/);
    const lt = await e.join(d, e.col('dept').lt(d.col('dept')), 'inner').count();
    expect(lt).toBe(2 + 1 + 1);
    expect(await e.crossJoin(d).count()).toBe(12);
    expect(() => e.join(d, 'dept', 'sideways')).toThrow(/unsupported join type "sideways"/);
  });
});

describe('null handling', () => {
  it('na.drop and na.fill as Spark', async () => {
    const p = people();
    expect(await p.na.drop().count()).toBe(2);
    expect(await p.dropna('all', ['age', 'city']).count()).toBe(3);
    expect(await p.dropna('any', ['score']).count()).toBe(3);
    const filled = await p.na.fill(0).na.fill('?').collect();
    expect(filled[1]).toEqual({ name: 'Bob', age: 45, city: 'SF', score: 0 });
    expect(filled[3]).toEqual({ name: 'Dan', age: 0, city: '?', score: 1 });
    expect((await p.fillna({ city: 'none' }).collect())[3]!['city']).toBe('none');
    expect(() => p.na.drop('any', ['nope'])).toThrow(/cannot resolve 'nope'/);
  });

  it('joins with a column of a DataFrame this side was derived from', async () => {
    const p = people();
    const older = p.filter('age > 30');
    const cities = df([['NY', 'east']], 'city STRING, coast STRING');
    const j = older.join(cities, p.col('city').eq(cities.col('city')));
    expect((await j.collect()).map((r) => r['name'])).toEqual(['Alice']);
  });
});

describe('plan-time analysis is independent of data', () => {
  it('exposes the schema of a derived DataFrame without running it', () => {
    const s = people().groupBy('city').agg(avg('age').alias('a')).schema;
    expect(s.treeString()).toBe('root\n |-- city: string (nullable = true)\n |-- a: double (nullable = true)\n');
  });
});
