import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { FileSystemRegistry } from '../storage/registry.js';
import { createDataFrame } from './create.js';
import { DataFrame } from './dataframe.js';
import { Vectors } from './vector.js';

const registry = new FileSystemRegistry();
const env = { resolvePath: (p: string) => registry.resolve(p) };

describe('Arrow', () => {
  it('round-trips every Eddy type through an Arrow table', async () => {
    const d = createDataFrame(
      env,
      [
        [
          'a',
          true,
          1,
          10n,
          1.5,
          new Date('2024-01-01T00:00:00.123Z'),
          new Uint8Array([1]),
          ['x'],
          Vectors.dense([1, 2]),
          { k: 1 },
        ],
        [null, null, null, null, null, null, null, null, null, null],
      ],
      's STRING, b BOOLEAN, i INT, l BIGINT, d DOUBLE, t TIMESTAMP, bin BINARY, arr ARRAY<STRING>, v VECTOR, st STRUCT<k:INT>',
    );
    const table = await d.toArrow();
    expect(table.numRows).toBe(2);
    expect(table.schema.fields.map((f) => String(f.type))).toEqual([
      'Utf8',
      'Bool',
      'Int32',
      'Int64',
      'Float64',
      'Timestamp<MILLISECOND, UTC>',
      'Binary',
      'List<Utf8>',
      'List<Float64>',
      'Struct<{k:Int32}>',
    ]);
    expect(table.getChild('b')!.get(0)).toBe(true);
    expect(table.getChild('b')!.get(1)).toBeNull();
    const back = DataFrame.fromArrow(table, env);
    expect(back.dtypes).toEqual(d.dtypes);
    expect(await back.collect()).toEqual(await d.collect());
  });

  it('hands numeric columns over without copying, and reads tables built by apache-arrow', async () => {
    const xs = Float64Array.from({ length: 1000 }, (_, i) => i / 2);
    const table = arrow.tableFromArrays({
      x: xs,
      n: Int32Array.from({ length: 1000 }, (_, i) => i),
      s: Array.from({ length: 1000 }, (_, i) => `s${i % 3}`),
    });
    const d = DataFrame.fromArrow(table);
    expect(d.dtypes).toEqual([
      ['x', 'double'],
      ['n', 'int'],
      ['s', 'string'],
    ]);
    const b = await d.collectBatch();
    expect((b.column(0).data as Float64Array).buffer).toBe(table.getChild('x')!.data[0]!.values.buffer);
    expect(await d.groupBy('s').count().orderBy('s').collect()).toEqual([
      { s: 's0', count: 334n },
      { s: 's1', count: 333n },
      { s: 's2', count: 333n },
    ]);
  });
});
