import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { columnStd, lcg, newtonLogistic } from '../../../test/support/logistic-oracle.js';
import { bundledDataset } from '../../common/paths.js';
import { DenseVector, LogisticRegression, Vectors, createDataFrame, type DataFrameEnv } from '../../index.js';
import { FileSystemRegistry } from '../../storage/registry.js';
import { tfReady, type Tf } from '../tf/backend.js';

const registry = new FileSystemRegistry();
const env: DataFrameEnv = { resolvePath: (p) => registry.resolve(p) };
let tf: Tf;
beforeAll(async () => {
  tf = await tfReady();
});

// 60 rows, 3 features on very different scales, labels drawn from a logistic model; weights 1..3.
const rand = lcg(7);
const X = Array.from({ length: 60 }, () => [rand() * 4 - 2, rand() * 200 - 100, rand() * 0.02]);
const y = X.map(([a, b, c]) => (rand() < 1 / (1 + Math.exp(-(0.8 * a! - 0.01 * b! + 60 * c! - 0.3))) ? 1 : 0));
const w = X.map((_, i) => 1 + (i % 3));
const df = createDataFrame(
  env,
  X.map((row, i) => [Vectors.dense(row), y[i]!, w[i]!]),
  'features VECTOR, label DOUBLE, w DOUBLE',
  { numPartitions: 3 },
);

function relClose(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

describe('LogisticRegression', () => {
  it('one binary feature: the MLE is the log-odds in closed form', async () => {
    // x = 0: 3 positives of 10; x = 1: 8 positives of 10.
    const rows = [
      ...Array.from({ length: 10 }, (_, i) => [Vectors.dense([0]), i < 3 ? 1 : 0]),
      ...Array.from({ length: 10 }, (_, i) => [Vectors.dense([1]), i < 8 ? 1 : 0]),
    ];
    const data = createDataFrame(env, rows, 'features VECTOR, label DOUBLE');
    const before = tf.memory().numTensors;
    const model = await new LogisticRegression().fit(data);
    expect(tf.memory().numTensors).toBe(before);
    const logit = (p: number) => Math.log(p / (1 - p));
    relClose(model.intercept, logit(0.3), 1e-4);
    relClose(model.coefficients.values[0]!, logit(0.8) - logit(0.3), 1e-4);
    expect(model.numClasses).toBe(2);
    expect(model.isMultinomial).toBe(false);
    expect(model.summary.totalIterations).toBe(model.summary.objectiveHistory.length - 1);
    const hist = model.summary.objectiveHistory;
    for (let i = 1; i < hist.length; i++) expect(hist[i]!).toBeLessThanOrEqual(hist[i - 1]!);
    const out = await model.transform(data).select('rawPrediction', 'probability', 'prediction').collect();
    const p0 = (out[0]!.probability as DenseVector).values;
    expect(p0[1]).toBeCloseTo(0.3, 4);
    expect(p0[0]! + p0[1]!).toBeCloseTo(1, 12);
    const raw = (out[15]!.rawPrediction as DenseVector).values;
    expect(raw[0]).toBe(-raw[1]!);
    expect(raw[1]).toBeCloseTo(logit(0.8), 4);
    expect(out.map((r) => r.prediction)).toEqual([...new Array(10).fill(0), ...new Array(10).fill(1)]);
  });

  it.each([
    { regParam: 0, standardization: true },
    { regParam: 0.05, standardization: true },
    { regParam: 0.05, standardization: false },
  ])(
    'weighted binomial with L2 %o matches Newton’s method in double precision',
    async ({ regParam, standardization }) => {
      const model = await new LogisticRegression({ weightCol: 'w', regParam, standardization }).fit(df);
      const oracle = newtonLogistic(X, y, w, regParam, standardization);
      const coef = model.coefficients.values;
      // The loss runs in float32 on TensorFlow.js: agreement to about 5 significant digits, in the standardized scale.
      for (let j = 0; j < 3; j++) relClose(coef[j]! * columnStd(X, w, j), oracle[j]! * columnStd(X, w, j), 2e-4);
      relClose(model.intercept, oracle[3]!, 2e-4);
    },
  );

  it('L1 path: coefficients shrink to exact zeros and the optimality (KKT) conditions hold', async () => {
    const counts: number[] = [];
    for (const regParam of [0.5, 0.05, 0.01, 0.001]) {
      const model = await new LogisticRegression({ regParam, elasticNetParam: 1 }).fit(df);
      const beta = Array.from(
        model.coefficients.values,
        (v, j) =>
          v *
          columnStd(
            X,
            w.map(() => 1),
            j,
          ),
      );
      counts.push(beta.filter((b) => b !== 0).length);
      // Gradient of the mean log-loss with respect to the standardized coefficients, in double precision.
      const grad = [0, 0, 0];
      X.forEach((row, i) => {
        const m = model.intercept + row.reduce((s, v, j) => s + v * model.coefficients.values[j]!, 0);
        const r = 1 / (1 + Math.exp(-m)) - y[i]!;
        for (let j = 0; j < 3; j++)
          grad[j] =
            grad[j]! +
            (r * row[j]!) /
              columnStd(
                X,
                w.map(() => 1),
                j,
              ) /
              X.length;
      });
      for (let j = 0; j < 3; j++) {
        if (beta[j] === 0) expect(Math.abs(grad[j]!)).toBeLessThanOrEqual(regParam * 1.001 + 1e-5);
        else relClose(grad[j]!, -regParam * Math.sign(beta[j]!), 2e-3);
      }
    }
    expect(counts[0]).toBe(0);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[3]).toBe(3);
  });

  it('elastic net (α = 0.5, weighted): the optimality conditions of the mixed penalty hold', async () => {
    const regParam = 0.05;
    const alpha = 0.5;
    const model = await new LogisticRegression({ regParam, elasticNetParam: alpha, weightCol: 'w' }).fit(df);
    const W = w.reduce((a, b) => a + b, 0);
    const std = [0, 1, 2].map((j) => columnStd(X, w, j));
    const beta = Array.from(model.coefficients.values, (v, j) => v * std[j]!);
    const grad = [0, 0, 0];
    let gradIntercept = 0;
    X.forEach((row, i) => {
      const m = model.intercept + row.reduce((s, v, j) => s + v * model.coefficients.values[j]!, 0);
      const r = (w[i]! * (1 / (1 + Math.exp(-m)) - y[i]!)) / W;
      gradIntercept += r;
      for (let j = 0; j < 3; j++) grad[j] = grad[j]! + (r * row[j]!) / std[j]!;
    });
    expect(Math.abs(gradIntercept)).toBeLessThan(1e-5);
    for (let j = 0; j < 3; j++) {
      const smooth = grad[j]! + regParam * (1 - alpha) * beta[j]!;
      if (beta[j] === 0) expect(Math.abs(smooth)).toBeLessThanOrEqual(regParam * alpha * 1.001 + 1e-5);
      else relClose(smooth, -regParam * alpha * Math.sign(beta[j]!), 2e-3);
    }
    // The penalty shrinks: every coefficient is smaller in magnitude than without it.
    const free = await new LogisticRegression({ weightCol: 'w' }).fit(df);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(model.coefficients.values[j]!)).toBeLessThan(Math.abs(free.coefficients.values[j]!));
    }
  });

  it('with strong L1 only the intercept is left: the log-odds of the labels', async () => {
    const model = await new LogisticRegression({ regParam: 10, elasticNetParam: 1 }).fit(df);
    expect(Array.from(model.coefficients.values)).toEqual([0, 0, 0]);
    const pos = y.filter((v) => v === 1).length;
    relClose(model.intercept, Math.log(pos / (y.length - pos)), 1e-5);
  });

  it('multinomial on iris: high training accuracy, a stationary point, centered intercepts', async () => {
    const text = await readFile(join(bundledDataset('iris'), 'iris.data'), 'utf8');
    const names = ['Iris-setosa', 'Iris-versicolor', 'Iris-virginica'];
    const rows = text
      .trim()
      .split('\n')
      .map((l) => l.split(','))
      .map((p) => [Vectors.dense(p.slice(0, 4).map(Number)), names.indexOf(p[4]!)]);
    const iris = createDataFrame(env, rows, 'features VECTOR, label DOUBLE', { numPartitions: 2 });
    const before = tf.memory().numTensors;
    const model = await new LogisticRegression({ regParam: 0.001 }).fit(iris);
    expect(tf.memory().numTensors).toBe(before);
    expect(model.isMultinomial).toBe(true);
    expect(model.numClasses).toBe(3);
    expect(model.coefficientMatrix.numRows).toBe(3);
    expect(model.coefficientMatrix.numCols).toBe(4);
    expect(() => model.coefficients).toThrow(/multinomial, use coefficientMatrix/);
    const iv = model.interceptVector.values;
    expect(Math.abs(iv[0]! + iv[1]! + iv[2]!)).toBeLessThan(1e-9);
    const out = await model.transform(iris).select('label', 'prediction', 'probability').collect();
    const accuracy = out.filter((r) => r.label === r.prediction).length / out.length;
    expect(accuracy).toBeGreaterThanOrEqual(0.96);
    const p = (out[0]!.probability as DenseVector).values;
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
    expect(model.summary.objectiveHistory.at(-1)!).toBeLessThan(model.summary.objectiveHistory[0]! / 5);
  });

  it('threshold and thresholds follow Spark: one clears the other, predictions move with them', async () => {
    const lr = new LogisticRegression({ threshold: 0.3 });
    expect(lr.getThreshold()).toBe(0.3);
    lr.setThresholds([0.4, 0.6]);
    expect(lr.isSet(lr.threshold)).toBe(false);
    expect(lr.getThreshold()).toBeCloseTo(0.6, 12);
    lr.setThreshold(0.9);
    expect(lr.isSet(lr.thresholds)).toBe(false);
    const model = await new LogisticRegression().fit(df);
    const base = (await model.transform(df).collect()).map((r) => r.prediction as number);
    const probs = (await model.transform(df).collect()).map((r) => (r.probability as DenseVector).values[1]!);
    model.setThreshold(0.9);
    const high = (await model.transform(df).collect()).map((r) => r.prediction as number);
    expect(high).toEqual(probs.map((p) => (p > 0.9 ? 1 : 0)));
    expect(high.filter((v) => v === 1).length).toBeLessThan(base.filter((v) => v === 1).length);
    model.setThresholds([1, 1, 1]);
    expect(() => model.transform(df)).toThrow(/thresholds \[1,1,1\] has 3 values but the model has 2 classes/);
  });

  it('family binomial refuses more than two classes; constant labels give an infinite intercept', async () => {
    const three = createDataFrame(
      env,
      [0, 1, 2].map((l) => [Vectors.dense([l]), l]),
      'features VECTOR, label DOUBLE',
    );
    await expect(new LogisticRegression({ family: 'binomial' }).fit(three)).rejects.toThrow(
      /family "binomial" supports 1 or 2 outcome classes but the label has 3/,
    );
    const ones = createDataFrame(
      env,
      [
        [Vectors.dense([1]), 1],
        [Vectors.dense([2]), 1],
      ],
      'features VECTOR, label DOUBLE',
    );
    const model = await new LogisticRegression().fit(ones);
    expect(model.intercept).toBe(Infinity);
    expect(Array.from(model.coefficients.values)).toEqual([0]);
    expect((await model.transform(ones).collect()).map((r) => r.prediction)).toEqual([1, 1]);
  });

  it('fitIntercept false fits through the origin', async () => {
    const model = await new LogisticRegression({ fitIntercept: false }).fit(df);
    expect(model.intercept).toBe(0);
    // Stationary: the gradient of the mean log-loss vanishes at the returned coefficients.
    const grad = [0, 0, 0];
    X.forEach((row, i) => {
      const m = row.reduce((s, v, j) => s + v * model.coefficients.values[j]!, 0);
      const r = 1 / (1 + Math.exp(-m)) - y[i]!;
      for (let j = 0; j < 3; j++)
        grad[j] =
          grad[j]! +
          (r * row[j]!) /
            columnStd(
              X,
              w.map(() => 1),
              j,
            ) /
            X.length;
    });
    for (const g of grad) expect(Math.abs(g)).toBeLessThan(1e-3);
  });
});
