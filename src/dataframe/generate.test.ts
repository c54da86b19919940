import { describe, expect, it } from 'vitest';
import { FileSystemRegistry } from '../storage/registry.js';
import { createDataFrame, type RowInput } from './create.js';
import { col, explode, explode_outer, split } from './functions.js';

const registry = new FileSystemRegistry();
const env = { resolvePath: (p: string) => registry.resolve(p) };
const df = (rows: readonly RowInput[], schema?: string) => createDataFrame(env, rows, schema);

describe('split and explode', () => {
  it('split on a literal gives what the regular expression gives (Java split, limit -1)', async () => {
    const lines = ['a b  c ', ' lead', '', 'x|y.z', 'no-sep', null];
    const rows = lines.map((l) => [l]);
    for (const [literal, regex] of [
      [' ', '[ ]'],
      ['\\|', '[|]'],
      ['\\.', '[.]'],
      ['  ', '[ ]{2}'],
    ] as const) {
      const got = await df(rows, 's STRING')
        .select(split(col('s'), literal).alias('a'), split(col('s'), regex).alias('b'))
        .collect();
      for (const r of got) expect(r['a']).toEqual(r['b']);
    }
    const got = await df(rows, 's STRING')
      .select(split(col('s'), ' ').alias('a'))
      .collect();
    expect(got.map((r) => r['a'])).toEqual([['a', 'b', '', 'c', ''], ['', 'lead'], [''], ['x|y.z'], ['no-sep'], null]);
  });

  it('explode repeats the other columns for each element; explode_outer keeps empty and null arrays', async () => {
    const rows = [
      [1, ['a', null, 'b']],
      [2, []],
      [3, null],
      [4, ['c']],
    ];
    const d = df(rows, 'id INT, xs ARRAY<STRING>');
    expect(await d.select(col('id'), explode(col('xs')).alias('x')).collect()).toEqual([
      { id: 1, x: 'a' },
      { id: 1, x: null },
      { id: 1, x: 'b' },
      { id: 4, x: 'c' },
    ]);
    expect(await d.select(explode_outer(col('xs')).alias('x'), col('id')).collect()).toEqual([
      { x: 'a', id: 1 },
      { x: null, id: 1 },
      { x: 'b', id: 1 },
      { x: null, id: 2 },
      { x: null, id: 3 },
      { x: 'c', id: 4 },
    ]);
    const nums = df([[[1.5, null]], [[2.5]]], 'xs ARRAY<DOUBLE>');
    expect(await nums.select(explode(col('xs')).alias('x')).collect()).toEqual([{ x: 1.5 }, { x: null }, { x: 2.5 }]);
  });
});
