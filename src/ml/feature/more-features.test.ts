import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Bucketizer,
  Imputer,
  ImputerModel,
  MinMaxScaler,
  MinMaxScalerModel,
  OneHotEncoder,
  OneHotEncoderModel,
  PipelineModel,
  QuantileDiscretizer,
  StandardScaler,
  StandardScalerModel,
  StringIndexer,
  Vectors,
  createDataFrame,
  loadStage,
  type DataFrame,
  type DataFrameEnv,
  type Transformer,
} from '../../index.js';
import { FileSystemRegistry } from '../../storage/registry.js';

const registry = new FileSystemRegistry();
const env: DataFrameEnv = { resolvePath: (p) => registry.resolve(p) };
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-features-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const vecs = createDataFrame(
  env,
  [[Vectors.dense([1, 10])], [Vectors.dense([2, 10])], [Vectors.dense([6, 10])]],
  'v VECTOR',
  { numPartitions: 2 },
);

async function col(t: Transformer, df: DataFrame, name: string): Promise<string[]> {
  return (await t.transform(df).select(name).collect()).map((r) => String(r[name]));
}

/** Saves and loads a fitted stage, checking it transforms the same. */
async function roundTrip(t: Transformer, df: DataFrame, name: string): Promise<void> {
  const path = join(dir, t.uid);
  await t.save(path);
  const back = (await loadStage(path)) as Transformer;
  expect(back.constructor).toBe(t.constructor);
  expect(await col(back, df, name)).toEqual(await col(t, df, name));
}

describe('StandardScaler', () => {
  it('scales by the sample standard deviation, centers with withMean, and a constant feature becomes 0', async () => {
    // Feature 0: mean 3, sample variance ((−2)² + (−1)² + 3²) / 2 = 7.
    const m = await new StandardScaler({ inputCol: 'v', outputCol: 's', withMean: true }).fit(vecs);
    expect(m.mean).toEqual([3, 10]);
    expect(m.std[0]).toBeCloseTo(Math.sqrt(7), 12);
    expect(m.std[1]).toBe(0);
    const out = (await m.transform(vecs).select('s').collect()).map((r) =>
      Array.from((r.s as { values: Float64Array }).values),
    );
    expect(out[0]![0]).toBeCloseTo(-2 / Math.sqrt(7), 12);
    expect(out.map((r) => r[1])).toEqual([0, 0, 0]);
    await roundTrip(m, vecs, 's');
    expect(m).toBeInstanceOf(StandardScalerModel);
  });
});

describe('MinMaxScaler', () => {
  it('rescales to [min, max]; a constant feature maps to the middle', async () => {
    const m = await new MinMaxScaler({ inputCol: 'v', outputCol: 's', min: -1, max: 1 }).fit(vecs);
    expect(m.originalMin).toEqual([1, 10]);
    expect(m.originalMax).toEqual([6, 10]);
    expect(await col(m, vecs, 's')).toEqual(['[-1.0,0.0]', '[-0.6,0.0]', '[1.0,0.0]']);
    await roundTrip(m, vecs, 's');
    expect(m).toBeInstanceOf(MinMaxScalerModel);
    expect(() => new MinMaxScaler({ inputCol: 'v', min: 2, max: 1 }).transformSchema(vecs.schema)).toThrow(
      /min 2 must be less than max 1/,
    );
  });
});

describe('Bucketizer', () => {
  const xs = createDataFrame(env, [[-0.5], [0], [0.5], [1], [Number.NaN]], 'x DOUBLE');
  it('puts values in [s_i, s_i+1) with the last bucket closed, NaN by handleInvalid', async () => {
    const b = new Bucketizer({ inputCol: 'x', outputCol: 'b', splits: [-1, 0, 0.5, 1] });
    await expect(b.transform(xs).collect()).rejects.toThrow(/encountered NaN in column 'x'/);
    b.set(b.handleInvalid, 'keep');
    expect(await col(b, xs, 'b')).toEqual(['0', '1', '2', '2', '3']);
    b.set(b.handleInvalid, 'skip');
    expect(await col(b, xs, 'b')).toEqual(['0', '1', '2', '2']);
    await roundTrip(b, xs, 'b');
    const narrow = new Bucketizer({ inputCol: 'x', outputCol: 'b', splits: [0, 0.5, 1], handleInvalid: 'skip' });
    await expect(narrow.transform(xs).collect()).rejects.toThrow(
      /feature value -0.5 in column 'x' is out of the Bucketizer bounds \[0, 1\]/,
    );
    expect(() => new Bucketizer({ splits: [0, 1] })).toThrow(
      /splits given invalid value \[0,1\]; it must be an array of at least 3 strictly increasing/,
    );
    expect(() => new Bucketizer({ splits: [0, 2, 1] })).toThrow(/strictly increasing/);
  });
});

describe('Imputer', () => {
  const data = createDataFrame(
    env,
    [
      [1.5, 3],
      [null, 3],
      [Number.NaN, -1],
      [4.5, 7],
      [1.5, -1],
      [2.5, 9],
    ],
    'a DOUBLE, b INT',
  );
  it.each([
    ['mean', (1.5 + 4.5 + 1.5 + 2.5) / 4, (3 + 3 + 7 + 9) / 4],
    ['median', 1.5, 3],
    ['mode', 1.5, 3],
  ] as const)('%s', async (strategy, a, b) => {
    const m = await new Imputer({ inputCols: ['a', 'b'], outputCols: ['a2', 'b2'], strategy, missingValue: -1 }).fit(
      data,
    );
    // -1 is missing in b; in a, null and NaN are always missing.
    expect(m.surrogates).toEqual([a, b]);
    const out = await m.transform(data).select('a2', 'b2').collect();
    expect(out[1]).toEqual({ a2: a, b2: 3 });
    expect(out[2]).toEqual({ a2: a, b2: b });
    await roundTrip(m, data, 'b2');
    expect(m).toBeInstanceOf(ImputerModel);
  });
  it('keeps NaN as the default missingValue through save and load', async () => {
    const m = await new Imputer({ inputCols: ['a'], outputCols: ['a2'] }).fit(data);
    await roundTrip(m, data, 'a2');
    const back = (await loadStage(join(dir, m.uid))) as ImputerModel;
    expect(Number.isNaN(back.getOrDefault(back.imputerParams.missingValue))).toBe(true);
    await expect(new Imputer({ inputCols: ['a'], outputCols: ['a2', 'x'] }).fit(data)).rejects.toThrow(
      /1 inputCols but 2 outputCols/,
    );
    const allMissing = createDataFrame(env, [[null]], 'a DOUBLE');
    await expect(new Imputer({ inputCols: ['a'], outputCols: ['a2'] }).fit(allMissing)).rejects.toThrow(
      /column 'a' has only missing values/,
    );
    expect(() => new Imputer({ strategy: 'max' as never })).toThrow(/strategy given invalid value "max"/);
  });
});

describe('OneHotEncoder', () => {
  it('encodes indices as sparse vectors, dropLast by default, sizes from StringIndexer metadata', async () => {
    const data = createDataFrame(
      env,
      [
        ['a', 0],
        ['b', 2],
        ['c', 1],
        ['a', 2],
      ],
      's STRING, i INT',
    );
    const indexed = (await new StringIndexer({ inputCol: 's', outputCol: 'si' }).fit(data)).transform(data);
    const m = await new OneHotEncoder({ inputCols: ['si', 'i'], outputCols: ['sv', 'iv'] }).fit(indexed);
    expect(m.categorySizes).toEqual([3, 3]);
    expect(await col(m, indexed, 'sv')).toEqual(['(2,[0],[1.0])', '(2,[1],[1.0])', '(2,[],[])', '(2,[0],[1.0])']);
    const kept = m.copy({ dropLast: false, handleInvalid: 'keep' });
    const unseen = createDataFrame(env, [['a', 5]], 's STRING, i INT');
    const unseenIdx = (await new StringIndexer({ inputCol: 's', outputCol: 'si' }).fit(unseen)).transform(unseen);
    expect(await col(kept, unseenIdx, 'iv')).toEqual(['(4,[3],[1.0])']);
    await expect(m.transform(unseenIdx).collect()).rejects.toThrow(/unseen value 5 in column 'i' \(3 categories/);
    await roundTrip(m, indexed, 'sv');
    expect(m).toBeInstanceOf(OneHotEncoderModel);
    const bad = createDataFrame(env, [[1.5]], 'x DOUBLE');
    await expect(new OneHotEncoder({ inputCols: ['x'], outputCols: ['v'] }).fit(bad)).rejects.toThrow(
      /holds 1.5, not a category index/,
    );
    expect(PipelineModel).toBeDefined();
  });
});

describe('QuantileDiscretizer', () => {
  it('fits a Bucketizer at the exact i/numBuckets quantiles, with infinite ends and duplicates removed', async () => {
    const data = createDataFrame(
      env,
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((x) => [x + 0.0]),
      'x DOUBLE',
      { numPartitions: 2 },
    );
    // Ranks ceil(2.5) = 3, ceil(5) = 5, ceil(7.5) = 8.
    const b = await new QuantileDiscretizer({ inputCol: 'x', outputCol: 'q', numBuckets: 4 }).fit(data);
    expect(b.getOrDefault(b.splits)).toEqual([-Infinity, 3, 5, 8, Infinity]);
    expect(await col(b, data, 'q')).toEqual(['0', '0', '1', '1', '2', '2', '2', '3', '3', '3']);
    await roundTrip(b, data, 'q');
    const flat = createDataFrame(env, [[1.0], [1.0], [1.0], [2.0]], 'x DOUBLE');
    const few = await new QuantileDiscretizer({ inputCol: 'x', outputCol: 'q', numBuckets: 4 }).fit(flat);
    expect(few.getOrDefault(few.splits)).toEqual([-Infinity, 1, Infinity]);
    expect(() => new QuantileDiscretizer({ numBuckets: 1 })).toThrow(/numBuckets given invalid value 1/);
  });
});
