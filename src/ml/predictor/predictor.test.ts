import { describe, expect, it } from 'vitest';
import {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  DenseVector,
  RandomForestClassifier,
  RandomForestRegressor,
  StringIndexer,
  Vectors,
  createDataFrame,
  type DataFrameEnv,
} from '../../index.js';
import { FileSystemRegistry } from '../../storage/registry.js';

const registry = new FileSystemRegistry();
const env: DataFrameEnv = { resolvePath: (p) => registry.resolve(p) };

// x < 2.5 → class 0, else class 1; y = 10 * class + x.
const xs = [0.5, 1.5, 2, 3, 4, 5];
const rows = xs.map((x) => [
  Vectors.dense([x, 7]),
  x < 2.5 ? 0.5 - 0.5 : 1.5 - 0.5,
  (x < 2.5 ? 0 : 10) + x,
  x === 5 ? 3 : 1,
]);
const data = createDataFrame(env, rows, 'features VECTOR, label DOUBLE, y DOUBLE, w DOUBLE', { numPartitions: 3 });

describe('tree estimators on DataFrames', () => {
  it('DecisionTreeClassifier: one training partition per DataFrame partition, the same tree as fitPartitions', async () => {
    const dt = new DecisionTreeClassifier({ maxDepth: 2 });
    const model = await dt.fit(data);
    expect(model.parent).toBe(dt);
    const direct = await dt.fitPartitions(
      [0, 2, 4].map((i) => ({
        features: [Float64Array.from(xs.slice(i, i + 2)), new Float64Array([7, 7])],
        labels: Float64Array.from(rows.slice(i, i + 2).map((r) => r[1] as number)),
      })),
    );
    expect(model.toDebugString).toBe(direct.toDebugString.replace(direct.uid, model.uid));
    const out = await model.transform(data).select('rawPrediction', 'probability', 'prediction').collect();
    expect(out.map((r) => r.prediction)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(String(out[0]!.rawPrediction)).toBe('[3.0,0.0]');
    expect(String(out[5]!.probability)).toBe('[0.0,1.0]');
  });

  it('weightCol weighs rows; output column names are params and an empty name leaves the column out', async () => {
    const model = await new DecisionTreeClassifier({ weightCol: 'w', maxDepth: 1 }).fit(data);
    const raw = await model.transform(data).select('rawPrediction').collect();
    expect(String(raw[5]!.rawPrediction)).toBe('[0.0,5.0]');
    model.set(model.rawPredictionCol, '').set(model.probabilityCol, 'p').set(model.predictionCol, 'yhat');
    expect(model.transform(data).columns).toEqual(['features', 'label', 'y', 'w', 'p', 'yhat']);
  });

  it('takes the number of classes from StringIndexer metadata', async () => {
    // Three labels but only two appear among the rows the tree sees: probability vectors keep 3 entries.
    const strings = createDataFrame(
      env,
      [
        [Vectors.dense([1]), 'a'],
        [Vectors.dense([2]), 'b'],
        [Vectors.dense([3]), 'b'],
      ],
      'features VECTOR, s STRING',
    );
    const indexer = await new StringIndexer({ inputCol: 's', outputCol: 'label' }).fit(strings);
    const indexed = indexer.transform(strings);
    const model = await new DecisionTreeClassifier().fit(indexed);
    expect(model.numClasses).toBe(2);
    const threeLabels = createDataFrame(
      env,
      [
        [Vectors.dense([1]), 'a'],
        [Vectors.dense([2]), 'c'],
        [Vectors.dense([3]), 'b'],
      ],
      'features VECTOR, s STRING',
    );
    const idx3 = await new StringIndexer({ inputCol: 's', outputCol: 'label' }).fit(threeLabels);
    const onlyTwo = idx3.transform(threeLabels).filter('s != "c"');
    expect((await new DecisionTreeClassifier().fit(onlyTwo)).numClasses).toBe(3);
  });

  it('RandomForestClassifier predicts through transform', async () => {
    const model = await new RandomForestClassifier({
      numTrees: 3,
      seed: 1,
      bootstrap: false,
      featureSubsetStrategy: 'all',
    }).fit(data);
    const out = await model.transform(data).select('prediction', 'probability').collect();
    expect(out.map((r) => r.prediction)).toEqual([0, 0, 0, 1, 1, 1]);
    expect((out[0]!.probability as DenseVector).size).toBe(2);
    // The DataFrame columns agree with the array-level API.
    const cols = [Float64Array.from(xs), new Float64Array(xs.length).fill(7)];
    const probs = model.predictProbabilityColumns(cols);
    expect(out.flatMap((r) => Array.from((r.probability as DenseVector).values))).toEqual(Array.from(probs));
    expect(out.map((r) => r.prediction)).toEqual(Array.from(model.predictColumns(cols)));
  });

  it('regressors add prediction (and variance when varianceCol is set)', async () => {
    const dtr = await new DecisionTreeRegressor({ labelCol: 'y', varianceCol: 'v', maxDepth: 1 }).fit(data);
    const out = await dtr.transform(data).select('prediction', 'v').collect();
    expect(dtr.transform(data).columns).toEqual(['features', 'label', 'y', 'w', 'prediction', 'v']);
    // Left leaf: y = 0.5, 1.5, 2 (mean 4/3); right: 13, 14, 15 (mean 14, variance 2/3).
    expect(out[0]!.prediction).toBeCloseTo(4 / 3, 12);
    expect(out[5]!.prediction).toBeCloseTo(14, 12);
    expect(out[5]!.v).toBeCloseTo(2 / 3, 12);
    const rf = await new RandomForestRegressor({ labelCol: 'y', numTrees: 2, seed: 5 }).fit(data);
    expect(rf.transform(data).columns).toEqual(['features', 'label', 'y', 'w', 'prediction']);
    expect((await rf.transform(data).collect()).every((r) => typeof r.prediction === 'number')).toBe(true);
  });

  it('clear errors for bad columns and bad rows', async () => {
    const dt = new DecisionTreeClassifier({ labelCol: 'nope' });
    await expect(dt.fit(data)).rejects.toThrow(
      new RegExp(`${dt.uid}: input column 'nope' \\(labelCol\\) does not exist`),
    );
    const withNull = createDataFrame(
      env,
      [
        [Vectors.dense([1]), 0.5],
        [null, 1.5],
      ],
      'features VECTOR, label DOUBLE',
    );
    await expect(new DecisionTreeRegressor().fit(withNull)).rejects.toThrow(
      /features column 'features' has a null vector/,
    );
    const badLabel = createDataFrame(env, [[Vectors.dense([1]), 0.5]], 'features VECTOR, label DOUBLE');
    await expect(new DecisionTreeClassifier().fit(badLabel)).rejects.toThrow(/label 0.5 is not a class index/);
    const ragged = createDataFrame(
      env,
      [
        [Vectors.dense([1]), 0.0],
        [Vectors.dense([1, 2]), 1.0],
      ],
      'features VECTOR, label DOUBLE',
    );
    await expect(new DecisionTreeClassifier().fit(ragged)).rejects.toThrow(
      /vector of size 2 where 1 features were expected/,
    );
    const empty = data.filter('label > 5');
    await expect(new DecisionTreeClassifier().fit(empty)).rejects.toThrow(/has no rows; nothing to fit/);
    const model = await new DecisionTreeClassifier().fit(data);
    const narrow = createDataFrame(env, [[Vectors.dense([1])]], 'features VECTOR');
    await expect(model.transform(narrow).collect()).rejects.toThrow(/vector of size 1 where 2 features were expected/);
  });
});
