import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { accuracy, loadIris, partition, rng } from '../../../test/support/ml-data.js';
import { isEddyError } from '../../common/errors.js';
import { RandomForestClassificationModel } from '../classification/random-forest-classification-model.js';
import { RandomForestClassifier } from '../classification/random-forest-classifier.js';
import { RandomForestRegressionModel } from '../regression/random-forest-regression-model.js';
import { RandomForestRegressor } from '../regression/random-forest-regressor.js';
import { javaStringHash, featuresPerNode } from './tree-params.js';

describe('random forests', () => {
  const iris = loadIris();

  test("Spark's defaults and param rules", () => {
    const rf = new RandomForestClassifier();
    expect(rf.uid).toMatch(/^RandomForestClassifier_[0-9a-f]{12}$/);
    expect(rf.getNumTrees()).toBe(20);
    expect(rf.getFeatureSubsetStrategy()).toBe('auto');
    expect(rf.getOrDefault(rf.subsamplingRate)).toBe(1);
    expect(rf.getOrDefault(rf.bootstrap)).toBe(true);
    expect(rf.getMaxDepth()).toBe(5);
    expect(rf.getSeed()).toBe(javaStringHash('org.apache.spark.ml.classification.RandomForestClassifier'));
    expect(rf.explainParam('subsamplingRate')).toMatch(/\(default: 1\.0\)$/);
    expect(new RandomForestClassifier({ featureSubsetStrategy: 'SQRT' }).getFeatureSubsetStrategy()).toBe('sqrt');
    for (const bad of [
      () => rf.setNumTrees(0),
      () => rf.setFeatureSubsetStrategy('half'),
      () => rf.setFeatureSubsetStrategy('0'),
      () => rf.setFeatureSubsetStrategy('1.5'),
      () => rf.set(rf.subsamplingRate, 0),
      () => rf.set(rf.subsamplingRate, 1.01),
      () => new RandomForestRegressor({ numTrees: 2.5 }),
    ]) {
      expect(bad).toThrow(/must be/);
      try {
        bad();
      } catch (e) {
        expect(isEddyError(e, 'INVALID_ARGUMENT')).toBe(true);
      }
    }
  });

  test('featureSubsetStrategy resolves as in Spark', () => {
    expect(featuresPerNode('auto', 20, 'classification', 20)).toBe(5);
    expect(featuresPerNode('auto', 20, 'regression', 20)).toBe(7);
    expect(featuresPerNode('auto', 20, 'classification', 1)).toBe(20);
    expect(featuresPerNode('all', 20, 'classification', 20)).toBe(20);
    expect(featuresPerNode('log2', 20, 'classification', 20)).toBe(5);
    expect(featuresPerNode('onethird', 4, 'classification', 20)).toBe(2);
    expect(featuresPerNode('0.5', 20, 'classification', 20)).toBe(10);
    expect(featuresPerNode('1.0', 20, 'classification', 20)).toBe(20);
    expect(featuresPerNode('3', 20, 'classification', 20)).toBe(3);
    expect(featuresPerNode('100', 20, 'classification', 20)).toBe(20);
    expect(featuresPerNode('-1', 20, 'classification', 20)).toBeNull();
  });

  test('fits iris, is reproducible by seed, and serial = parallel', async () => {
    const parts = partition(iris, 3);
    const rf = new RandomForestClassifier({ numTrees: 10, seed: 42, uid: 'rfc' });
    const a = await rf.fitPartitions(parts, { parallelism: 1, chunkRows: 50 });
    const b = await rf.fitPartitions(parts, { parallelism: 2, chunkRows: 50 });
    expect(a.trees.length).toBe(10);
    expect(b.toDebugString).toBe(a.toDebugString);
    expect(b.trees.map((t) => t.arrays)).toEqual(a.trees.map((t) => t.arrays));
    const c = await new RandomForestClassifier({ numTrees: 10, seed: 43, uid: 'rfc' }).fitPartitions(parts);
    expect(c.toDebugString).not.toBe(a.toDebugString);
    expect(accuracy(a.predictColumns(iris.features), iris.labels)).toBeGreaterThanOrEqual(0.95);
    // Bootstrap samples differ per tree, so the trees do too.
    expect(new Set(a.trees.map((t) => t.subtreeToString(0))).size).toBeGreaterThan(1);

    const raw = a.predictRaw([6, 3, 4.5, 1.6]);
    expect(raw.reduce((s, v) => s + v, 0)).toBeCloseTo(10, 9);
    const prob = a.predictProbability([6, 3, 4.5, 1.6]);
    expect(prob.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(a.predict([6, 3, 4.5, 1.6])).toBe(prob.indexOf(Math.max(...prob)));
    const row = [5.9, 3, 5.1, 1.8];
    expect(a.predictColumns(row.map((v) => Float64Array.of(v)))[0]).toBe(a.predict(row));
    const rawCols = a.predictRawColumns(iris.features);
    const probCols = a.predictProbabilityColumns(iris.features);
    const r77 = iris.features.map((c) => c[77]!);
    expect([...rawCols.subarray(77 * 3, 78 * 3)]).toEqual([...a.predictRaw(r77)]);
    expect([...probCols.subarray(77 * 3, 78 * 3)]).toEqual([...a.predictProbability(r77)]);
    const imp = a.featureImportances;
    expect(imp.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);

    const lines = a.toDebugString.split('\n');
    expect(lines[0]).toBe('RandomForestClassificationModel: uid=rfc, numTrees=10, numClasses=3, numFeatures=4');
    expect(lines[1]).toBe('  Tree 0 (weight 1.0):');
    expect(lines[2]).toMatch(/^ {4}If \(feature \d <= [\d.]+\)$/);
  });

  test('without bootstrap and with all features every tree is the plain decision tree', async () => {
    const rf = await new RandomForestClassifier({
      numTrees: 3,
      bootstrap: false,
      featureSubsetStrategy: 'all',
      subsamplingRate: 1,
    }).fitPartitions([iris]);
    const texts = rf.trees.map((t) => t.subtreeToString(0));
    expect(new Set(texts).size).toBe(1);
  });

  test('regression forest averages its trees and beats its worst tree', async () => {
    const r = rng(21);
    const n = 3000;
    const f = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => r() * 6));
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(f[0]![i]!) * 3 + f[1]![i]! + (r() - 0.5));
    const model = await new RandomForestRegressor({ numTrees: 8, maxDepth: 6, seed: 5 }).fitPartitions([
      { features: f, labels: y },
    ]);
    const pred = model.predictColumns(f);
    const row = [f[0]![7]!, f[1]![7]!, f[2]![7]!];
    const mean = model.trees.reduce((s, t) => s + t.predict(row), 0) / model.trees.length;
    expect(model.predict(row)).toBeCloseTo(mean, 12);
    expect(pred[7]).toBeCloseTo(mean, 12);
    const mse = (p: Float64Array): number => p.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0) / n;
    const worst = Math.max(...model.trees.map((t) => mse(t.predictColumns(f, n))));
    expect(mse(pred)).toBeLessThan(worst);
    expect(model.toString()).toMatch(
      /^RandomForestRegressionModel: uid=RandomForestRegressor_[0-9a-f]{12}, numTrees=8, numFeatures=3$/,
    );
  });

  test('forest models round-trip through save/load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eddy-rf-'));
    try {
      const c = await new RandomForestClassifier({ numTrees: 4, seed: 1 }).fitPartitions([iris]);
      await c.save(join(dir, 'rfc'));
      const c2 = await RandomForestClassificationModel.load(join(dir, 'rfc'));
      expect(c2.toDebugString).toBe(c.toDebugString);
      expect([...c2.predictColumns(iris.features)]).toEqual([...c.predictColumns(iris.features)]);
      expect(c2.getNumTrees()).toBe(4);

      const r = await new RandomForestRegressor({ numTrees: 3 }).fitPartitions([
        { features: iris.features.slice(0, 3), labels: iris.features[3]! },
      ]);
      await r.save(join(dir, 'rfr'));
      const r2 = await RandomForestRegressionModel.load(join(dir, 'rfr'));
      expect([...r2.predictColumns(iris.features.slice(0, 3))]).toEqual([
        ...r.predictColumns(iris.features.slice(0, 3)),
      ]);
      await expect(RandomForestRegressionModel.load(join(dir, 'rfc'))).rejects.toThrow(
        /RandomForestClassificationModel/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
