import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundledDataset } from '../../common/paths.js';
import { FileSystemRegistry } from '../../storage/registry.js';
import { createDataFrame } from '../create.js';
import { col } from '../functions.js';
import { DataFrameReader } from './reader.js';

const registry = new FileSystemRegistry();
const env = { resolvePath: (p: string) => registry.resolve(p) };
const read = (): DataFrameReader => new DataFrameReader(env);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-csv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CSV reader', () => {
  it('reads the bundled iris folder as the Spark tutorial does: _c0.._c3 double, _c4 string, 150 rows', async () => {
    const iris = await read().option('inferSchema', true).csv(bundledDataset('iris'));
    expect(iris.dtypes).toEqual([
      ['_c0', 'double'],
      ['_c1', 'double'],
      ['_c2', 'double'],
      ['_c3', 'double'],
      ['_c4', 'string'],
    ]);
    expect(await iris.count()).toBe(150);
    expect(await iris.first()).toEqual({ _c0: 5.1, _c1: 3.5, _c2: 1.4, _c3: 0.2, _c4: 'Iris-setosa' });
    const plain = await read().csv(bundledDataset('iris'));
    expect(plain.dtypes.every(([, t]) => t === 'string')).toBe(true);
  });

  it('header, inferSchema rules (int, long, double, boolean, timestamp, widening to string), quotes and blank lines', async () => {
    const f = join(dir, 'people.csv');
    await writeFile(
      f,
      [
        'name,age,big,score,ok,when,mixed',
        '"Smith, Ann",34,3000000000,1.5,true,2024-01-02 03:04:05,1',
        '',
        'Bob,,1,2,false,2024-01-02T03:04:05Z,x',
        '"He said ""hi""",5,2,NaN,TRUE,,2',
        '',
      ].join('\n'),
    );
    const d = await read().option('header', 'true').option('inferSchema', true).csv(f);
    expect(d.dtypes).toEqual([
      ['name', 'string'],
      ['age', 'int'],
      ['big', 'bigint'],
      ['score', 'double'],
      ['ok', 'boolean'],
      ['when', 'timestamp'],
      ['mixed', 'string'],
    ]);
    const rows = await d.collect();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({
      name: 'Smith, Ann',
      age: 34,
      big: 3000000000n,
      score: 1.5,
      ok: true,
      when: new Date('2024-01-02T03:04:05Z'),
      mixed: '1',
    });
    expect(rows[1]!['age']).toBeNull();
    expect(rows[2]!['name']).toBe('He said "hi"');
    expect(Number.isNaN(rows[2]!['score'])).toBe(true);
  });

  it('honours sep and a user schema (DDL), and names headerless columns _c0, _c1', async () => {
    const f = join(dir, 'x.tsv');
    await writeFile(f, 'a\t1\nb\t2\n');
    expect((await read().option('sep', '\t').csv(f)).columns).toEqual(['_c0', '_c1']);
    const d = await read().schema('k STRING, v INT').option('sep', '\t').csv(f);
    expect(await d.collect()).toEqual([
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ]);
  });

  describe('malformed records', () => {
    const data = ['1,a', 'oops,b', '3,c,extra', '"4,d', '5,e'].join('\n') + '\n';
    const schema = 'id INT, s STRING';

    it('PERMISSIVE (default) keeps them with nulls, and the raw line in the corrupt-record column', async () => {
      const f = join(dir, 'bad.csv');
      await writeFile(f, data);
      const d = await read().schema(`${schema}, _corrupt_record STRING`).csv(f);
      expect(await d.collect()).toEqual([
        { id: 1, s: 'a', _corrupt_record: null },
        { id: null, s: 'b', _corrupt_record: 'oops,b' },
        { id: 3, s: 'c', _corrupt_record: '3,c,extra' },
        { id: null, s: null, _corrupt_record: '"4,d' },
        { id: 5, s: 'e', _corrupt_record: null },
      ]);
      const named = await read().schema(`${schema}, bad STRING`).option('columnNameOfCorruptRecord', 'bad').csv(f);
      expect(await named.filter(col('bad').isNotNull()).count()).toBe(3);
      expect(await (await read().schema(schema).csv(f)).count()).toBe(5);
    });

    it('DROPMALFORMED drops them', async () => {
      const f = join(dir, 'bad.csv');
      await writeFile(f, data);
      const d = await read().schema(schema).option('mode', 'DROPMALFORMED').csv(f);
      expect((await d.collect()).map((r) => r['id'])).toEqual([1, 5]);
    });

    it('FAILFAST fails on the first, naming the record and the file', async () => {
      const f = join(dir, 'bad.csv');
      await writeFile(f, data);
      const d = await read().schema(schema).option('mode', 'failfast').csv(f);
      await expect(d.collect()).rejects.toThrow(
        /Malformed records are detected in record parsing. Parse Mode: FAILFAST. CSV record "oops,b" in file:\/\/.*bad\.csv/,
      );
      await expect(read().option('mode', 'sloppy').csv(f)).rejects.toThrow(/PERMISSIVE, DROPMALFORMED or FAILFAST/);
    });
  });

  it('reads a file in several input splits without losing or repeating a line', async () => {
    const f = join(dir, 'big.csv');
    const lines = Array.from({ length: 2000 }, (_, i) => `${i},${'x'.repeat(i % 17)}`);
    await writeFile(f, lines.join('\n') + '\n');
    const d = await read().schema('i INT, s STRING').option('maxPartitionBytes', 1000).csv(f);
    expect(await d.numPartitions()).toBeGreaterThan(10);
    const ids = (await d.collect()).map((r) => r['i']);
    expect(ids).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it('reports a missing path and an unreadable schema clearly', async () => {
    await expect(read().csv(join(dir, 'nope'))).rejects.toThrow(/nope/);
    await mkdir(join(dir, 'empty'));
    await expect(read().csv(join(dir, 'empty'))).rejects.toThrow(/unable to infer schema for CSV/);
  });
});

describe('CSV writer', () => {
  it('round-trips through part files plus _SUCCESS, with header, quoting and nulls', async () => {
    const d = createDataFrame(
      env,
      [
        ['a,b', 1, 1.5, true, new Date('2024-01-02T03:04:05.006Z')],
        ['say "x"', null, 1e7, false, null],
        ['', 3, -0.25, null, new Date(0)],
      ],
      'name STRING, n INT, x DOUBLE, b BOOLEAN, t TIMESTAMP',
      { numPartitions: 2 },
    );
    const out = join(dir, 'out');
    await d.write.option('header', true).csv(out);
    const files = (await readdir(out)).sort();
    expect(files).toHaveLength(3);
    expect(files[0]).toMatch(/^_SUCCESS$/);
    expect(files[1]).toMatch(/^part-00000-[0-9a-f-]{36}\.csv$/);
    expect(files[2]).toMatch(/^part-00001-[0-9a-f-]{36}\.csv$/);
    expect(await readFile(join(out, files[1]!), 'utf8')).toBe(
      'name,n,x,b,t\n"a,b",1,1.5,true,2024-01-02T03:04:05.006Z\n"say ""x""",,1.0E7,false,\n',
    );
    const back = await read().schema(d.schema).option('header', true).csv(out);
    expect(await back.collect()).toEqual(await d.collect());
  });

  it('save modes: error by default, ignore, append, overwrite', async () => {
    const out = join(dir, 'modes');
    const d = createDataFrame(env, [[1], [2]], 'i INT');
    await d.write.csv(out);
    await expect(d.write.csv(out)).rejects.toThrow(/already exists; use mode\("overwrite"\)/);
    await d.write.mode('ignore').csv(out);
    expect(await (await read().schema('i INT').csv(out)).count()).toBe(2);
    await d.write.mode('append').csv(out);
    expect(await (await read().schema('i INT').csv(out)).count()).toBe(4);
    await createDataFrame(env, [[9]], 'i INT')
      .write.mode('overwrite')
      .csv(out);
    expect(await (await read().schema('i INT').csv(out)).collect()).toEqual([{ i: 9 }]);
    expect(() => d.write.mode('replace')).toThrow(/unknown save mode "replace"/);
  });

  it('refuses types CSV cannot hold before writing anything', async () => {
    const out = join(dir, 'arr');
    const d = createDataFrame(env, [{ a: ['x'] }]);
    await expect(d.write.csv(out)).rejects.toThrow(/CSV data source does not support array<string> data type/);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('partitionBy writes col=value folders and reading discovers them as typed columns', async () => {
    const d = createDataFrame(
      env,
      [
        ['a', 2024, 'x/y'],
        ['b', 2024, null],
        ['c', 2023, 'x/y'],
      ],
      'v STRING, year INT, tag STRING',
    );
    const out = join(dir, 'parts');
    await d.write.partitionBy('year', 'tag').option('header', true).csv(out);
    const years = (await readdir(out)).filter((n) => !n.startsWith('_')).sort();
    expect(years).toEqual(['year=2023', 'year=2024']);
    expect((await readdir(join(out, 'year=2024'))).sort()).toEqual(['tag=__HIVE_DEFAULT_PARTITION__', 'tag=x%2Fy']);
    const back = await read().option('header', true).csv(out);
    expect(back.dtypes).toEqual([
      ['v', 'string'],
      ['year', 'int'],
      ['tag', 'string'],
    ]);
    expect(await back.orderBy('v').collect()).toEqual([
      { v: 'a', year: 2024, tag: 'x/y' },
      { v: 'b', year: 2024, tag: null },
      { v: 'c', year: 2023, tag: 'x/y' },
    ]);
  });
});
