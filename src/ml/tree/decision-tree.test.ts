import { DecisionTreeClassifier as CartClassifier } from 'ml-cart';
import { describe, expect, test } from 'vitest';
import { accuracy, loadIris, rng, toRows } from '../../../test/support/ml-data.js';
import { isEddyError } from '../../common/errors.js';
import { DecisionTreeClassifier } from '../classification/decision-tree-classifier.js';
import { DecisionTreeRegressor } from '../regression/decision-tree-regressor.js';

const col = (...v: number[]): Float64Array => Float64Array.from(v);

describe('decision trees on hand-made data', () => {
  test('threshold is the midpoint; <= goes left, > goes right; NaN goes right', async () => {
    const model = await new DecisionTreeClassifier({ uid: 'dtc_t' }).fitPartitions([
      { features: [col(1, 2, 3, 4, 5, 6)], labels: col(0, 0, 0, 1, 1, 1) },
    ]);
    expect(model.toDebugString).toBe(
      'DecisionTreeClassificationModel: uid=dtc_t, depth=1, numNodes=3, numClasses=2, numFeatures=1\n' +
        '  If (feature 0 <= 3.5)\n' +
        '   Predict: 0.0\n' +
        '  Else (feature 0 > 3.5)\n' +
        '   Predict: 1.0\n',
    );
    expect(model.predict([3.5])).toBe(0);
    expect(model.predict([3.5000001])).toBe(1);
    expect(model.predict([-100])).toBe(0);
    expect(model.predict([Number.NaN])).toBe(1);
    expect([...model.predictRaw([1])]).toEqual([3, 0]);
    expect([...model.predictColumns([col(3, 3.5, 4, 7)])]).toEqual([0, 0, 1, 1]);
    expect(model.predictLeaf([1])).toBe(0);
    expect(model.predictLeaf([6])).toBe(1);
  });

  test('a split is valid only if both children keep minInstancesPerNode rows', async () => {
    const data = [{ features: [col(1, 2, 3, 4)], labels: col(0, 1, 1, 1) }];
    const free = await new DecisionTreeClassifier({ maxDepth: 1 }).fitPartitions(data);
    expect(free.tree.arrays.threshold[0]).toBe(1.5);
    const constrained = await new DecisionTreeClassifier({ maxDepth: 1, minInstancesPerNode: 2 }).fitPartitions(data);
    expect(constrained.tree.arrays.threshold[0]).toBe(2.5);
    expect(constrained.tree.arrays.gain[0]).toBeCloseTo(0.125, 12);
    const none = await new DecisionTreeClassifier({ maxDepth: 1, minInstancesPerNode: 3 }).fitPartitions(data);
    expect(none.numNodes).toBe(1);
  });

  test('minWeightFractionPerNode rejects children with too little weight', async () => {
    const data = [{ features: [col(1, 2, 3, 4)], labels: col(0, 1, 1, 1), weights: col(1, 1, 1, 1) }];
    const m = await new DecisionTreeClassifier({ maxDepth: 1, minWeightFractionPerNode: 0.3 }).fitPartitions(data);
    expect(m.tree.arrays.threshold[0]).toBe(2.5);
  });

  test('minInfoGain above the best gain leaves a single leaf', async () => {
    const data = [{ features: [col(1, 2, 3, 4)], labels: col(0, 1, 1, 1) }];
    const m = await new DecisionTreeClassifier({ minInfoGain: 0.4 }).fitPartitions(data);
    expect(m.numNodes).toBe(1);
    expect(m.depth).toBe(0);
    expect(m.predict([1])).toBe(1);
    expect([...m.featureImportances]).toEqual([0]);
  });

  test('maxDepth 0 is one leaf; weights give rawPrediction and probability; thresholds change predict', async () => {
    const data = [{ features: [col(1, 2)], labels: col(0, 1), weights: col(3, 1) }];
    const m = await new DecisionTreeClassifier({ maxDepth: 0 }).fitPartitions(data);
    expect(m.toDebugString.split('\n')[1]).toBe('  Predict: 0.0');
    expect([...m.predictRaw([2])]).toEqual([3, 1]);
    expect([...m.predictProbability([2])]).toEqual([0.75, 0.25]);
    expect(m.predict([2])).toBe(0);
    m.set(m.thresholds, [0.8, 0.2]);
    expect(m.predict([2])).toBe(1);
    expect([...m.predictColumns([col(1, 2)])]).toEqual([1, 1]);
    m.set(m.thresholds, [0.5, 0.25, 0.25]);
    expect(() => m.predict([2])).toThrow(/3 values but the model has 2 classes/);
  });

  test('pure children are not split further; a 2-level tree; importances are gain × count, normalized', async () => {
    // Root: f0 and f1 tie (gain 0.125); the first feature wins as in Spark. The left child then splits on f1.
    const m = await new DecisionTreeClassifier({ uid: 'u' }).fitPartitions([
      { features: [col(0, 0, 1, 1), col(0, 1, 0, 1)], labels: col(0, 1, 1, 1) },
    ]);
    expect(m.toDebugString).toBe(
      'DecisionTreeClassificationModel: uid=u, depth=2, numNodes=5, numClasses=2, numFeatures=2\n' +
        '  If (feature 0 <= 0.5)\n' +
        '   If (feature 1 <= 0.5)\n' +
        '    Predict: 0.0\n' +
        '   Else (feature 1 > 0.5)\n' +
        '    Predict: 1.0\n' +
        '  Else (feature 0 > 0.5)\n' +
        '   Predict: 1.0\n',
    );
    expect([m.predictLeaf([0, 0]), m.predictLeaf([0, 1]), m.predictLeaf([1, 0])]).toEqual([0, 1, 2]);
    const imp = m.featureImportances;
    expect(imp[0]).toBeCloseTo(1 / 3, 12);
    expect(imp[1]).toBeCloseTo(2 / 3, 12);
  });

  test('entropy impurity', async () => {
    const m = await new DecisionTreeClassifier({ impurity: 'entropy', maxDepth: 1 }).fitPartitions([
      { features: [col(1, 2, 3, 4)], labels: col(0, 0, 1, 1) },
    ]);
    expect(m.tree.arrays.impurity[0]).toBe(1);
    expect(m.tree.arrays.gain[0]).toBe(1);
  });

  test('regression: variance impurity, mean predictions, leaf variance', async () => {
    const m = await new DecisionTreeRegressor({ uid: 'r' }).fitPartitions([
      { features: [col(1, 2, 3, 4, 5)], labels: col(1, 1, 5, 5, 7) },
    ]);
    expect(m.toDebugString).toBe(
      'DecisionTreeRegressionModel: uid=r, depth=2, numNodes=5, numFeatures=1\n' +
        '  If (feature 0 <= 2.5)\n' +
        '   Predict: 1.0\n' +
        '  Else (feature 0 > 2.5)\n' +
        '   If (feature 0 <= 4.5)\n' +
        '    Predict: 5.0\n' +
        '   Else (feature 0 > 4.5)\n' +
        '    Predict: 7.0\n',
    );
    const stump = await new DecisionTreeRegressor({ maxDepth: 1 }).fitPartitions([
      { features: [col(1, 2, 3, 4, 5)], labels: col(1, 1, 5, 5, 7) },
    ]);
    expect(stump.predict([4])).toBeCloseTo(17 / 3, 12);
    expect(stump.predictVariance([4])).toBeCloseTo((25 + 25 + 49) / 3 - (17 / 3) ** 2, 12);
    expect(stump.predictVariance([1])).toBe(0);
    expect([...stump.predictVarianceColumns([col(1, 4)])]).toEqual([0, stump.predictVariance([4])]);
  });

  test('bad training data is refused with the partition and row named', async () => {
    const dt = new DecisionTreeClassifier();
    const expectInvalid = async (p: Promise<unknown>, fragment: string): Promise<void> => {
      const e = await p.then(
        () => null,
        (err: unknown) => err,
      );
      expect(isEddyError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toContain(fragment);
    };
    await expectInvalid(dt.fitPartitions([]), 'no partitions');
    await expectInvalid(
      dt.fitPartitions([{ features: [col(1, 2)], labels: col(0, -1) }]),
      'partition 0 row 1: label -1',
    );
    await expectInvalid(dt.fitPartitions([{ features: [col(1, 2)], labels: col(0, 0.5) }]), 'label 0.5');
    await expectInvalid(dt.fitPartitions([{ features: [col(1, 2)], labels: col(0) }]), 'feature column 0 has 2 values');
    await expectInvalid(
      dt.fitPartitions([
        { features: [col(1)], labels: col(0) },
        { features: [col(1), col(2)], labels: col(1) },
      ]),
      'partition 1 has 2 feature columns',
    );
    await expectInvalid(dt.fitPartitions([{ features: [col(1)], labels: col(0), weights: col(-1) }]), 'weight -1');
    await expectInvalid(
      dt.fitPartitions([{ features: [col(1)], labels: col(0) }], { parallelism: 0 }),
      'parallelism 0',
    );
    await expectInvalid(
      new DecisionTreeRegressor().fitPartitions([{ features: [col(1)], labels: col(Number.NaN) }]),
      'label NaN',
    );
    await expectInvalid(
      dt.fitPartitions([{ features: [col(1, 2)], labels: col(0, 2) }], { numClasses: 2 }),
      'numClasses 2 is too small',
    );
    const m = await dt.fitPartitions([{ features: [col(1, 2)], labels: col(0, 1) }]);
    expect(() => m.predict([1, 2])).toThrow(/expects 1 features per row but got 2/);
    const wide = await dt.fitPartitions([{ features: [col(1, 2)], labels: col(0, 1) }], { numClasses: 4 });
    expect(wide.numClasses).toBe(4);
    expect([...wide.predictRaw([1])]).toEqual([1, 0, 0, 0]);
  });
});

describe('iris', () => {
  const iris = loadIris();

  test("depth 2 gives Spark's well-known tree", async () => {
    const m = await new DecisionTreeClassifier({ uid: 'dtc_iris', maxDepth: 2 }).fitPartitions([iris]);
    expect(m.toDebugString).toBe(
      'DecisionTreeClassificationModel: uid=dtc_iris, depth=2, numNodes=5, numClasses=3, numFeatures=4\n' +
        '  If (feature 2 <= 2.45)\n' +
        '   Predict: 0.0\n' +
        '  Else (feature 2 > 2.45)\n' +
        '   If (feature 3 <= 1.75)\n' +
        '    Predict: 1.0\n' +
        '   Else (feature 3 > 1.75)\n' +
        '    Predict: 2.0\n',
    );
    expect([...m.predictRaw([5, 3, 5, 1.5])]).toEqual([0, 49, 5]);
    expect(m.predictProbability([5, 3, 5, 1.5])[1]).toBeCloseTo(49 / 54, 12);
  });

  test('batch raw/probability/leaf columns agree with the per-row methods', async () => {
    const m = await new DecisionTreeClassifier({ maxDepth: 3 }).fitPartitions([iris]);
    const raw = m.predictRawColumns(iris.features);
    const prob = m.predictProbabilityColumns(iris.features);
    const leaves = m.predictLeafColumns(iris.features);
    for (const r of [0, 60, 77, 149]) {
      const row = iris.features.map((c) => c[r]!);
      expect([...raw.subarray(r * 3, r * 3 + 3)]).toEqual([...m.predictRaw(row)]);
      expect([...prob.subarray(r * 3, r * 3 + 3)]).toEqual([...m.predictProbability(row)]);
      expect(leaves[r]).toBe(m.predictLeaf(row));
    }
    expect(Math.max(...leaves)).toBe(m.tree.numLeaves - 1);
  });

  test('depth 5 reaches the known training accuracy (1.0, as scikit-learn at depth 5)', async () => {
    const m = await new DecisionTreeClassifier({ maxDepth: 5 }).fitPartitions([iris]);
    expect(accuracy(m.predictColumns(iris.features), iris.labels)).toBe(1);
    expect(m.depth).toBeLessThanOrEqual(5);
    const imp = m.featureImportances;
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Petal length and width carry the tree.
    expect(imp[2]! + imp[3]!).toBeGreaterThan(0.9);
  });

  test('same training accuracy as ml-cart (independent CART) where both can split at every midpoint', async () => {
    const rows = toRows(iris.features);
    for (const depth of [1, 2, 3]) {
      const cart = new CartClassifier({ gainFunction: 'gini', maxDepth: depth, minNumSamples: 1 });
      cart.train(rows, [...iris.labels]);
      const ours = await new DecisionTreeClassifier({ maxDepth: depth, maxBins: 64 }).fitPartitions([iris]);
      expect(accuracy(ours.predictColumns(iris.features), iris.labels)).toBe(accuracy(cart.predict(rows), iris.labels));
    }
  });
});

describe('against ml-cart on synthetic data', () => {
  test('fully grown trees both fit consistent data exactly; stumps agree', async () => {
    const r = rng(7);
    const n = 400;
    const f = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => Math.floor(r() * 12)));
    const labels = Float64Array.from({ length: n }, (_, i) => {
      const a = f[0]![i]!;
      const b = f[1]![i]!;
      const c = f[2]![i]!;
      return (a * 3 + b * b + c) % 3;
    });
    const rows = toRows(f);
    const ours = await new DecisionTreeClassifier({ maxDepth: 30 }).fitPartitions([{ features: f, labels }]);
    const cart = new CartClassifier({ gainFunction: 'gini', minNumSamples: 1 });
    cart.train(rows, [...labels]);
    // Points with equal features and different labels cannot be separated by anyone: the best achievable.
    const byKey = new Map<string, number[]>();
    rows.forEach((row, i) => {
      const k = row.join(',');
      const counts = byKey.get(k) ?? [0, 0, 0];
      counts[labels[i]!]!++;
      byKey.set(k, counts);
    });
    let best = 0;
    for (const c of byKey.values()) best += Math.max(...c);
    expect(accuracy(ours.predictColumns(f), labels)).toBe(best / n);
    expect(accuracy(cart.predict(rows), labels)).toBe(best / n);
    const stump = await new DecisionTreeClassifier({ maxDepth: 1 }).fitPartitions([{ features: f, labels }]);
    const cartStump = new CartClassifier({ gainFunction: 'gini', maxDepth: 1, minNumSamples: 1 });
    cartStump.train(rows, [...labels]);
    expect(accuracy(stump.predictColumns(f), labels)).toBe(accuracy(cartStump.predict(rows), labels));
  });
});
