import { describe, expect, it } from 'vitest';
import {
  BinaryClassificationEvaluator,
  DenseVector,
  MulticlassClassificationEvaluator,
  RegressionEvaluator,
  createDataFrame,
  type DataFrameEnv,
} from '../../index.js';
import { FileSystemRegistry } from '../../storage/registry.js';

const registry = new FileSystemRegistry();
const env: DataFrameEnv = { resolvePath: (p) => registry.resolve(p) };

describe('MulticlassClassificationEvaluator', () => {
  // label, prediction: class 0: 3 rows (2 right), class 1: 2 rows (1 right), class 2: 1 row (right); 0 predicted
  // 3 times (2 right), 1 predicted 1 time, 2 predicted 2 times.
  const data = createDataFrame(
    env,
    [
      [0, 0],
      [0, 0],
      [0, 2],
      [1, 1],
      [1, 0],
      [2, 2],
    ].map(([l, p]) => [l! + 0.0, p! + 0.0]),
    'label DOUBLE, prediction DOUBLE',
  );
  const precision = [2 / 3, 1 / 1, 1 / 2];
  const recall = [2 / 3, 1 / 2, 1 / 1];
  const share = [3 / 6, 2 / 6, 1 / 6];
  const f1 = precision.map((p, i) => (2 * p * recall[i]!) / (p + recall[i]!));
  const weighted = (xs: number[]): number => xs.reduce((s, x, i) => s + x * share[i]!, 0);

  it.each([
    ['accuracy', 4 / 6],
    ['weightedPrecision', weighted(precision)],
    ['weightedRecall', weighted(recall)],
    ['f1', weighted(f1)],
  ] as const)('%s', async (metric, expected) => {
    const e = new MulticlassClassificationEvaluator({ metricName: metric });
    expect(await e.evaluate(data)).toBeCloseTo(expected, 12);
    expect(e.isLargerBetter()).toBe(true);
  });

  it('defaults to f1 and rejects unknown metrics and missing columns', async () => {
    expect(new MulticlassClassificationEvaluator().getMetricName()).toBe('f1');
    expect(() => new MulticlassClassificationEvaluator({ metricName: 'auc' as never })).toThrow(
      /metricName given invalid value "auc"/,
    );
    await expect(new MulticlassClassificationEvaluator({ labelCol: 'y' }).evaluate(data)).rejects.toThrow(
      /input column 'y' \(labelCol\) does not exist; the columns are \[label: double, prediction: double\]/,
    );
  });
});

describe('BinaryClassificationEvaluator', () => {
  // Scores (rawPrediction[1]) with labels: 0.9:1, 0.8:0, 0.7:1, 0.6:1, 0.2:0.
  const rows: [number, number][] = [
    [0.9, 1],
    [0.8, 0],
    [0.7, 1],
    [0.6, 1],
    [0.2, 0],
  ];
  const data = createDataFrame(
    env,
    rows.map(([s, l]) => [new DenseVector([-s, s]), l + 0.5 - 0.5]),
    'rawPrediction VECTOR, label DOUBLE',
  );

  it('areaUnderROC: the share of (positive, negative) pairs ranked right', async () => {
    // Positives 0.9, 0.7, 0.6; negatives 0.8, 0.2: pairs right = (0.9>0.8, 0.9>0.2, 0.7>0.2, 0.6>0.2) = 4 of 6.
    expect(await new BinaryClassificationEvaluator().evaluate(data)).toBeCloseTo(4 / 6, 12);
  });

  it('areaUnderPR: trapezoids over (recall, precision) from (0, first precision)', async () => {
    // Points: (1/3, 1), (1/3, 1/2), (2/3, 2/3), (1, 3/4), (1, 3/5); start (0, 1).
    const pts = [
      [0, 1],
      [1 / 3, 1],
      [1 / 3, 1 / 2],
      [2 / 3, 2 / 3],
      [1, 3 / 4],
      [1, 3 / 5],
    ];
    let area = 0;
    for (let i = 1; i < pts.length; i++)
      area += ((pts[i]![0]! - pts[i - 1]![0]!) * (pts[i]![1]! + pts[i - 1]![1]!)) / 2;
    const e = new BinaryClassificationEvaluator({ metricName: 'areaUnderPR' });
    expect(await e.evaluate(data)).toBeCloseTo(area, 12);
  });

  it('rejects labels other than 0/1', async () => {
    const bad = createDataFrame(env, [[0.5, 2.0]], 'rawPrediction DOUBLE, label DOUBLE');
    await expect(new BinaryClassificationEvaluator().evaluate(bad)).rejects.toThrow(/label 2 is not 0 or 1/);
  });
});

describe('RegressionEvaluator', () => {
  // labels 1, 2, 3, 4; predictions 1.5, 2, 2, 5: errors .5, 0, -1, 1.
  const data = createDataFrame(
    env,
    [
      [1.0, 1.5, 2.0],
      [2.0, 2.0, 1.0],
      [3.0, 2.0, 1.0],
      [4.0, 5.0, 1.0],
    ].map((r) => r.map((x) => x + 0.25 - 0.25)),
    'label DOUBLE, prediction DOUBLE, w DOUBLE',
  );
  const sse = 0.25 + 0 + 1 + 1;
  it.each([
    ['mse', sse / 4],
    ['rmse', Math.sqrt(sse / 4)],
    ['mae', 2.5 / 4],
    ['r2', 1 - sse / 5],
  ] as const)('%s', async (metric, expected) => {
    const e = new RegressionEvaluator({ metricName: metric });
    expect(await e.evaluate(data)).toBeCloseTo(expected, 12);
    expect(e.isLargerBetter()).toBe(metric === 'r2');
  });
  it('weights', async () => {
    const e = new RegressionEvaluator({ metricName: 'mse', weightCol: 'w' });
    // The first row (error 0.5) counts twice: (2 * 0.25 + 0 + 1 + 1) / 5.
    expect(await e.evaluate(data)).toBeCloseTo(2.5 / 5, 12);
  });
});
