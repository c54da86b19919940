import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundledDataset } from '../../common/paths.js';
import {
  DenseVector,
  MultilayerPerceptronClassifier,
  Vectors,
  createDataFrame,
  type DataFrame,
  type DataFrameEnv,
} from '../../index.js';
import { FileSystemRegistry } from '../../storage/registry.js';
import { tfReady, type Tf } from '../tf/backend.js';
import { forwardRaw, initialWeights, mlpLoss, numWeights } from './mlp-network.js';

const registry = new FileSystemRegistry();
const env: DataFrameEnv = { resolvePath: (p) => registry.resolve(p) };
let tf: Tf;
let iris: DataFrame;
beforeAll(async () => {
  tf = await tfReady();
  const text = await readFile(join(bundledDataset('iris'), 'iris.data'), 'utf8');
  const names = ['Iris-setosa', 'Iris-versicolor', 'Iris-virginica'];
  const rows = text
    .trim()
    .split('\n')
    .map((l) => l.split(','))
    .map((p) => [Vectors.dense(p.slice(0, 4).map(Number)), names.indexOf(p[4]!)]);
  iris = createDataFrame(env, rows, 'features VECTOR, label DOUBLE', { numPartitions: 2 });
});

const xor = createDataFrame(
  env,
  [
    [Vectors.dense([0, 0]), 0],
    [Vectors.dense([0, 1]), 1],
    [Vectors.dense([1, 0]), 1],
    [Vectors.dense([1, 1]), 0],
  ],
  'features VECTOR, label DOUBLE',
);

describe('MultilayerPerceptronClassifier', () => {
  it('backpropagation agrees with finite differences of the loss', () => {
    const layers = [3, 4, 3];
    const n = 7;
    const x = Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 1.7));
    const labels = Float64Array.from({ length: n }, (_, i) => i % 3);
    // blockSize 3 splits the 7 rows into blocks of 3, 3 and 1: the sums across blocks are checked too.
    const loss = mlpLoss(tf, layers, x, labels, n, 3);
    try {
      const w = initialWeights(layers, 11);
      const { value, gradient } = loss.f(w);
      // The loss agrees with a double-precision forward pass.
      const raw = forwardRaw(layers, w, Float64Array.from(x), n);
      let ce = 0;
      for (let r = 0; r < n; r++) {
        const z = raw.subarray(r * 3, r * 3 + 3);
        const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
        ce += lse - z[labels[r]!]!;
      }
      expect(value).toBeCloseTo(ce / n, 5);
      const h = 1e-2;
      for (let k = 0; k < numWeights(layers); k++) {
        const plus = w.slice();
        const minus = w.slice();
        plus[k] = plus[k]! + h;
        minus[k] = minus[k]! - h;
        const numeric = (loss.f(plus).value - loss.f(minus).value) / (2 * h);
        expect(Math.abs(gradient[k]! - numeric)).toBeLessThan(2e-4);
      }
    } finally {
      loss.dispose();
    }
  });

  it('learns XOR with layers [2, 4, 2]; the same seed gives the same model, leaving no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const mlp = new MultilayerPerceptronClassifier({ layers: [2, 4, 2], seed: 3, maxIter: 200 });
    const model = await mlp.fit(xor);
    expect(tf.memory().numTensors).toBe(before);
    const out = await model.transform(xor).select('rawPrediction', 'probability', 'prediction').collect();
    expect(out.map((r) => r.prediction)).toEqual([0, 1, 1, 0]);
    for (const r of out) {
      const p = (r.probability as DenseVector).values;
      expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
      expect(Math.max(p[0]!, p[1]!)).toBeGreaterThan(0.9);
      expect((r.rawPrediction as DenseVector).size).toBe(2);
    }
    expect(model.weights.size).toBe(2 * 4 + 4 + 4 * 2 + 2);
    expect(model.numFeatures).toBe(2);
    expect(model.numClasses).toBe(2);
    const again = await new MultilayerPerceptronClassifier({ layers: [2, 4, 2], seed: 3, maxIter: 200 }).fit(xor);
    expect(Array.from(again.weights.values)).toEqual(Array.from(model.weights.values));
    const other = await new MultilayerPerceptronClassifier({ layers: [2, 4, 2], seed: 4, maxIter: 200 }).fit(xor);
    expect(Array.from(other.weights.values)).not.toEqual(Array.from(model.weights.values));
  });

  it('classifies iris with one hidden layer', async () => {
    const model = await new MultilayerPerceptronClassifier({ layers: [4, 5, 3], seed: 1234 }).fit(iris);
    const out = await model.transform(iris).select('label', 'prediction').collect();
    const accuracy = out.filter((r) => r.label === r.prediction).length / out.length;
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    const hist = model.summary.objectiveHistory;
    expect(hist.at(-1)!).toBeLessThan(hist[0]! / 5);
    expect(model.summary.totalIterations).toBeLessThanOrEqual(100);
  });

  it('gd solver: the loss goes down from initialWeights, which fix the starting point', async () => {
    const layers = [4, 3, 3];
    const start = Array.from(initialWeights(layers, 99));
    const fit = () =>
      new MultilayerPerceptronClassifier({
        layers,
        solver: 'gd',
        stepSize: 1,
        maxIter: 30,
        initialWeights: start,
        seed: 5,
      }).fit(iris);
    const a = await fit();
    const hist = a.summary.objectiveHistory;
    expect(hist.length).toBe(30);
    expect(hist.at(-1)!).toBeLessThan(hist[0]!);
    const b = await new MultilayerPerceptronClassifier({
      layers,
      solver: 'gd',
      stepSize: 1,
      maxIter: 30,
      initialWeights: start,
      seed: 6,
    }).fit(iris);
    expect(Array.from(b.weights.values)).toEqual(Array.from(a.weights.values));
  });

  it('thresholds reweigh the classes', async () => {
    const model = await new MultilayerPerceptronClassifier({ layers: [2, 4, 2], seed: 3, maxIter: 200 }).fit(xor);
    model.setThresholds([1, 0]);
    expect((await model.transform(xor).collect()).map((r) => r.prediction)).toEqual([1, 1, 1, 1]);
    model.setThresholds([0.5, 0.5, 0.5]);
    expect(() => model.transform(xor)).toThrow(/has 3 values but the model has 2 classes/);
  });

  it('refuses layers that do not fit the data, and initialWeights of the wrong length', async () => {
    await expect(new MultilayerPerceptronClassifier().fit(xor)).rejects.toThrow(/layers is not set/);
    await expect(new MultilayerPerceptronClassifier({ layers: [3, 2] }).fit(xor)).rejects.toThrow(
      /layers \[3,2\] starts with 3 inputs but the features have 2/,
    );
    await expect(new MultilayerPerceptronClassifier({ layers: [4, 2] }).fit(iris)).rejects.toThrow(
      /ends with 2 outputs but the label has 3 classes/,
    );
    await expect(
      new MultilayerPerceptronClassifier({ layers: [2, 2], initialWeights: [1, 2] }).fit(xor),
    ).rejects.toThrow(/initialWeights has 2 values but layers \[2, 2\] have 6 weights/);
  });
});
