import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  Eddy,
  Pipeline,
  PipelineModel,
  RandomForestClassifier,
  StringIndexer,
  VectorAssembler,
  type DecisionTreeClassificationModel,
  type DecisionTreeRegressionModel,
} from '../../index.js';

let eddy: Eddy;
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-mlcat-'));
  eddy = await Eddy.start({ home, broker: false });
});
afterAll(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

/** Clicks by colour and size: red and blue buy (label 1), green and white do not; size does not matter. */
function rows(): [string, number, number, number][] {
  const out: [string, number, number, number][] = [];
  const colours = ['red', 'green', 'blue', 'white'];
  for (let i = 0; i < 80; i++) {
    const colour = colours[i % 4]!;
    const buys = colour === 'red' || colour === 'blue' ? 1 : 0;
    out.push([colour, (i * 7) % 5, buys, buys * 10 + (i % 3)]);
  }
  return out;
}

describe('categorical features from StringIndexer through VectorAssembler', () => {
  it('VectorAssembler carries nominal slots in the features metadata, as Spark’s attribute group', async () => {
    const df = eddy.createDataFrame(rows(), ['colour', 'size', 'label', 'amount']);
    const indexed = new StringIndexer({ inputCol: 'colour', outputCol: 'colourIndex' }).fit(df);
    const assembled = new VectorAssembler({ inputCols: ['colourIndex', 'size'], outputCol: 'features' }).transform(
      (await indexed).transform(df),
    );
    const field = assembled.schema.fields[assembled.schema.indexOf('features')] as {
      metadata?: { ml_attr?: unknown };
    };
    expect(field.metadata?.ml_attr).toEqual({
      attrs: {
        nominal: [{ idx: 0, name: 'colourIndex', vals: ['blue', 'green', 'red', 'white'] }],
        numeric: [{ idx: 1, name: 'size' }],
      },
      num_attrs: 2,
    });
  });

  it('a tree splits a StringIndexer feature by category set, and the saved pipeline predicts the same', async () => {
    const df = eddy.createDataFrame(rows(), ['colour', 'size', 'label', 'amount']);
    const pipeline = new Pipeline({
      stages: [
        new StringIndexer({ inputCol: 'colour', outputCol: 'colourIndex' }),
        new VectorAssembler({ inputCols: ['colourIndex', 'size'], outputCol: 'features' }),
        new DecisionTreeClassifier({ maxDepth: 1 }),
      ],
    });
    const model = await pipeline.fit(df);
    const tree = model.stages[2] as DecisionTreeClassificationModel;
    // Frequency ties break alphabetically: blue 0, green 1, red 2, white 3; buyers are {0, 2}.
    expect(tree.toDebugString).toContain('If (feature 0 in {1.0,3.0})');
    const predicted = await model.transform(df).select('colour', 'prediction').collect();
    for (const r of predicted) expect(r.prediction).toBe(r.colour === 'red' || r.colour === 'blue' ? 1 : 0);

    const path = join(home, 'models', 'categorical');
    await model.write().overwrite().save(path);
    const back = await PipelineModel.load(path);
    expect((back.stages[2] as DecisionTreeClassificationModel).toDebugString).toBe(tree.toDebugString);
    expect(await back.transform(df).select('prediction').collect()).toEqual(
      await model.transform(df).select('prediction').collect(),
    );
  });

  it('regression trees and forests read the same metadata', async () => {
    const df = eddy.createDataFrame(rows(), ['colour', 'size', 'label', 'amount']);
    const prep = [
      new StringIndexer({ inputCol: 'colour', outputCol: 'colourIndex' }),
      new VectorAssembler({ inputCols: ['colourIndex', 'size'], outputCol: 'features' }),
    ];
    const reg = await new Pipeline({
      stages: [...prep, new DecisionTreeRegressor({ labelCol: 'amount', maxDepth: 1 })],
    }).fit(df);
    expect((reg.stages[2] as DecisionTreeRegressionModel).toDebugString).toContain('If (feature 0 in {1.0,3.0})');
    const forest = await new Pipeline({
      stages: [...prep, new RandomForestClassifier({ numTrees: 3, maxDepth: 1, seed: 1 })],
    }).fit(df);
    for (const r of await forest.transform(df).select('colour', 'prediction').collect()) {
      expect(r.prediction).toBe(r.colour === 'red' || r.colour === 'blue' ? 1 : 0);
    }
  });

  it('a nominal feature with more values than maxBins is refused, naming the feature', async () => {
    const many = Array.from({ length: 40 }, (_, i) => [`c${i}`, i % 2] as [string, number]);
    const df = eddy.createDataFrame(many, ['code', 'label']);
    const pipeline = new Pipeline({
      stages: [
        new StringIndexer({ inputCol: 'code', outputCol: 'codeIndex' }),
        new VectorAssembler({ inputCols: ['codeIndex'], outputCol: 'features' }),
        new DecisionTreeClassifier(),
      ],
    });
    await expect(pipeline.fit(df)).rejects.toThrow(/maxBins \(= 32\).*categorical feature 0 has 40 values/);
  });
});
