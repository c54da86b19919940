import { describe, expect, test } from 'vitest';
import { isEddyError } from '../../common/errors.js';
import { crc32c } from '../../common/checksum.js';
import { DecisionTreeClassifier } from '../classification/decision-tree-classifier.js';
import { RandomForestClassifier } from '../classification/random-forest-classifier.js';
import { DecisionTreeRegressor } from '../regression/decision-tree-regressor.js';
import { decodeTrees, encodeTrees } from './tree-codec.js';

/** n rows per category: feature value c, label labelOf(c). */
function byCategory(categories: number[], n: number, labelOf: (c: number) => number) {
  const values: number[] = [];
  const labels: number[] = [];
  for (const c of categories) {
    for (let i = 0; i < n; i++) {
      values.push(c);
      labels.push(labelOf(c));
    }
  }
  return [{ features: [Float64Array.from(values)], labels: Float64Array.from(labels) }];
}

const four = new Map([[0, 4]]);

describe('categorical features (Spark categoricalFeaturesInfo)', () => {
  test('binary classification: categories ordered by the weight of class 1, one split separates {1,3} from {0,2}', async () => {
    const data = byCategory([0, 1, 2, 3], 10, (c) => (c % 2 === 0 ? 1 : 0));
    const m = await new DecisionTreeClassifier({ uid: 'dtc_c', maxDepth: 1 }).fitPartitions(data, {
      categoricalFeatures: four,
    });
    expect(m.toDebugString).toBe(
      'DecisionTreeClassificationModel: uid=dtc_c, depth=1, numNodes=3, numClasses=2, numFeatures=1\n' +
        '  If (feature 0 in {1.0,3.0})\n' +
        '   Predict: 0.0\n' +
        '  Else (feature 0 not in {1.0,3.0})\n' +
        '   Predict: 1.0\n',
    );
    expect([0, 1, 2, 3].map((c) => m.predict([c]))).toEqual([1, 0, 1, 0]);
    // Not one of the categories: right, as Spark's categories.contains.
    expect(m.predict([1.5])).toBe(1);
    expect(m.predict([7])).toBe(1);
    expect([...m.predictColumns([Float64Array.of(0, 1, 2, 3, 9)], 5)]).toEqual([1, 0, 1, 0, 1]);
    // The same data as a continuous feature cannot be separated by one threshold.
    const continuous = await new DecisionTreeClassifier({ maxDepth: 1 }).fitPartitions(data);
    const right = [0, 1, 2, 3].filter((c) => continuous.predict([c]) === (c % 2 === 0 ? 1 : 0)).length;
    expect(right).toBeLessThan(4);
  });

  test('multiclass with few categories: unordered, every subset is a candidate', async () => {
    // Class of category: 0 → 2, 1 → 0, 2 → 1, 3 → 2. {0,3} vs {1,2} needs a subset split, then one more level.
    const cls = [2, 0, 1, 2];
    const data = byCategory([0, 1, 2, 3], 5, (c) => cls[c]!);
    const m = await new DecisionTreeClassifier({ maxDepth: 2 }).fitPartitions(data, { categoricalFeatures: four });
    expect([0, 1, 2, 3].map((c) => m.predict([c]))).toEqual(cls);
    expect(m.toDebugString).toContain('If (feature 0 in {');
    // With k = 4 the candidates are the masks 1..7 (category 3 always right); {1,2} | {0,3} has the best gini.
    expect(m.toDebugString).toContain('If (feature 0 in {1.0,2.0})');
  });

  test('multiclass with many categories: ordered by impurity', async () => {
    const k = 20;
    const categorical = new Map([[0, k]]);
    const data = byCategory(
      Array.from({ length: k }, (_, c) => c),
      3,
      (c) => (c < 7 ? 0 : c < 14 ? 1 : 2),
    );
    const m = await new DecisionTreeClassifier({ maxDepth: 3 }).fitPartitions(data, {
      categoricalFeatures: categorical,
    });
    for (let c = 0; c < k; c++) expect(m.predict([c])).toBe(c < 7 ? 0 : c < 14 ? 1 : 2);
  });

  test('regression: categories ordered by their mean label', async () => {
    const data = byCategory([0, 1, 2, 3], 4, (c) => (c === 1 || c === 3 ? 1 : 5));
    const m = await new DecisionTreeRegressor({ maxDepth: 1 }).fitPartitions(data, { categoricalFeatures: four });
    expect([0, 1, 2, 3].map((c) => m.predict([c]))).toEqual([5, 1, 5, 1]);
    expect(m.toDebugString).toContain('If (feature 0 in {1.0,3.0})');
  });

  test('a categorical feature beside a continuous one, trained in worker threads, equals the serial tree', async () => {
    const n = 4000;
    const cat = new Float64Array(n);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      cat[r] = (r * 7) % 6;
      x[r] = (r * 13) % 10;
      y[r] = (cat[r] === 1 || cat[r] === 4) !== x[r]! > 4 ? 1 : 0;
    }
    const parts = [0, 1, 2, 3].map((p) => ({
      features: [cat.subarray(p * 1000, (p + 1) * 1000), x.subarray(p * 1000, (p + 1) * 1000)],
      labels: y.subarray(p * 1000, (p + 1) * 1000),
    }));
    const categoricalFeatures = new Map([[0, 6]]);
    const serial = await new DecisionTreeClassifier({ maxDepth: 4 }).fitPartitions(parts, {
      categoricalFeatures,
      parallelism: 1,
      chunkRows: 1000,
    });
    const parallel = await new DecisionTreeClassifier({ maxDepth: 4 }).fitPartitions(parts, {
      categoricalFeatures,
      parallelism: 2,
      chunkRows: 1000,
    });
    expect(parallel.tree.subtreeToString(0)).toBe(serial.tree.subtreeToString(0));
    const predicted = serial.predictColumns([cat, x], n);
    let right = 0;
    for (let r = 0; r < n; r++) if (predicted[r] === y[r]) right++;
    expect(right).toBe(n);
  });

  test('random forests use categorical splits too', async () => {
    const data = byCategory([0, 1, 2, 3], 25, (c) => (c % 2 === 0 ? 1 : 0));
    const m = await new RandomForestClassifier({ numTrees: 5, seed: 3 }).fitPartitions(data, {
      categoricalFeatures: four,
    });
    expect([0, 1, 2, 3].map((c) => m.predict([c]))).toEqual([1, 0, 1, 0]);
  });

  test('saved trees keep their categorical splits; version 1 files still load', async () => {
    const data = byCategory([0, 1, 2, 3], 10, (c) => (c % 2 === 0 ? 1 : 0));
    const m = await new DecisionTreeClassifier({ maxDepth: 1 }).fitPartitions(data, { categoricalFeatures: four });
    const back = decodeTrees(encodeTrees([m.tree], 2), 'test').trees[0]!;
    expect(back.subtreeToString(0)).toBe(m.tree.subtreeToString(0));
    expect([0, 1, 2, 3, 5].map((c) => back.predict([c]))).toEqual([1, 0, 1, 0, 1]);

    // A version 1 file: the same layout without the per-tree categorical marker.
    const plain = await new DecisionTreeClassifier({ maxDepth: 1 }).fitPartitions([
      { features: [Float64Array.of(1, 2, 3, 4)], labels: Float64Array.of(0, 0, 1, 1) },
    ]);
    const v2 = encodeTrees([plain.tree], 2);
    const v1 = new Uint8Array(v2.length - 4);
    v1.set(v2.subarray(0, v2.length - 8));
    const view = new DataView(v1.buffer);
    view.setUint32(8, 1, true);
    view.setUint32(v1.length - 4, crc32c(v1.subarray(0, v1.length - 4)), true);
    expect(decodeTrees(v1, 'v1').trees[0]!.subtreeToString(0)).toBe(plain.tree.subtreeToString(0));
  });

  test('bad categorical settings and values are refused, naming the feature and the value', async () => {
    const data = byCategory([0, 1, 2, 3], 2, (c) => c % 2);
    const fit = (categoricalFeatures: Map<number, number>, maxBins = 32) =>
      new DecisionTreeClassifier({ maxBins }).fitPartitions(data, { categoricalFeatures });
    await expect(fit(new Map([[0, 3]]))).rejects.toThrow(
      /feature 0 is categorical with values in \{0,...,2\}, but partition 0 row 6 gives it value 3/,
    );
    await expect(fit(new Map([[1, 4]]))).rejects.toThrow(/categoricalFeatures names feature 1/);
    await expect(fit(new Map([[0, 0]]))).rejects.toThrow(/gives feature 0 0 categories/);
    await expect(fit(new Map([[0, 4]]), 3)).rejects.toThrow(
      /maxBins \(= 3\) to be at least as large as the number of values in each categorical feature, but categorical feature 0 has 4 values/,
    );
    await fit(new Map([[0, 4]]), 3).catch((e: unknown) => expect(isEddyError(e)).toBe(true));
    const fractional = [{ features: [Float64Array.of(0, 1.5)], labels: Float64Array.of(0, 1) }];
    await expect(
      new DecisionTreeClassifier().fitPartitions(fractional, { categoricalFeatures: new Map([[0, 2]]) }),
    ).rejects.toThrow(/gives it value 1.5/);
  });
});
