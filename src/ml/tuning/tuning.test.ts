import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CrossValidator,
  DecisionTreeClassificationModel,
  DecisionTreeClassifier,
  Eddy,
  MulticlassClassificationEvaluator,
  ParamGridBuilder,
  Pipeline,
  PipelineModel,
  StringIndexer,
  TrainValidationSplit,
  VectorAssembler,
  loadStage,
  type DataFrame,
  type ValidatorModel,
} from '../../index.js';

let eddy: Eddy;
let home: string;
let iris: DataFrame;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-tuning-'));
  eddy = await Eddy.start({ home, broker: false, dfs: false });
  iris = (await eddy.read.option('inferSchema', true).csv('datasets/iris')).cache();
});
afterAll(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

function setup(): { pipeline: Pipeline; dt: DecisionTreeClassifier; grid: ReturnType<ParamGridBuilder['build']> } {
  const dt = new DecisionTreeClassifier();
  const pipeline = new Pipeline({
    stages: [
      new VectorAssembler({ inputCols: ['_c0', '_c1', '_c2', '_c3'], outputCol: 'features' }),
      new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
      dt,
    ],
  });
  const grid = new ParamGridBuilder().addGrid(dt.maxDepth, [0, 3]).addGrid(dt.impurity, ['gini', 'entropy']).build();
  return { pipeline, dt, grid };
}

describe('ParamGridBuilder', () => {
  it('builds every combination, the first param varying fastest, and checks values', () => {
    const { dt, grid } = setup();
    expect(grid.map((m) => [m.get(dt.maxDepth), m.get(dt.impurity)])).toEqual([
      [0, 'gini'],
      [3, 'gini'],
      [0, 'entropy'],
      [3, 'entropy'],
    ]);
    expect(() => new ParamGridBuilder().addGrid(dt.maxDepth, [99])).toThrow(
      /99 is not a valid value of .*maxDepth; it must be an integer in range \[0, 30\]/,
    );
    expect(() => new ParamGridBuilder().addGrid(dt.maxDepth, [])).toThrow(/non-empty array/);
  });
});

describe('model selection', () => {
  it('CrossValidator picks the deeper tree, is reproducible by seed, and its model round-trips', async () => {
    const { pipeline, grid } = setup();
    const evaluator = new MulticlassClassificationEvaluator({ metricName: 'accuracy' });
    const cv = new CrossValidator({ estimator: pipeline, estimatorParamMaps: grid, evaluator, numFolds: 3, seed: 11 });
    const model = await cv.fit(iris);
    expect(model.avgMetrics).toHaveLength(4);
    // A depth-0 tree predicts one class: about a third right; depth 3 is far better.
    expect(model.avgMetrics[0]).toBeLessThan(0.5);
    expect(model.avgMetrics[1]).toBeGreaterThan(0.85);
    const best = (model.bestModel as PipelineModel).stages[2] as DecisionTreeClassificationModel;
    expect(best.getMaxDepth()).toBe(3);
    const again = await new CrossValidator({
      estimator: pipeline,
      estimatorParamMaps: grid,
      evaluator,
      numFolds: 3,
      seed: 11,
    }).fit(iris);
    expect(again.avgMetrics).toEqual(model.avgMetrics);

    await model.save(join(home, 'cv'));
    const loaded = (await loadStage(join(home, 'cv'))) as ValidatorModel;
    expect(loaded.avgMetrics).toEqual(model.avgMetrics);
    const a = await model.transform(iris).select('prediction').collect();
    const b = await loaded.transform(iris).select('prediction').collect();
    expect(b).toEqual(a);
  });

  it('TrainValidationSplit evaluates each map once on the held-out part', async () => {
    const { pipeline, grid } = setup();
    const tvs = new TrainValidationSplit({
      estimator: pipeline,
      estimatorParamMaps: grid,
      evaluator: new MulticlassClassificationEvaluator(),
      trainRatio: 0.7,
      seed: 5,
    });
    const model = await tvs.fit(iris);
    expect(model.validationMetrics).toHaveLength(4);
    expect(((model.bestModel as PipelineModel).stages[2] as DecisionTreeClassificationModel).getMaxDepth()).toBe(3);
    expect(() => new TrainValidationSplit({ trainRatio: 1.5 })).toThrow(/trainRatio given invalid value 1.5/);
    await expect(new TrainValidationSplit().fit(iris)).rejects.toThrow(
      /set estimator, evaluator and a non-empty estimatorParamMaps/,
    );
    expect(() => new CrossValidator({ numFolds: 1 })).toThrow(/numFolds given invalid value 1/);
  });
});
