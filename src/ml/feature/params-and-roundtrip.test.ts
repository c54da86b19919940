import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BinaryClassificationEvaluator,
  Bucketizer,
  CrossValidator,
  HashingTF,
  Imputer,
  IndexToString,
  MinMaxScaler,
  MulticlassClassificationEvaluator,
  OneHotEncoder,
  QuantileDiscretizer,
  RegressionEvaluator,
  StandardScaler,
  StringIndexer,
  Tokenizer,
  TrainValidationSplit,
  VectorAssembler,
  createDataFrame,
  loadStage,
  type DataFrameEnv,
  type Transformer,
} from '../../index.js';
import { FileSystemRegistry } from '../../storage/registry.js';

const registry = new FileSystemRegistry();
const env: DataFrameEnv = { resolvePath: (p) => registry.resolve(p) };
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-params-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('every invalid param is refused when set, naming stage, param, value and what is allowed', () => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      'VectorAssembler.handleInvalid',
      () => new VectorAssembler({ handleInvalid: 'drop' as never }),
      /handleInvalid given invalid value "drop"; it must be one of "skip", "error", "keep"/,
    ],
    [
      'VectorAssembler.inputCols',
      () => new VectorAssembler({ inputCols: [1] as never }),
      /inputCols given invalid value/,
    ],
    ['VectorAssembler.outputCol', () => new VectorAssembler({ outputCol: '' }), /outputCol given invalid value ""/],
    ['StringIndexer.outputCol', () => new StringIndexer({ outputCol: 5 as never }), /outputCol given invalid value 5/],
    [
      'IndexToString.labels',
      () => new IndexToString({ labels: 'abc' as never }),
      /labels given invalid value "abc"; it must be an array of strings/,
    ],
    [
      'OneHotEncoder.handleInvalid',
      () => new OneHotEncoder({ handleInvalid: 'skip' as never }),
      /handleInvalid given invalid value "skip"; it must be one of "keep", "error"/,
    ],
    [
      'OneHotEncoder.dropLast',
      () => new OneHotEncoder({ dropLast: 'yes' as never }),
      /dropLast given invalid value "yes"; it must be true or false/,
    ],
    ['StandardScaler.withMean', () => new StandardScaler({ withMean: 1 as never }), /withMean given invalid value 1/],
    ['MinMaxScaler.min', () => new MinMaxScaler({ min: Number.NaN }), /min given invalid value NaN/],
    [
      'Bucketizer.handleInvalid',
      () => new Bucketizer({ handleInvalid: 'nope' as never }),
      /handleInvalid given invalid value "nope"/,
    ],
    ['Imputer.inputCols', () => new Imputer({ inputCols: [] }), /inputCols given invalid value \[\]/],
    ['HashingTF.binary', () => new HashingTF({ binary: 'no' as never }), /binary given invalid value "no"/],
    [
      'HashingTF.numFeatures',
      () => new HashingTF({ numFeatures: 1.5 }),
      /numFeatures given invalid value 1.5; it must be an integer/,
    ],
    [
      'QuantileDiscretizer.relativeError',
      () => new QuantileDiscretizer({ relativeError: 2 }),
      /relativeError given invalid value 2; it must be in range \[0, 1\]/,
    ],
    [
      'MulticlassClassificationEvaluator.labelCol',
      () => new MulticlassClassificationEvaluator({ labelCol: '' }),
      /labelCol given invalid value ""/,
    ],
    [
      'BinaryClassificationEvaluator.metricName',
      () => new BinaryClassificationEvaluator({ metricName: 'f1' as never }),
      /metricName given invalid value "f1"; it must be one of "areaUnderROC", "areaUnderPR"/,
    ],
    [
      'RegressionEvaluator.metricName',
      () => new RegressionEvaluator({ metricName: 'accuracy' as never }),
      /metricName given invalid value "accuracy"; it must be one of "rmse", "mse", "mae", "r2"/,
    ],
    ['CrossValidator.seed', () => new CrossValidator({ seed: 0.5 }), /seed given invalid value 0.5/],
    [
      'TrainValidationSplit unknown option',
      () => new TrainValidationSplit({ folds: 3 } as never),
      /has no param "folds"/,
    ],
    [
      'Tokenizer unknown option',
      () => new Tokenizer({ pattern: '\\s' } as never),
      /has no param "pattern"; its params are: inputCol, outputCol/,
    ],
  ];
  it.each(cases)('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('params-only transformers round-trip and transform the same', () => {
  it.each([
    ['VectorAssembler', () => new VectorAssembler({ inputCols: ['a', 'b'], outputCol: 'out', handleInvalid: 'keep' })],
    ['IndexToString', () => new IndexToString({ inputCol: 'i', outputCol: 'out', labels: ['x', 'y', 'z'] })],
    ['Tokenizer', () => new Tokenizer({ inputCol: 's', outputCol: 'out' })],
    ['Bucketizer', () => new Bucketizer({ inputCol: 'a', outputCol: 'out', splits: [-Infinity, 0, 2, Infinity] })],
  ] as const)('%s', async (_name, make) => {
    const data = createDataFrame(
      env,
      [
        [1.5, 2, 0, 'Hello There'],
        [-1.5, 3, 2, 'a b'],
      ],
      'a DOUBLE, b INT, i INT, s STRING',
    );
    const t: Transformer = make();
    const path = join(dir, t.uid);
    await t.save(path);
    const back = (await loadStage(path)) as Transformer;
    expect(back.uid).toBe(t.uid);
    expect(back.userParamMap()).toEqual(t.userParamMap());
    const a = await t.transform(data).select('out').collect();
    expect(await back.transform(data).select('out').collect()).toEqual(a);
  });

  it('HashingTF', async () => {
    const data = createDataFrame(env, [[['a', 'b', 'a']]], 'w ARRAY<STRING>');
    const t = new HashingTF({ inputCol: 'w', outputCol: 'out', numFeatures: 16, binary: true });
    await t.save(join(dir, t.uid));
    const back = (await loadStage(join(dir, t.uid))) as Transformer;
    expect(String((await back.transform(data).collect())[0]!.out)).toBe(
      String((await t.transform(data).collect())[0]!.out),
    );
  });
});
