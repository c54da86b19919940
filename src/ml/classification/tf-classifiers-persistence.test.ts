import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Eddy,
  LogisticRegression,
  LogisticRegressionModel,
  MultilayerPerceptronClassificationModel,
  MultilayerPerceptronClassifier,
  Pipeline,
  PipelineModel,
  StringIndexer,
  VectorAssembler,
  loadStage,
  pipelineFromSpec,
  type DataFrame,
  type PipelineStage,
  type Transformer,
} from '../../index.js';
import { bundledDataset } from '../../common/paths.js';

let eddy: Eddy;
let home: string;
let iris: DataFrame;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-tfsave-'));
  eddy = await Eddy.start({ home, broker: false, dfs: false });
  iris = (await eddy.read.option('inferSchema', true).csv(bundledDataset('iris'))).repartition(3).cache();
});
afterAll(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

async function outputs(model: Transformer, df: DataFrame): Promise<string> {
  const out = model.transform(df).select('rawPrediction', 'probability', 'prediction');
  return JSON.stringify((await out.collect()).map((r) => Object.values(r).map(String)));
}

function featurePipeline(last: PipelineStage): Pipeline {
  return new Pipeline({
    stages: [
      new VectorAssembler({ inputCols: ['_c0', '_c1', '_c2', '_c3'], outputCol: 'features' }),
      new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
      last,
    ],
  });
}

async function accuracy(model: Transformer, df: DataFrame): Promise<number> {
  const rows = await model.transform(df).select('label', 'prediction').collect();
  return rows.filter((r) => r.label === r.prediction).length / rows.length;
}

describe('LogisticRegression and MultilayerPerceptronClassifier in pipelines, saved and loaded', () => {
  it.each([
    ['LogisticRegression (multinomial)', () => new LogisticRegression({ regParam: 0.01 }), 0.95],
    ['MultilayerPerceptronClassifier', () => new MultilayerPerceptronClassifier({ layers: [4, 5, 3], seed: 7 }), 0.95],
  ] as const)(
    '%s after VectorAssembler and StringIndexer: save → load → identical predictions',
    async (_, make, min) => {
      const model = await featurePipeline(make()).fit(iris);
      expect(await accuracy(model, iris)).toBeGreaterThanOrEqual(min);
      const path = join(home, `pipeline-${_.split(' ')[0]}`);
      await model.save(path);
      const loaded = await PipelineModel.load(path);
      expect(await outputs(loaded, iris)).toBe(await outputs(model, iris));
      const stage = loaded.stages[2]!;
      expect(stage.uid).toBe(model.stages[2]!.uid);
      expect(stage.explainParams()).toBe(model.stages[2]!.explainParams());
    },
  );

  it('binomial logistic regression keeps thresholds and predicts identically after load', async () => {
    const binary = iris.filter("_c4 != 'Iris-setosa'");
    const model = await featurePipeline(new LogisticRegression({ threshold: 0.7, family: 'Binomial' })).fit(binary);
    const lr = model.stages[2] as LogisticRegressionModel;
    expect(lr.isMultinomial).toBe(false);
    expect(lr.getThreshold()).toBe(0.7);
    const path = join(home, 'lr-binomial');
    await lr.save(path);
    const loaded = (await loadStage(path)) as LogisticRegressionModel;
    expect(loaded).toBeInstanceOf(LogisticRegressionModel);
    expect(loaded.getThreshold()).toBe(0.7);
    expect(loaded.hasSummary).toBe(false);
    expect(() => loaded.summary).toThrow(/no training summary/);
    expect(loaded.intercept).toBe(lr.intercept);
    expect(Array.from(loaded.coefficients.values)).toEqual(Array.from(lr.coefficients.values));
    const features = (model.stages[0] as Transformer).transform(binary);
    expect(await outputs(loaded, features)).toBe(await outputs(lr, features));
    // thresholds (set in place of threshold) survive too.
    lr.setThresholds([0.2, 0.8]);
    await lr.write().overwrite().save(path);
    const again = await LogisticRegressionModel.load(path);
    expect(again.getThresholds()).toEqual([0.2, 0.8]);
    expect(again.isSet(again.threshold)).toBe(false);
    expect(await outputs(again, features)).toBe(await outputs(lr, features));
  });

  it('an infinite intercept (constant labels) survives save and load', async () => {
    const one = iris.filter("_c4 = 'Iris-setosa'");
    const pipeline = new Pipeline({
      stages: [
        new VectorAssembler({ inputCols: ['_c0', '_c1'], outputCol: 'features' }),
        new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
        new LogisticRegression(),
      ],
    });
    const lr = (await pipeline.fit(one)).stages[2] as LogisticRegressionModel;
    expect(lr.intercept).toBe(-Infinity);
    const path = join(home, 'lr-constant');
    await lr.save(path);
    expect((await LogisticRegressionModel.load(path)).intercept).toBe(-Infinity);
  });

  it('unfitted estimators save their params and load through loadStage and JSON descriptions', async () => {
    const mlp = new MultilayerPerceptronClassifier({ layers: [4, 3], solver: 'gd', blockSize: 16 });
    await mlp.save(join(home, 'mlp-estimator'));
    const back = (await loadStage(join(home, 'mlp-estimator'))) as MultilayerPerceptronClassifier;
    expect(back.explainParams()).toBe(mlp.explainParams());
    expect(back.explainParam('layers')).toContain('current: [4,3]');
    const lr = new LogisticRegression({ elasticNetParam: 0.5, regParam: 0.1 });
    await lr.save(join(home, 'lr-estimator'));
    expect((await loadStage(join(home, 'lr-estimator'))).explainParams()).toBe(lr.explainParams());
    const spec = pipelineFromSpec({
      stages: [
        { class: 'org.apache.spark.ml.classification.LogisticRegression', params: { maxIter: 5 } },
        { class: 'MultilayerPerceptronClassifier', params: { layers: [4, 3] } },
      ],
    });
    expect(spec.getStages().map((s) => s.constructor.name)).toEqual([
      'LogisticRegression',
      'MultilayerPerceptronClassifier',
    ]);
    expect(() => pipelineFromSpec({ stages: [{ class: 'LogisticRegression', params: { regParam: -1 } }] })).toThrow(
      /stage 0 \(LogisticRegression\).*regParam given invalid value -1; it must be >= 0/,
    );
  });
});

describe('invalid params name the param and the allowed values', () => {
  it.each([
    ['maxIter', -1, /maxIter given invalid value -1; it must be an integer >= 0/],
    ['maxIter', 2.5, /maxIter given invalid value 2.5; it must be an integer >= 0/],
    ['regParam', -0.1, /regParam given invalid value -0.1; it must be >= 0/],
    ['elasticNetParam', 1.5, /elasticNetParam given invalid value 1.5; it must be in range \[0, 1\]/],
    ['tol', -1, /tol given invalid value -1; it must be >= 0/],
    ['fitIntercept', 'yes', /fitIntercept given invalid value "yes"; it must be true or false/],
    ['standardization', 1, /standardization given invalid value 1; it must be true or false/],
    ['threshold', 1.2, /threshold given invalid value 1.2; it must be in range \[0, 1\]/],
    [
      'thresholds',
      [0, 0],
      /thresholds given invalid value \[0,0\]; it must be a non-empty array of numbers >= 0 with at most one 0/,
    ],
    ['thresholds', [], /thresholds given invalid value \[\]/],
    ['family', 'poisson', /family given invalid value "poisson"; it must be one of "auto", "binomial", "multinomial"/],
    ['featuresCol', '', /featuresCol given invalid value ""; it must be a non-empty string/],
    ['weightCol', 3, /weightCol given invalid value 3; it must be a string/],
  ])('LogisticRegression %s = %j', (name, value, message) => {
    const lr = new LogisticRegression();
    const before = lr.explainParams();
    expect(() => lr.set(name, value)).toThrow(message);
    expect(() => new LogisticRegression({ [name]: value })).toThrow(message);
    expect(lr.explainParams()).toBe(before);
  });

  it.each([
    ['layers', [4], /layers given invalid value \[4\]; it must be an array of at least 2 integers > 0/],
    ['layers', [4, 0, 3], /layers given invalid value \[4,0,3\]/],
    ['layers', [4, 2.5, 3], /layers given invalid value \[4,2.5,3\]/],
    ['blockSize', 0, /blockSize given invalid value 0; it must be an integer > 0/],
    ['maxIter', -5, /maxIter given invalid value -5; it must be an integer >= 0/],
    ['tol', -1e-3, /tol given invalid value -0.001; it must be >= 0/],
    ['stepSize', 0, /stepSize given invalid value 0; it must be > 0/],
    ['solver', 'adam', /solver given invalid value "adam"; it must be one of "l-bfgs", "gd"/],
    ['seed', 1.5, /seed given invalid value 1.5; it must be an integer/],
    ['initialWeights', [1, Number.NaN], /initialWeights given invalid value/],
    ['probabilityCol', null, /probabilityCol given invalid value null/],
  ])('MultilayerPerceptronClassifier %s = %j', (name, value, message) => {
    const mlp = new MultilayerPerceptronClassifier();
    expect(() => mlp.set(name, value)).toThrow(message);
    expect(() => new MultilayerPerceptronClassifier({ [name]: value } as never)).toThrow(message);
  });
});

describe('broken model folders fail with a clear error naming the path', () => {
  let lrPath: string;
  let mlpPath: string;
  let lrData: string;
  let mlpData: string;

  beforeAll(async () => {
    const features = new VectorAssembler({ inputCols: ['_c0', '_c1', '_c2', '_c3'], outputCol: 'features' });
    const indexed = (await new StringIndexer({ inputCol: '_c4', outputCol: 'label' }).fit(iris)).transform(
      features.transform(iris),
    );
    lrPath = join(home, 'broken-lr');
    mlpPath = join(home, 'broken-mlp');
    await (await new LogisticRegression({ maxIter: 5 }).fit(indexed)).save(lrPath);
    await (await new MultilayerPerceptronClassifier({ layers: [4, 3], maxIter: 5 }).fit(indexed)).save(mlpPath);
    lrData = await readFile(join(lrPath, 'data/model.json'), 'utf8');
    mlpData = await readFile(join(mlpPath, 'data/model.json'), 'utf8');
  });

  async function withData(path: string, data: string, edit: (d: Record<string, unknown>) => unknown): Promise<void> {
    const d = JSON.parse(data) as Record<string, unknown>;
    await writeFile(join(path, 'data/model.json'), JSON.stringify(edit(d) ?? d));
  }

  it.each([
    [
      'too few coefficients',
      (d: Record<string, unknown>) => void (d.coefficients = [1, 2]),
      /lacks "coefficients": 12 finite numbers/,
    ],
    [
      'a NaN coefficient',
      (d: Record<string, unknown>) => void ((d.coefficients as unknown[])[3] = 'NaN'),
      /lacks "coefficients"/,
    ],
    [
      'a missing intercept',
      (d: Record<string, unknown>) => void (d.intercepts = [0, 1]),
      /lacks "intercepts": 3 numbers/,
    ],
    [
      'numClasses 1',
      (d: Record<string, unknown>) => void (d.numClasses = 1),
      /has numClasses 1; expected an integer >= 2/,
    ],
    [
      'isMultinomial missing',
      (d: Record<string, unknown>) => void delete d.isMultinomial,
      /has isMultinomial undefined/,
    ],
    ['not an object', () => [1, 2, 3], /is not a JSON object/],
  ])('LogisticRegressionModel with %s', async (_, edit, message) => {
    await withData(lrPath, lrData, edit);
    await expect(LogisticRegressionModel.load(lrPath)).rejects.toThrow(message);
    await expect(LogisticRegressionModel.load(lrPath)).rejects.toThrow(
      new RegExp(`cannot load the model: ${lrPath}/data/model.json`),
    );
  });

  it.each([
    [
      'weights of the wrong length',
      (d: Record<string, unknown>) => void (d.weights = [1]),
      /lacks "weights": 15 finite numbers for layers \[4,3\]/,
    ],
    [
      'layers of one entry',
      (d: Record<string, unknown>) => void (d.layers = [4]),
      /has layers \[4\]; expected an array of at least 2 integers > 0/,
    ],
    [
      'layers that disagree with metadata.json',
      (d: Record<string, unknown>) => {
        d.layers = [3, 4];
        d.weights = new Array(16).fill(0);
      },
      /metadata.json has layers \[4,3\] but data\/model.json has \[3,4\]/,
    ],
  ])('MultilayerPerceptronClassificationModel with %s', async (_, edit, message) => {
    await withData(mlpPath, mlpData, edit);
    await expect(MultilayerPerceptronClassificationModel.load(mlpPath)).rejects.toThrow(message);
  });

  it('truncated data, a missing data file, another class, an unknown format version', async () => {
    await writeFile(join(lrPath, 'data/model.json'), lrData.slice(0, 20));
    await expect(LogisticRegressionModel.load(lrPath)).rejects.toThrow(
      /data\/model.json is not valid JSON \(truncated\?\)/,
    );
    await rm(join(lrPath, 'data/model.json'));
    await expect(LogisticRegressionModel.load(lrPath)).rejects.toThrow(/data\/model.json is missing/);
    await expect(LogisticRegressionModel.load(mlpPath)).rejects.toThrow(/MultilayerPerceptronClassificationModel/);
    const metaPath = join(mlpPath, 'metadata.json');
    const meta = JSON.parse(await readFile(metaPath, 'utf8')) as Record<string, unknown>;
    await writeFile(metaPath, JSON.stringify({ ...meta, formatVersion: 99 }));
    await expect(MultilayerPerceptronClassificationModel.load(mlpPath)).rejects.toThrow(/99/);
    await expect(LogisticRegressionModel.load(join(home, 'nowhere'))).rejects.toThrow(/does not exist/);
  });
});
