import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileSystemRegistry } from '../../storage/registry.js';
import { createDataFrame } from '../create.js';
import { Vectors } from '../vector.js';
import { DataFrameReader } from './reader.js';

const registry = new FileSystemRegistry();
const env = { resolvePath: (p: string) => registry.resolve(p) };
const read = (): DataFrameReader => new DataFrameReader(env);
let dir: string;
let duck: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  duck = await DuckDBInstance.create(':memory:');
  conn = await duck.connect();
  await conn.run("SET TimeZone = 'UTC'");
});
afterAll(() => {
  conn.closeSync();
  duck.closeSync();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-parquet-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample = () =>
  createDataFrame(
    env,
    [
      ['a', 1, 10n, 1.5, true, new Date('2024-01-02T03:04:05.006Z'), ['x', 'y']],
      ['b', null, -3n, null, false, null, []],
      [null, 3, null, -0.25, null, new Date(0), null],
    ],
    's STRING, i INT, l BIGINT, d DOUBLE, b BOOLEAN, t TIMESTAMP, arr ARRAY<STRING>',
    { numPartitions: 2 },
  );

describe('Parquet', () => {
  it('round-trips through snappy part files, schema included', async () => {
    const d = sample();
    const out = join(dir, 'out');
    await d.write.parquet(out);
    const files = (await readdir(out)).sort();
    expect(files[0]).toBe('_SUCCESS');
    expect(files.slice(1).every((f) => /^part-0000[01]-[0-9a-f-]{36}\.snappy\.parquet$/.test(f))).toBe(true);
    const back = await read().parquet(out);
    expect(back.dtypes).toEqual(d.dtypes);
    expect(await back.collect()).toEqual(await d.collect());
  });

  it('writes files DuckDB reads with the same values and types', async () => {
    const out = join(dir, 'forduck');
    await sample().write.parquet(out);
    const r = await conn.runAndReadAll(
      `SELECT s, i, l, d, b, epoch_ms(t) AS t, arr, typeof(i) AS ti, typeof(l) AS tl, typeof(t) AS tt FROM read_parquet('${out}/*.parquet') ORDER BY l NULLS LAST`,
    );
    const rows = r.getRowObjectsJS();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      s: 'b',
      i: null,
      l: -3n,
      d: null,
      b: false,
      t: null,
      arr: [],
      ti: 'INTEGER',
      tl: 'BIGINT',
    });
    expect(rows[1]).toMatchObject({ s: 'a', i: 1, l: 10n, d: 1.5, b: true, t: 1704164645006n, arr: ['x', 'y'] });
    expect(rows[2]).toMatchObject({ s: null, i: 3, l: null, d: -0.25, b: null, t: 0n, arr: null });
    expect(String(rows[0]!['tt'])).toMatch(/^TIMESTAMP/);
  });

  it('reads files DuckDB wrote (snappy and zstd-free defaults), one partition per row group', async () => {
    const f = join(dir, 'duck.parquet');
    await conn.run(
      `COPY (SELECT i::INTEGER AS i, i::BIGINT * 1000000000 AS big, i / 4 AS q, 'v' || i AS s, i % 2 = 0 AS even,
              TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) SECOND AS ts, [i, i + 1] AS pair,
              CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS sparse
            FROM range(2500) t(i)) TO '${f}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1000)`,
    );
    const d = await read().parquet(f);
    expect(d.dtypes).toEqual([
      ['i', 'int'],
      ['big', 'bigint'],
      ['q', 'double'],
      ['s', 'string'],
      ['even', 'boolean'],
      ['ts', 'timestamp'],
      ['pair', 'array<bigint>'],
      ['sparse', 'bigint'],
    ]);
    expect(await d.numPartitions()).toBeGreaterThan(1);
    expect(await d.count()).toBe(2500);
    const rows = await d.filter('i IN (0, 7, 2499)').collect();
    expect(rows).toEqual([
      { i: 0, big: 0n, q: 0, s: 'v0', even: true, ts: new Date('2024-01-01T00:00:00Z'), pair: [0n, 1n], sparse: null },
      {
        i: 7,
        big: 7000000000n,
        q: 1.75,
        s: 'v7',
        even: false,
        ts: new Date('2024-01-01T00:00:07Z'),
        pair: [7n, 8n],
        sparse: 7n,
      },
      {
        i: 2499,
        big: 2499000000000n,
        q: 624.75,
        s: 'v2499',
        even: false,
        ts: new Date('2024-01-01T00:41:39Z'),
        pair: [2499n, 2500n],
        sparse: null,
      },
    ]);
    const agg = await d.groupBy('even').count().orderBy('even').collect();
    expect(agg).toEqual([
      { even: false, count: 1250n },
      { even: true, count: 1250n },
    ]);
  });

  it('partitionBy round trip, readable by DuckDB with hive partitioning', async () => {
    const d = createDataFrame(
      env,
      [
        [1, 'eu'],
        [2, 'us'],
        [3, 'eu'],
      ],
      'n INT, region STRING',
    );
    const out = join(dir, 'byregion');
    await d.write.partitionBy('region').parquet(out);
    const back = await read().parquet(out);
    expect(back.columns).toEqual(['n', 'region']);
    expect(await back.orderBy('n').collect()).toEqual(await d.collect());
    const r = await conn.runAndReadAll(
      `SELECT region, sum(n)::INTEGER AS s FROM read_parquet('${out}/*/*.parquet', hive_partitioning = true) GROUP BY region ORDER BY region`,
    );
    expect(r.getRowObjectsJS()).toEqual([
      { region: 'eu', s: 4 },
      { region: 'us', s: 2 },
    ]);
  });

  it('stores vectors as Spark ML VectorUDT structs and structs as groups, both ways', async () => {
    const d = createDataFrame(
      env,
      [
        [Vectors.dense([1, 2.5]), { start: new Date('2024-01-01T00:00:00Z'), n: 1 }],
        [Vectors.sparse(4, [1, 3], [7, 8]), null],
        [null, { start: null, n: 2 }],
      ],
      'features VECTOR, w STRUCT<start:TIMESTAMP,n:INT>',
    );
    const out = join(dir, 'vec');
    await d.write.parquet(out);
    const back = await read().parquet(out);
    expect(back.dtypes).toEqual([
      ['features', 'vector'],
      ['w', 'struct<start:timestamp,n:int>'],
    ]);
    expect(await back.collect()).toEqual(await d.collect());
    const r = await conn.runAndReadAll(
      `SELECT features.type AS t, features.size AS s, features.indices AS i, features."values" AS v, w.n AS n FROM read_parquet('${out}/*.parquet')`,
    );
    expect(r.getRowObjectsJS()).toEqual([
      { t: 1, s: null, i: null, v: [1, 2.5], n: 1 },
      { t: 0, s: 4, i: [1, 3], v: [7, 8], n: null },
      { t: null, s: null, i: null, v: null, n: 2 },
    ]);
  });

  it('streams row groups to the file (parquet.block.rows) and reads one partition per group', async () => {
    const d = createDataFrame(
      env,
      Array.from({ length: 2500 }, (_, i) => [i, `s${i % 10}`]),
      'i INT, s STRING',
    );
    const out = join(dir, 'groups');
    await d.write.option('parquet.block.rows', 1000).parquet(out);
    const back = await read().parquet(out);
    expect(await back.numPartitions()).toBe(3);
    expect(await back.collect()).toEqual(await d.collect());
    const r = await conn.runAndReadAll(
      `SELECT count(DISTINCT row_group_id)::INTEGER AS groups FROM parquet_metadata('${out}/*.parquet')`,
    );
    expect(r.getRowObjectsJS()).toEqual([{ groups: 3 }]);
  });

  it('refuses a non-Parquet file with a clear error', async () => {
    const out = join(dir, 'csv');
    await createDataFrame(env, [[1]], 'i INT').write.csv(out);
    await expect(read().parquet(out)).rejects.toThrow(/is not a readable Parquet file/);
  });
});
