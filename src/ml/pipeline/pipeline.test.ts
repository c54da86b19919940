import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecisionTreeClassifier,
  Eddy,
  Estimator,
  IndexToString,
  Model,
  MulticlassClassificationEvaluator,
  Pipeline,
  PipelineModel,
  StringIndexer,
  Transformer,
  VectorAssembler,
  DenseVector,
} from '../../index.js';

let eddy: Eddy;
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-mlpipe-'));
  eddy = await Eddy.start({ home, broker: false });
});
afterAll(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

describe('the seed example', () => {
  it('reads iris, fits VectorAssembler → StringIndexer → DecisionTreeClassifier and predicts a new row', async () => {
    // As the seed example writes it: a path relative to the working directory (the package root under vitest).
    const iris = await eddy.read.option('inferSchema', true).csv('datasets/iris');
    expect(iris.dtypes.map((d) => d[1])).toEqual(['double', 'double', 'double', 'double', 'string']);
    const pipeline = new Pipeline({
      stages: [
        new VectorAssembler({ inputCols: ['_c0', '_c1', '_c2', '_c3'], outputCol: 'features' }),
        new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
        new DecisionTreeClassifier({ featuresCol: 'features', labelCol: 'label' }),
      ],
    });
    const model = await pipeline.fit(iris);
    expect(model).toBeInstanceOf(PipelineModel);
    expect(model.parent).toBe(pipeline);
    const indexer = model.stages[1] as unknown as { labels: string[] };
    // 50 rows each: ties broken alphabetically.
    expect(indexer.labels).toEqual(['Iris-setosa', 'Iris-versicolor', 'Iris-virginica']);

    const newRow = eddy.createDataFrame([[5.1, 3.5, 1.4, 0.2]], ['_c0', '_c1', '_c2', '_c3']);
    const predicted = model.transform(newRow);
    expect(predicted.columns).toEqual([
      '_c0',
      '_c1',
      '_c2',
      '_c3',
      'features',
      'rawPrediction',
      'probability',
      'prediction',
    ]);
    const [row] = await predicted.collect();
    expect(row!.prediction).toBe(0);
    expect(Array.from((row!.probability as DenseVector).values)).toEqual([1, 0, 0]);
    expect(Array.from((row!.rawPrediction as DenseVector).values)).toEqual([50, 0, 0]);
    expect(await predicted.select('features', 'probability', 'prediction').showString()).toBe(
      [
        '+-----------------+-------------+----------+',
        '|         features|  probability|prediction|',
        '+-----------------+-------------+----------+',
        '|[5.1,3.5,1.4,0.2]|[1.0,0.0,0.0]|       0.0|',
        '+-----------------+-------------+----------+',
        '',
      ].join('\n'),
    );

    // Training accuracy, and labels back with IndexToString from the indexer's column metadata.
    const train = model.transform(iris);
    const acc = await new MulticlassClassificationEvaluator({ metricName: 'accuracy' }).evaluate(train);
    expect(acc).toBeGreaterThan(0.97);
    const back = await new IndexToString({ inputCol: 'label', outputCol: 'species' })
      .transform(train)
      .select('_c4', 'species')
      .collect();
    expect(back.every((r) => r._c4 === r.species)).toBe(true);
  });
});

describe('Pipeline', () => {
  const rows = [
    [1.5, 'a', 'x'],
    [2.5, 'b', 'y'],
    [3.5, 'a', 'x'],
    [4.5, 'b', 'y'],
  ];

  it('checks the whole chain before any data flows, naming the stage, the column and the columns', async () => {
    const df = eddy.createDataFrame(rows, ['v', 's', 't']);
    const asm = new VectorAssembler({ inputCols: ['v', 'missing'], outputCol: 'f' });
    const p = new Pipeline({
      stages: [
        new StringIndexer({ inputCol: 's', outputCol: 'label' }),
        asm,
        new DecisionTreeClassifier({ featuresCol: 'f' }),
      ],
    });
    await expect(p.fit(df)).rejects.toThrow(
      new RegExp(
        `${asm.uid}: input column 'missing' \\(inputCols\\) does not exist; the columns are \\[v: double, s: string, t: string, label: double\\]`,
      ),
    );
    const wrongType = new Pipeline({ stages: [new VectorAssembler({ inputCols: ['s'], outputCol: 'f' })] });
    await expect(wrongType.fit(df)).rejects.toThrow(/input column 's' \(inputCols\) has type string/);
    const dt = new DecisionTreeClassifier({ featuresCol: 'v', labelCol: 's' });
    await expect(new Pipeline({ stages: [dt] }).fit(df)).rejects.toThrow(
      new RegExp(`${dt.uid}: input column 'v' \\(featuresCol\\) has type double but must be vector`),
    );
    const clash = new Pipeline({ stages: [new StringIndexer({ inputCol: 's', outputCol: 't' })] });
    await expect(clash.fit(df)).rejects.toThrow(/output column 't' already exists/);
  });

  it('stage kinds, uids and copy', () => {
    const si = new StringIndexer({ inputCol: 's' });
    const asm = new VectorAssembler({ inputCols: ['v'] });
    const dt = new DecisionTreeClassifier();
    expect(si).toBeInstanceOf(Estimator);
    expect(dt).toBeInstanceOf(Estimator);
    expect(asm).toBeInstanceOf(Transformer);
    expect(asm).not.toBeInstanceOf(Estimator);
    expect(asm).not.toBeInstanceOf(Model);
    expect(si.uid).toMatch(/^StringIndexer_[0-9a-f]{12}$/);
    expect(asm.getOutputCol()).toBe(`${asm.uid}__output`);
    const p = new Pipeline({ stages: [si, asm] });
    const c = p.copy();
    expect(c.uid).toBe(p.uid);
    expect(c.getStages().map((s) => s.uid)).toEqual([si.uid, asm.uid]);
    expect(c.getStages()[0]).not.toBe(si);
    expect(() => new Pipeline({ stages: [si, si] })).toThrow(/appears twice/);
    expect(() => new Pipeline({ stages: [{} as never] })).toThrow(
      /stage 0 .* is neither an Estimator nor a Transformer/,
    );
    expect(() => new Pipeline({ stage: [] } as never)).toThrow(/has no option stage/);
  });

  it('fits each estimator on the output of the stages before it', async () => {
    const df = eddy.createDataFrame(rows, ['v', 's', 't']);
    const model = await new Pipeline({
      stages: [
        new StringIndexer({ inputCol: 's', outputCol: 'si' }),
        new StringIndexer({ inputCol: 'si', outputCol: 'sii', stringOrderType: 'alphabetDesc' }),
      ],
    }).fit(df);
    // si is 0.0/1.0 as a double; its labels as strings are "0.0", "1.0", sorted descending.
    expect((model.stages[1] as unknown as { labels: string[] }).labels).toEqual(['1.0', '0.0']);
    const out = await model.transform(df).select('s', 'si', 'sii').collect();
    expect(out).toEqual([
      { s: 'a', si: 0, sii: 1 },
      { s: 'b', si: 1, sii: 0 },
      { s: 'a', si: 0, sii: 1 },
      { s: 'b', si: 1, sii: 0 },
    ]);
  });
});
