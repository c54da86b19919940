import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSystemRegistry } from '../../storage/registry.js';
import { createDataFrame } from '../create.js';
import { col } from '../functions.js';
import { DataFrameReader } from './reader.js';

const registry = new FileSystemRegistry();
const env = { resolvePath: (p: string) => registry.resolve(p) };
const read = (): DataFrameReader => new DataFrameReader(env);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-csvml-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CSV multiLine', () => {
  const text = [
    'id,note,score',
    '1,"two\nlines",1.5',
    '2,"quote "" inside\nand, a comma",2.5',
    '3,plain,3.5',
    '4,"escaped \\" quote\n\nblank line inside",4.5',
    '5,"",',
  ].join('\n');

  it('reads quoted fields that span lines (escapes, doubled quotes, blank lines inside)', async () => {
    const f = join(dir, 'notes.csv');
    await writeFile(f, text + '\n');
    const d = await read().option('header', true).option('multiLine', true).option('inferSchema', true).csv(f);
    expect(d.dtypes).toEqual([
      ['id', 'int'],
      ['note', 'string'],
      ['score', 'double'],
    ]);
    expect(await d.collect()).toEqual([
      { id: 1, note: 'two\nlines', score: 1.5 },
      { id: 2, note: 'quote " inside\nand, a comma', score: 2.5 },
      { id: 3, note: 'plain', score: 3.5 },
      { id: 4, note: 'escaped " quote\n\nblank line inside', score: 4.5 },
      { id: 5, note: '', score: null },
    ]);
    // Off by default: each physical line is a record, so the same file is full of malformed ones.
    const lines = await read()
      .option('header', true)
      .schema('id INT, note STRING, score DOUBLE, _corrupt_record STRING')
      .csv(f);
    expect(await lines.filter(col('_corrupt_record').isNotNull()).count()).toBeGreaterThan(3);
  });

  it('CRLF line ends: the record terminator goes, a line break inside quotes stays', async () => {
    const f = join(dir, 'crlf.csv');
    await writeFile(f, 'a,b\r\n1,"x\r\ny"\r\n2,z\r\n');
    const d = await read().option('header', true).option('multiLine', true).schema('a INT, b STRING').csv(f);
    expect(await d.collect()).toEqual([
      { a: 1, b: 'x\r\ny' },
      { a: 2, b: 'z' },
    ]);
  });

  it('keeps a file in one partition, however small maxPartitionBytes, and many files in many', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `${i},"line ${i}\nnext ${i}"`);
    await writeFile(join(dir, 'a.csv'), rows.slice(0, 200).join('\n') + '\n');
    await writeFile(join(dir, 'b.csv'), rows.slice(200).join('\n'));
    const d = await read()
      .option('multiLine', true)
      .option('maxPartitionBytes', 100)
      .schema('i INT, s STRING')
      .csv(dir);
    expect(await d.numPartitions()).toBe(2);
    const got = await d.collect();
    expect(got.map((r) => r['i'])).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(got[399]).toEqual({ i: 399, s: 'line 399\nnext 399' });
  });

  it('reads back what the CSV writer wrote with line breaks in values', async () => {
    const src = createDataFrame(
      env,
      [
        ['a\nb', 1],
        ['c,"d"\r\ne', 2],
        [null, 3],
      ],
      's STRING, n INT',
    );
    await src.write.option('header', true).csv(join(dir, 'out'));
    const back = await read()
      .option('header', true)
      .option('multiLine', true)
      .schema('s STRING, n INT')
      .csv(join(dir, 'out'));
    expect(await back.orderBy('n').collect()).toEqual(await src.collect());
  });

  describe('malformed records in each mode', () => {
    // The fourth record opens a quote that never closes: it runs to the end of the file (final newline aside).
    const bad = ['1,ok', '2,"fine\nstill"', 'x,bad int', '3,"never closed', '4,swallowed'].join('\n') + '\n';
    const schema = 'id INT, s STRING';

    it('PERMISSIVE keeps them, with the whole record in the corrupt-record column', async () => {
      const f = join(dir, 'bad.csv');
      await writeFile(f, bad);
      const d = await read().option('multiLine', true).schema(`${schema}, _corrupt_record STRING`).csv(f);
      expect(await d.collect()).toEqual([
        { id: 1, s: 'ok', _corrupt_record: null },
        { id: 2, s: 'fine\nstill', _corrupt_record: null },
        { id: null, s: 'bad int', _corrupt_record: 'x,bad int' },
        { id: null, s: null, _corrupt_record: '3,"never closed\n4,swallowed' },
      ]);
    });

    it('DROPMALFORMED drops them', async () => {
      const f = join(dir, 'bad.csv');
      await writeFile(f, bad);
      const d = await read().option('multiLine', true).option('mode', 'DROPMALFORMED').schema(schema).csv(f);
      expect(await d.collect()).toEqual([
        { id: 1, s: 'ok' },
        { id: 2, s: 'fine\nstill' },
      ]);
    });

    it('FAILFAST fails on the first, naming it', async () => {
      const f = join(dir, 'bad.csv');
      await writeFile(f, bad);
      const d = await read().option('multiLine', true).option('mode', 'FAILFAST').schema(schema).csv(f);
      await expect(d.collect()).rejects.toThrow(/Parse Mode: FAILFAST. CSV record "x,bad int"/);
      await expect(read().option('multiLine', 'yes').csv(f)).rejects.toThrow(/multiLine.*true or false/i);
    });
  });
});
