import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemRegistry } from '../../storage/registry.js';
import { createDataFrame } from '../create.js';
import type { DataFrame } from '../dataframe.js';
import { col, explode, split, sum, udf } from '../functions.js';
import { PrunedColumn } from '../pruned-column.js';
import { pushableFilters } from '../scan-request.js';
import { parseExpression } from '../parser.js';
import { StringType, parseSchema } from '../types.js';
import { RecordBatch } from '../batch.js';
import { ColumnVector } from '../column-vector.js';
import { SinkColumn } from './csv-sink.js';
import { decodeBatch, encodeBatch } from './scan-wire.js';
import { DataFrameReader } from './reader.js';

const registry = new FileSystemRegistry();
const env = { resolvePath: (p: string) => registry.resolve(p) };
const read = (): DataFrameReader => new DataFrameReader(env);
let dir: string;

// Two partition folders; quoted fields, nulls and a NaN so that pruned and built fields sit side by side.
const ROWS: [number | null, string | null, number | null, boolean | null, number][] = [];
for (let i = 0; i < 300; i++) {
  ROWS.push([
    i % 17 === 0 ? null : i,
    i % 5 === 0 ? 'x, y' : i % 7 === 0 ? null : `s${i % 4}`,
    i % 13 === 0 ? null : i % 29 === 0 ? NaN : (i * 7.5) % 11,
    i % 3 === 0 ? null : i % 2 === 0,
    i % 2 === 0 ? 1 : 2,
  ]);
}
const csvField = (v: unknown): string =>
  v === null ? '' : typeof v === 'string' && v.includes(',') ? `"${v}"` : String(v);

/** The operations compared: each reads some columns only, some push filters down. */
const queries: [string, (d: DataFrame) => DataFrame][] = [
  ['one column', (d) => d.select('s')],
  ['filter then other column', (d) => d.filter(col('b').gt(4)).select('a')],
  [
    'SQL filter, conjunction with string equality',
    (d) => d.filter("b >= 2 AND s = 's1' AND a IS NOT NULL").select('a', 'flag'),
  ],
  ['null tests', (d) => d.filter(col('b').isNull()).select('a')],
  ['literal on the left', (d) => d.filter('3 > b').select('a', 's')],
  ['int column against a fraction', (d) => d.filter(col('a').lt(100.5)).select('b')],
  ['filter on a computed column', (d) => d.select(col('a'), col('b').multiply(2).alias('b2')).filter(col('b2').gt(5))],
  ['groupBy count', (d) => d.filter(col('b').gt(1)).groupBy('s').count().orderBy('s')],
  ['aggregate over a partition column', (d) => d.groupBy('p').agg(sum('b')).orderBy('p')],
  ['filter on a partition column', (d) => d.filter(col('p').equalTo(2)).select('a')],
  ['limit keeps the first rows', (d) => d.filter(col('b').gt(2)).limit(7).select('a')],
  ['explode of one column', (d) => d.select(col('a'), explode(split(col('s'), ','))).filter(col('a').gt(200))],
  ['union', (d) => d.select('a').union(d.select('a')).filter(col('a').gt(250))],
  ['nothing read but rows', (d) => d.select(col('a')).filter(col('a').isNull()).groupBy().count()],
];

async function expectSameAsFullRead(d: DataFrame): Promise<void> {
  // collect() reads every column, so the in-memory copy is the unpruned truth.
  const full = createDataFrame(env, await d.collect(), d.schema);
  for (const [name, q] of queries) {
    const pruned = await q(d).collect();
    expect({ name, rows: pruned }).toEqual({ name, rows: await q(full).collect() });
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-prune-'));
  for (const p of [1, 2]) {
    const rows = ROWS.filter((r) => r[4] === p);
    await mkdir(join(dir, 'csv', `p=${p}`), { recursive: true });
    await writeFile(
      join(dir, 'csv', `p=${p}`, 'part-0.csv'),
      ['a,s,b,flag', ...rows.map((r) => r.slice(0, 4).map(csvField).join(','))].join('\n') + '\n',
    );
    await mkdir(join(dir, 'json', `p=${p}`), { recursive: true });
    await writeFile(
      join(dir, 'json', `p=${p}`, 'part-0.json'),
      rows
        .map((r) =>
          JSON.stringify({ a: r[0], s: r[1], b: r[2] !== null && Number.isNaN(r[2]) ? 'NaN' : r[2], flag: r[3] }),
        )
        .join('\n') + '\n',
    );
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('column pruning and filter pushdown give the results of a full read', () => {
  const schema = 'a INT, s STRING, b DOUBLE, flag BOOLEAN';

  it('CSV, partitioned folder, several splits per file, in process', async () => {
    const d = await read()
      .option('header', true)
      .option('maxPartitionBytes', 600)
      .option('parallel', false)
      .schema(schema)
      .csv(join(dir, 'csv'));
    expect(await d.numPartitions()).toBeGreaterThan(4);
    await expectSameAsFullRead(d);
  });

  it('JSON lines, partitioned folder', async () => {
    await expectSameAsFullRead(await read().schema(schema).json(join(dir, 'json')));
    // Inferred schema: a and b come back as bigint and double, the pushed filters then skip the long column.
    await expectSameAsFullRead(await read().json(join(dir, 'json')));
  });

  it('Parquet, partitioned folder, several row groups', async () => {
    const src = await read().option('header', true).schema(schema).csv(join(dir, 'csv'));
    const out = join(dir, 'parquet');
    await src.write.partitionBy('p').option('parquet.block.rows', 40).parquet(out);
    const d = await read().parquet(out);
    expect(await d.numPartitions()).toBeGreaterThan(4);
    await expectSameAsFullRead(d);
    // Row groups whose min/max statistics rule a filter out are not read at all (a grows through the file).
    const late = d.filter(col('a').gt(250));
    expect(await late.numPartitions()).toBeLessThan((await d.numPartitions()) / 2);
    expect(await late.count()).toBe(ROWS.filter((r) => r[0] !== null && r[0] > 250).length);
    expect(await d.filter(col('a').equalTo(-1)).numPartitions()).toBe(0);
  });

  describe('the corrupt-record column', () => {
    const data = ['1,a,1.5', 'oops,b,2.5', '3,c,x', '4,"d', '5,e,9'].join('\n') + '\n';
    const withCorrupt = 'id INT, s STRING, v DOUBLE, _corrupt_record STRING';

    it('is kept when asked for: reading it turns pruning and pushdown off, as Spark does', async () => {
      const f = join(dir, 'bad.csv');
      await writeFile(f, data);
      const d = await read().schema(withCorrupt).csv(f);
      const full = await d.collect();
      expect(full.filter((r) => r['_corrupt_record'] !== null).map((r) => r['_corrupt_record'])).toEqual([
        'oops,b,2.5',
        '3,c,x',
        '4,"d',
      ]);
      expect(await d.select('_corrupt_record').collect()).toEqual(
        full.map((r) => ({ _corrupt_record: r['_corrupt_record'] })),
      );
      expect(await d.filter(col('v').gt(2)).select('s', '_corrupt_record').collect()).toEqual(
        full
          .filter((r) => (r['v'] as number | null) !== null && (r['v'] as number) > 2)
          .map((r) => ({ s: r['s'], _corrupt_record: r['_corrupt_record'] })),
      );
      expect(await d.select('s').collect()).toEqual(full.map((r) => ({ s: r['s'] })));
    });

    it('a record is malformed only in the columns read (Spark 2.4+), and a pushed filter decides first', async () => {
      const f = join(dir, 'bad.csv');
      await writeFile(f, ['1,a,1.5', 'oops,b,2.5', '3,c,9'].join('\n') + '\n');
      const d = await read().schema('id INT, s STRING, v DOUBLE').option('mode', 'FAILFAST').csv(f);
      await expect(d.collect()).rejects.toThrow(/FAILFAST. CSV record "oops,b,2.5"/);
      // id is not read: the record is fine for this query.
      expect(await d.select('s', 'v').collect()).toEqual([
        { s: 'a', v: 1.5 },
        { s: 'b', v: 2.5 },
        { s: 'c', v: 9 },
      ]);
      // The filter on v rejects "oops,b,2.5" before id is converted, as Spark's CSV filter pushdown does.
      expect(await d.filter(col('v').gt(5)).select('id').collect()).toEqual([{ id: 3 }]);
      const drop = await read().schema('id INT, s STRING, v DOUBLE').option('mode', 'DROPMALFORMED').csv(f);
      expect(await drop.count()).toBe(2);
      expect(await drop.select('s').count()).toBe(3);
      // A short record that passes the filter: the fields it lacks are null, and it is still malformed.
      await writeFile(f, ['5,e', '6,f,1', '7'].join('\n'));
      const short = await read().schema('id INT, s STRING, v DOUBLE, _corrupt_record STRING').csv(f);
      expect(await short.filter(col('id').gt(5)).select('v', 's').collect()).toEqual([
        { v: 1, s: 'f' },
        { v: null, s: null },
      ]);
      expect(await short.filter(col('id').gt(4)).select('s', 'v').collect()).toEqual([
        { s: 'e', v: null },
        { s: 'f', v: 1 },
        { s: null, v: null },
      ]);
    });
  });

  it('partition filters leave whole folders unread, and partition values line up with the schema', async () => {
    const root = join(dir, 'parts');
    for (const [p, q, body] of [
      [1, 'x', 'p,v\n10,1.5\n'],
      [2, 'y', 'p,v\n20,2.5\nbroken,oops\n'],
    ] as const) {
      await mkdir(join(root, `p=${p}`, `q=${q}`), { recursive: true });
      await writeFile(join(root, `p=${p}`, `q=${q}`, 'part-0.csv'), body);
    }
    // p is also a data column: the file's p wins (as in Spark), q stays a partition column.
    const d = await read().option('header', true).option('mode', 'FAILFAST').schema('p INT, v DOUBLE').csv(root);
    expect(d.columns).toEqual(['p', 'v', 'q']);
    await expect(d.collect()).rejects.toThrow(/FAILFAST/);
    expect(await d.filter(col('q').equalTo('x')).collect()).toEqual([{ p: 10, v: 1.5, q: 'x' }]);
    expect(await d.filter("q = 'x'").select('q').count()).toBe(1);
  });

  it('explain() shows what each scan reads and the filters pushed to it, as Spark does', async () => {
    const d = await read().option('header', true).schema(schema).csv(join(dir, 'csv'));
    const lines = d.filter("b > 2 AND s = 's1'").groupBy('s').count().explain().split('\n');
    expect(lines[0]).toBe('Aggregate [s], [s, count]');
    expect(lines[2]).toMatch(
      /^ {4}FileScan csv file:\/\/.*csv, ReadSchema: \[s, b\], PushedFilters: \[GreaterThan\(b,2\), EqualTo\(s,s1\)\]$/,
    );
    // Below a limit nothing is pushed; a plain read reads everything.
    expect(d.limit(2).filter('b > 2').explain()).toMatch(/ReadSchema: \[a, s, b, flag, p\]$/);
  });

  it('an expression nobody reads is not evaluated', async () => {
    const f = join(dir, 'small.csv');
    await writeFile(f, '1,a\n2,b\n');
    let calls = 0;
    const touch = udf((s: unknown) => {
      calls++;
      return s;
    }, StringType);
    const d = await read().schema('i INT, s STRING').csv(f);
    const rows = await d
      .select(col('i'), touch(col('s')).alias('t'))
      .filter(col('i').gt(1))
      .select('i')
      .collect();
    expect(rows).toEqual([{ i: 2 }]);
    expect(calls).toBe(0);
    await d.select(col('i'), touch(col('s')).alias('t')).collect();
    expect(calls).toBe(2);
  });
});

describe('the pieces', () => {
  it('pushable filters: only conjuncts a scan computes exactly as the analyzer', () => {
    const s = parseSchema('a INT, b DOUBLE, s STRING, t TIMESTAMP, l BIGINT');
    const f = (sql: string): unknown => pushableFilters(parseExpression(sql), s);
    expect(f("a > 1 AND 2.5 <= b AND s = 'x' AND b IS NOT NULL")).toEqual([
      { op: 'gt', column: 0, value: 1 },
      { op: 'ge', column: 1, value: 2.5 },
      { op: 'eq', column: 2, value: 'x' },
      { op: 'isNotNull', column: 1 },
    ]);
    expect(f('a > 1 OR b > 2')).toEqual([]);
    expect(f("s > 'x'")).toEqual([]);
    expect(f('s = 1')).toEqual([]);
    expect(f('l > 1')).toEqual([]);
    expect(f('a + 1 > 2')).toEqual([]);
    expect(f('NOT (a > 1)')).toEqual([]);
    // A struct field is not its struct: w.x IS NULL says nothing about w.
    const nested = parseSchema('w STRUCT<x: INT>, `w.x` INT');
    expect(pushableFilters(parseExpression('w.x IS NULL'), nested)).toEqual([{ op: 'isNull', column: 1 }]);
    expect(pushableFilters(parseExpression('w.x IS NULL'), parseSchema('w STRUCT<x: INT>'))).toEqual([]);
  });

  it('a scanned string column crosses threads as its intern codes, nulls included', () => {
    const schema = parseSchema('s STRING');
    const sink = new SinkColumn(StringType, 8);
    const line = 'b,a,b,c';
    sink.putRange(line, 0, 1, 0);
    sink.setNull(1);
    sink.putRange(line, 2, 3, 2);
    sink.putRange(line, 4, 5, 3);
    sink.putRange(line, 6, 7, 4);
    const col = sink.finish(5);
    const { batch } = encodeBatch(new RecordBatch(schema, [col], 5));
    expect(batch.columns[0]).toMatchObject({ kind: 'dict', dict: ['b', 'a', 'c'] });
    expect(decodeBatch(schema, batch).column(0).data).toEqual(['b', null, 'a', 'b', 'c']);
    // A value that did not come from the table (a quoted field) sends the batch the general way.
    sink.putRange(line, 0, 1, 0);
    sink.put('x,y', 1);
    const mixed = encodeBatch(new RecordBatch(schema, [sink.finish(2)], 2)).batch;
    expect(decodeBatch(schema, mixed).column(0).data).toEqual(['b', 'x,y']);
  });

  it('a pruned column travels between threads as nothing, and reading one fails loudly', () => {
    const schema = parseSchema('a INT, s STRING');
    const b = new RecordBatch(
      schema,
      [ColumnVector.fromValues(schema.fields[0]!.dataType, [1, 2]), new PrunedColumn(StringType, 2)],
      2,
    );
    const { batch } = encodeBatch(b);
    expect(batch.columns[1]).toEqual({ kind: 'pruned' });
    const back = decodeBatch(schema, batch);
    expect(back.column(0).get(1)).toBe(2);
    expect(back.column(1)).toBeInstanceOf(PrunedColumn);
    expect(back.gather([1], 1).column(1).length).toBe(1);
    expect(() => back.column(1).get(0)).toThrow(/pruned column was read/);
    expect(() => back.column(1).data).toThrow(/pruned column was read/);
  });
});
