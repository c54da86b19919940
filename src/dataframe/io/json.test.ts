import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSystemRegistry } from '../../storage/registry.js';
import { createDataFrame } from '../create.js';
import { Vectors } from '../vector.js';
import { DataFrameReader } from './reader.js';

const registry = new FileSystemRegistry();
const env = { resolvePath: (p: string) => registry.resolve(p) };
const read = (): DataFrameReader => new DataFrameReader(env);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-json-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('JSON lines', () => {
  it('infers a schema as Spark does: sorted fields, integers bigint, nested arrays and structs', async () => {
    const f = join(dir, 'a.json');
    await writeFile(
      f,
      ['{"name":"a","n":1,"tags":["x"],"pos":{"y":2,"x":1.5}}', '', '{"n":2.5,"name":null,"extra":true}'].join('\n'),
    );
    const d = await read().json(f);
    expect(d.schema.treeString()).toBe(
      [
        'root',
        ' |-- extra: boolean (nullable = true)',
        ' |-- n: double (nullable = true)',
        ' |-- name: string (nullable = true)',
        ' |-- pos: struct (nullable = true)',
        ' |    |-- x: double (nullable = true)',
        ' |    |-- y: long (nullable = true)',
        ' |-- tags: array (nullable = true)',
        ' |    |-- element: string (containsNull = true)',
        '',
      ].join('\n'),
    );
    expect(await d.collect()).toEqual([
      { extra: null, n: 1, name: 'a', pos: { x: 1.5, y: 2n }, tags: ['x'] },
      { extra: true, n: 2.5, name: null, pos: null, tags: null },
    ]);
  });

  it('handles malformed lines in each mode', async () => {
    const f = join(dir, 'bad.json');
    await writeFile(f, ['{"a":1}', '{"a":', '[1,2]', '{"a":"text"}', '{"a":3}'].join('\n'));
    const inferred = await read().json(f);
    expect(inferred.columns).toEqual(['_corrupt_record', 'a']);
    const permissive = await read().schema('a BIGINT, _corrupt_record STRING').json(f);
    expect(await permissive.collect()).toEqual([
      { a: 1n, _corrupt_record: null },
      { a: null, _corrupt_record: '{"a":' },
      { a: null, _corrupt_record: '[1,2]' },
      { a: null, _corrupt_record: '{"a":"text"}' },
      { a: 3n, _corrupt_record: null },
    ]);
    const dropped = await read().schema('a BIGINT').option('mode', 'DROPMALFORMED').json(f);
    expect((await dropped.collect()).map((r) => r['a'])).toEqual([1n, 3n]);
    const strict = await read().schema('a BIGINT').option('mode', 'FAILFAST').json(f);
    await expect(strict.count()).rejects.toThrow(/Parse Mode: FAILFAST. JSON record "\{\\"a\\":"/);
  });

  it('round-trips every type through write.json, leaving null fields out as Spark does', async () => {
    const d = createDataFrame(
      env,
      [
        {
          s: 'x"y',
          i: 1,
          l: 9007199254740993n,
          d: 0.5,
          b: true,
          t: new Date('2024-01-02T03:04:05.006Z'),
          bin: new Uint8Array([0, 255]),
          arr: [1.5, 2],
          v: Vectors.sparse(3, [1], [4]),
        },
        { s: null, i: null, l: null, d: NaN, b: null, t: null, bin: null, arr: null, v: Vectors.dense([1, 2]) },
      ],
      's STRING, i INT, l BIGINT, d DOUBLE, b BOOLEAN, t TIMESTAMP, bin BINARY, arr ARRAY<DOUBLE>, v VECTOR',
    );
    const out = join(dir, 'out');
    await d.write.json(out);
    const part = (await readdir(out)).find((n) => n.endsWith('.json'))!;
    const text = await readFile(join(out, part), 'utf8');
    expect(text.split('\n')[1]).toBe('{"d":"NaN","v":{"type":1,"values":[1,2]}}');
    const back = await read().schema(d.schema).json(out);
    const rows = await back.collect();
    expect(rows[0]).toEqual((await d.collect())[0]);
    expect(Number.isNaN(rows[1]!['d'])).toBe(true);
    expect(rows[1]!['v']).toEqual(Vectors.dense([1, 2]));
  });

  it('reads text files line by line into a value column', async () => {
    const f = join(dir, 't.txt');
    await writeFile(f, 'hello world\n\nbye\n');
    const d = await read().text(f);
    expect(await d.collect()).toEqual([{ value: 'hello world' }, { value: '' }, { value: 'bye' }]);
    const out = join(dir, 'tout');
    await d.write.text(out);
    expect(await (await read().text(out)).collect()).toEqual(await d.collect());
  });
});
