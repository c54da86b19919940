import { describe, expect, it } from 'vitest';
import { FileSystemRegistry } from '../storage/registry.js';
import { createDataFrame, type RowInput } from './create.js';
import {
  coalesce,
  col,
  concat,
  concat_ws,
  current_timestamp,
  expr,
  length,
  lit,
  lower,
  regexp_replace,
  round,
  size,
  substring,
  sum,
  to_timestamp,
  trim,
  upper,
  window,
  udf,
  columnarUdf,
} from './functions.js';
import { ColumnVector } from './column-vector.js';
import { RecordBatch } from './batch.js';
import { DataFrame } from './dataframe.js';
import { DoubleType, StructType, VectorType } from './types.js';
import { DenseVector } from './vector.js';
import { seededRandom } from '../common/random.js';

const registry = new FileSystemRegistry();
const env = { resolvePath: (p: string) => registry.resolve(p) };
const df = (rows: readonly RowInput[], schema?: string) => createDataFrame(env, rows, schema);

async function one(rows: readonly RowInput[], schema: string, ...exprs: string[]): Promise<Record<string, unknown>> {
  return (
    await df(rows, schema)
      .selectExpr(...exprs)
      .collect()
  )[0]!;
}

describe('user functions', () => {
  it('udf runs row by row on internal values; nulls short-circuit', async () => {
    const d = df([
      { a: 2, b: 'x' },
      { a: null, b: 'y' },
    ]);
    const rep = udf((n: bigint, s: string) => s.repeat(Number(n)), 'string', { name: 'rep' });
    const out = d.select(rep(col('a'), col('b')));
    expect(out.columns).toEqual(['rep(a, b)']);
    expect(await out.collect()).toEqual([{ 'rep(a, b)': 'xx' }, { 'rep(a, b)': null }]);
  });

  it('columnarUdf builds a whole column per batch (a vector assembler)', async () => {
    const assemble = columnarUdf(
      (cols, n) => {
        const out: DenseVector[] = [];
        for (let i = 0; i < n; i++) out.push(new DenseVector(cols.map((c) => Number(c.get(i)))));
        return new ColumnVector(VectorType, n, out, null);
      },
      'vector',
      'assemble',
    );
    const d = df([[1.5, 2]], 'x DOUBLE, y INT').withColumn('features', assemble('x', 'y'));
    expect(d.dtypes.at(-1)).toEqual(['features', 'vector']);
    expect((await d.first())!['features']).toEqual(new DenseVector([1.5, 2]));
    const wrong = columnarUdf((_cols, n) => ColumnVector.constant(VectorType, null, n + 1), 'vector', 'bad');
    await expect(
      df([[1]], 'x INT')
        .select(wrong('x'))
        .collect(),
    ).rejects.toThrow(/returned 2 rows of vector for a batch of 1 rows/);
  });

  it('fromBatches wraps existing column batches', async () => {
    const schema = new StructType([{ name: 'v', dataType: DoubleType, nullable: false }]);
    const b = new RecordBatch(schema, [new ColumnVector(DoubleType, 3, Float64Array.of(1, 2, 3), null)], 3);
    const d = DataFrame.fromBatches(schema, [[b], [b]]);
    expect(await d.agg(sum('v')).collect()).toEqual([{ 'sum(v)': 12 }]);
  });
});

describe('scalar functions', () => {
  it('string functions behave as Spark SQL', async () => {
    const d = df([{ s: '  Hello World  ' }]);
    const [r] = await d
      .select(
        upper('s').alias('u'),
        lower('s').alias('l'),
        trim('s').alias('t'),
        length('s').alias('n'),
        regexp_replace(col('s'), 'o', '0').alias('r'),
        substring(trim('s'), 1, 5).alias('sub'),
        concat(trim('s'), lit('!')).alias('c'),
        concat_ws('-', lit('a'), lit(null), lit('b')).alias('ws'),
      )
      .collect();
    expect(r).toEqual({
      u: '  HELLO WORLD  ',
      l: '  hello world  ',
      t: 'Hello World',
      n: 15,
      r: '  Hell0 W0rld  ',
      sub: 'Hello',
      c: 'Hello World!',
      ws: 'a-b',
    });
    expect(
      await one([['abcdef']], 's STRING', 'substring(s, -3, 2) AS a', 'substring(s, 0, 2) AS b', 'substr(s, 3) AS c'),
    ).toEqual({ a: 'de', b: 'ab', c: 'cdef' });
    expect(
      await one([['a,b,,c']], 's STRING', "split(s, ',') AS p", "split(s, ',', 2) AS q", "size(split(s, ',')) AS n"),
    ).toEqual({
      p: ['a', 'b', '', 'c'],
      q: ['a', 'b,,c'],
      n: 4,
    });
    expect(await one([['Abc']], 's STRING', "s LIKE 'A_c' AS a", "s LIKE '%z%' AS b", "s RLIKE '^[A-Z]' AS c")).toEqual(
      { a: true, b: false, c: true },
    );
  });

  it('arithmetic follows Spark typing: int/int division is double, division by zero is null, long stays exact', async () => {
    expect(
      await one([[7, 2]], 'a INT, b INT', 'a / b AS q', 'a % b AS m', 'a * b AS p', 'a / 0 AS z', '-a AS n'),
    ).toEqual({ q: 3.5, m: 1, p: 14, z: null, n: -7 });
    expect(await one([[9007199254740993n]], 'a BIGINT', 'a + 1 AS b')).toEqual({ b: 9007199254740994n });
    expect(await one([[2147483647]], 'a INT', 'a + 1 AS wrapped')).toEqual({ wrapped: -2147483648 });
    expect(await one([['5']], 's STRING', 's + 1 AS x')).toEqual({ x: 6 });
  });

  it('casts as Spark does without ANSI mode: bad input becomes null', async () => {
    expect(
      await one(
        [['12', 'x', '1.9', '2024-03-04 05:06:07', 'true']],
        'a STRING, b STRING, c STRING, d STRING, e STRING',
        'CAST(a AS INT) AS a',
        'CAST(b AS INT) AS b',
        'CAST(c AS INT) AS c',
        'CAST(d AS TIMESTAMP) AS d',
        'CAST(e AS BOOLEAN) AS e',
        'CAST(CAST(a AS DOUBLE) AS STRING) AS f',
      ),
    ).toEqual({ a: 12, b: null, c: 1, d: new Date('2024-03-04T05:06:07Z'), e: true, f: '12.0' });
    expect(() => df([[1]], 'a INT').select(col('a').cast('vector'))).toThrow(/cannot cast int to vector/);
  });

  it('three-valued logic, coalesce, isNull, IN with nulls', async () => {
    const r = await one(
      [[null, true]],
      'n BOOLEAN, t BOOLEAN',
      'n AND false AS a',
      'n OR t AS b',
      'n AND t AS c',
      'coalesce(n, t) AS d',
      'n IS NULL AS e',
      '1 IN (2, NULL) AS f',
      '1 IN (1, NULL) AS g',
    );
    expect(r).toEqual({ a: false, b: true, c: null, d: true, e: true, f: null, g: true });
    expect(
      (
        await df([{ a: null, b: 2 }], 'a INT, b INT')
          .select(coalesce('a', 'b'))
          .collect()
      )[0],
    ).toEqual({ 'coalesce(a, b)': 2 });
  });

  it('timestamps: to_timestamp with a format, current_timestamp fixed per query, tumbling window', async () => {
    const d = df([{ s: '04/03/2024 10:15' }]);
    const [r] = await d
      .select(to_timestamp(col('s'), 'dd/MM/yyyy HH:mm').alias('t'), current_timestamp().alias('now'))
      .collect();
    expect(r!['t']).toEqual(new Date('2024-03-04T10:15:00Z'));
    expect(Math.abs((r!['now'] as Date).getTime() - Date.now())).toBeLessThan(60_000);
    const ev = df([{ t: new Date('2024-01-01T10:07:30Z'), v: 1 }]).select(
      window(col('t'), '5 minutes').alias('w'),
      'v',
    );
    const [w] = await ev.select('w.start', 'w.end').collect();
    expect(w).toEqual({ start: new Date('2024-01-01T10:05:00Z'), end: new Date('2024-01-01T10:10:00Z') });
    expect(() => ev.select(window(col('v'), '1 minute'))).toThrow(/requires timestamp type/);
  });

  it('sliding windows put a row in every window that covers it when grouped', async () => {
    const ev = df([
      { t: new Date('2024-01-01T10:07:00Z'), v: 1 },
      { t: new Date('2024-01-01T10:12:00Z'), v: 10 },
    ]);
    const rows = await ev
      .groupBy(window(col('t'), '10 minutes', '5 minutes'))
      .agg(sum('v').alias('s'))
      .orderBy('window')
      .selectExpr('window.start AS start', 's')
      .collect();
    expect(rows.map((r) => [(r['start'] as Date).toISOString().slice(11, 16), r['s']])).toEqual([
      ['10:00', 1n],
      ['10:05', 11n],
      ['10:10', 10n],
    ]);
  });

  it('windows match a brute-force count, sliding or tumbling, whether or not the duration is a whole number of slides', async () => {
    const random = seededRandom(7);
    const t0 = Date.UTC(2024, 0, 1);
    // Runs of close times (rows of one slide interval in a row), in and out of order, and a null.
    const rows: { t: Date | null }[] = Array.from({ length: 400 }, (_, i) => ({
      t: new Date(t0 + Math.floor(i / 5) * 37_000 + Math.floor(random() * 20_000)),
    }));
    rows.push({ t: null });
    for (const [duration, slide] of [
      [10, 5],
      [7, 3],
      [20, 15],
      [5, 5],
      [5, 0],
    ] as const) {
      // Slide 0 here: window(t, duration), a tumbling window. Rows whose time is null are in no window (Spark
      // filters them out before grouping).
      const w =
        slide === 0
          ? window(col('t'), `${duration} minutes`)
          : window(col('t'), `${duration} minutes`, `${slide} minutes`);
      const got = await df(rows, 't TIMESTAMP').groupBy(w).count().collect();
      const expected = new Map<number, number>();
      for (const { t } of rows) {
        if (t === null) continue;
        const ms = t.getTime();
        const d = duration * 60_000;
        const sl = (slide || duration) * 60_000;
        for (let s = ms - (ms % sl); s > ms - d; s -= sl) expected.set(s, (expected.get(s) ?? 0) + 1);
      }
      const actual = new Map(
        got.map((r) => [((r['window'] as { start: Date }).start as Date).getTime(), Number(r['count'])]),
      );
      expect(actual).toEqual(expected);
    }
  });

  it('expr() and CASE in SQL, round half up, aggregates refused outside aggregation', async () => {
    const d = df([{ x: 2.5 }, { x: -2.5 }]);
    expect(
      (await d.select(round('x'), expr('CASE WHEN x > 0 THEN "pos" ELSE "neg" END AS sign')).collect()).map((r) =>
        Object.values(r),
      ),
    ).toEqual([
      [3, 'pos'],
      [-3, 'neg'],
    ]);
    expect(() => d.filter('sum(x) > 1')).toThrow(/aggregate function sum\(\) is not allowed/);
    expect(() => d.select(size('x'))).toThrow(/requires array or vector type/);
  });
});
