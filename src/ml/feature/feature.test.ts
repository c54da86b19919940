import { describe, expect, it } from 'vitest';
import {
  DataFrame,
  DenseVector,
  IndexToString,
  SparseVector,
  StringIndexer,
  StringIndexerModel,
  VectorAssembler,
  createDataFrame,
  type DataFrameEnv,
} from '../../index.js';
import { FileSystemRegistry } from '../../storage/registry.js';

const registry = new FileSystemRegistry();
const env: DataFrameEnv = { resolvePath: (p) => registry.resolve(p) };
const df = (rows: unknown[][], schema: string, numPartitions = 1): DataFrame =>
  createDataFrame(env, rows, schema, { numPartitions });

describe('StringIndexer', () => {
  // c: 3, a: 2, b: 2, d: 1
  const data = df([['c'], ['a'], ['b'], ['c'], ['d'], ['a'], ['b'], ['c']], 's STRING', 3);

  it.each([
    ['frequencyDesc', ['c', 'a', 'b', 'd']],
    ['frequencyAsc', ['d', 'a', 'b', 'c']],
    ['alphabetDesc', ['d', 'c', 'b', 'a']],
    ['alphabetAsc', ['a', 'b', 'c', 'd']],
  ] as const)('orders labels by %s (frequency ties alphabetically)', async (order, labels) => {
    const m = await new StringIndexer({ inputCol: 's', outputCol: 'i', stringOrderType: order }).fit(data);
    expect(m.labels).toEqual(labels);
    const out = await m.transform(data).collect();
    expect(out.map((r) => r.i)).toEqual(out.map((r) => labels.indexOf(r.s as never)));
  });

  it('handles unseen labels and nulls by handleInvalid', async () => {
    const m = await new StringIndexer({ inputCol: 's', outputCol: 'i' }).fit(data);
    const test = df([['a'], ['zzz'], [null], ['c']], 's STRING');
    await expect(m.transform(test).collect()).rejects.toThrow(/unseen label "zzz" in column 's'.*handleInvalid/);
    await expect(m.transform(df([[null]], 's STRING')).collect()).rejects.toThrow(/encountered a null in column 's'/);
    m.setHandleInvalid('skip');
    expect((await m.transform(test).collect()).map((r) => r.i)).toEqual([1, 0]);
    m.setHandleInvalid('keep');
    expect((await m.transform(test).collect()).map((r) => r.i)).toEqual([1, 4, 4, 0]);
  });

  it('indexes numeric columns by their string form, skips nulls when fitting, and skips a missing input column', async () => {
    const nums = df([[2.0], [1.5], [2.0], [null]], 'x DOUBLE');
    const m = await new StringIndexer({ inputCol: 'x', outputCol: 'i' }).fit(nums);
    expect(m.labels).toEqual(['2.0', '1.5']);
    const other = df([[1]], 'y INT');
    expect(m.transform(other)).toBe(other);
    expect(m.transformSchema(other.schema)).toBe(other.schema);
  });

  it('rejects invalid params, naming them', () => {
    expect(() => new StringIndexer({ stringOrderType: 'random' as never })).toThrow(
      /parameter stringOrderType given invalid value "random"; it must be one of "frequencyDesc"/,
    );
    expect(() => new StringIndexer({ handleInvalid: 'ignore' as never })).toThrow(
      /handleInvalid given invalid value "ignore"/,
    );
    expect(() => new StringIndexer({ inputCol: '' })).toThrow(/inputCol given invalid value ""/);
    expect(() => new StringIndexer({ inputcol: 's' } as never)).toThrow(/has no param "inputcol"/);
    expect(() => new StringIndexerModel({ labels: [1] as never })).toThrow(/labels must be an array of strings/);
    return expect(new StringIndexer().fit(data)).rejects.toThrow(/inputCol is not set/);
  });
});

describe('IndexToString', () => {
  it('maps indices back through the column metadata or the labels param', async () => {
    const data = df([['x'], ['y'], ['y']], 's STRING');
    const m = await new StringIndexer({ inputCol: 's', outputCol: 'i' }).fit(data);
    const indexed = m.transform(data);
    const back = await new IndexToString({ inputCol: 'i', outputCol: 's2' }).transform(indexed).collect();
    expect(back.map((r) => r.s2)).toEqual(['x', 'y', 'y']);
    const plain = df([[1.0], [0.0], [null]], 'p DOUBLE');
    const viaParam = new IndexToString({ inputCol: 'p', outputCol: 'l', labels: ['no', 'yes'] });
    expect((await viaParam.transform(plain).collect()).map((r) => r.l)).toEqual(['yes', 'no', null]);
    expect(() => new IndexToString({ inputCol: 'p', outputCol: 'l' }).transform(plain)).toThrow(
      /carries no labels.*set the labels param/,
    );
    const bad = df([[2.0]], 'p DOUBLE');
    await expect(viaParam.transform(bad).collect()).rejects.toThrow(/unseen index 2 in column 'p'; there are 2 labels/);
  });
});

describe('VectorAssembler', () => {
  it('concatenates numeric, boolean and vector columns, compressing to sparse as Spark does', async () => {
    const data = createDataFrame(
      env,
      [
        [1, 2.5, true, new DenseVector([3, 4])],
        [0, 0, false, new SparseVector(2, [], [])],
      ],
      'a INT, b DOUBLE, c BOOLEAN, v VECTOR',
    );
    const out = await new VectorAssembler({ inputCols: ['a', 'b', 'c', 'v'], outputCol: 'f' })
      .transform(data)
      .collect();
    expect(String(out[0]!.f)).toBe('[1.0,2.5,1.0,3.0,4.0]');
    expect(out[1]!.f).toBeInstanceOf(SparseVector);
    expect(String(out[1]!.f)).toBe('(5,[],[])');
  });

  it('handleInvalid: error names the column, skip drops the row, keep puts NaN', async () => {
    const data = df(
      [
        [1.5, 2.5],
        [null, 1.5],
        [Number.NaN, 0.5],
      ],
      'a DOUBLE, b DOUBLE',
    );
    const asm = new VectorAssembler({ inputCols: ['a', 'b'], outputCol: 'f' });
    await expect(asm.transform(data).collect()).rejects.toThrow(/encountered null in column 'a'.*handleInvalid/);
    asm.setHandleInvalid('skip');
    expect((await asm.transform(data).collect()).map((r) => String(r.f))).toEqual(['[1.5,2.5]']);
    asm.setHandleInvalid('keep');
    expect((await asm.transform(data).collect()).map((r) => String(r.f))).toEqual([
      '[1.5,2.5]',
      '[NaN,1.5]',
      '[NaN,0.5]',
    ]);
  });

  it('handleInvalid on plain numeric columns without nulls (the typed-array path)', async () => {
    const data = df(
      [
        [1.5, 2],
        [Number.NaN, 3],
      ],
      'a DOUBLE, b INT',
    );
    const asm = new VectorAssembler({ inputCols: ['a', 'b'], outputCol: 'f' });
    await expect(asm.transform(data).collect()).rejects.toThrow(/encountered NaN in column 'a'/);
    asm.setHandleInvalid('skip');
    expect((await asm.transform(data).collect()).map((r) => String(r.f))).toEqual(['[1.5,2.0]']);
    asm.setHandleInvalid('keep');
    expect((await asm.transform(data).collect()).map((r) => String(r.f))).toEqual(['[1.5,2.0]', '[NaN,3.0]']);
  });

  it('checks its params and input columns', () => {
    const data = df([[1.5, 'x']], 'a DOUBLE, s STRING');
    expect(() => new VectorAssembler({ outputCol: 'f' }).transform(data)).toThrow(/inputCols is not set/);
    expect(() => new VectorAssembler({ inputCols: [] })).toThrow(
      /inputCols given invalid value \[\]; it must be a non-empty array of strings/,
    );
    expect(() => new VectorAssembler({ inputCols: ['s'], outputCol: 'f' }).transform(data)).toThrow(
      /input column 's' \(inputCols\) has type string but must be double or int or bigint or boolean or vector/,
    );
    expect(() => new VectorAssembler({ inputCols: ['a'], outputCol: 'a' }).transform(data)).toThrow(
      /output column 'a' already exists/,
    );
  });
});
