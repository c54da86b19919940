import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecisionTreeClassificationModel,
  DecisionTreeClassifier,
  DecisionTreeRegressionModel,
  DecisionTreeRegressor,
  Eddy,
  IndexToString,
  Pipeline,
  PipelineModel,
  RandomForestClassificationModel,
  RandomForestClassifier,
  RandomForestRegressionModel,
  RandomForestRegressor,
  StringIndexer,
  StringIndexerModel,
  VectorAssembler,
  loadStage,
  type DataFrame,
  type PipelineStage,
  type Transformer,
} from '../../index.js';
import { bundledDataset } from '../../common/paths.js';

let eddy: Eddy;
let home: string;
let iris: DataFrame;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-mlsave-'));
  eddy = await Eddy.start({ home, broker: false });
  iris = (await eddy.read.option('inferSchema', true).csv(bundledDataset('iris'))).repartition(3);
});
afterAll(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

const predictionCols = ['rawPrediction', 'probability', 'prediction', 'variance'];

async function outputs(model: Transformer, df: DataFrame): Promise<string> {
  const out = model.transform(df);
  const keep = out.columns.filter((c) => predictionCols.includes(c) || ['label', 'features', 'species'].includes(c));
  return JSON.stringify((await out.select(...keep).collect()).map((r) => Object.values(r).map(String)));
}

/** VectorAssembler → StringIndexer → the given estimator, on iris. */
function featurePipeline(last: PipelineStage): Pipeline {
  return new Pipeline({
    stages: [
      new VectorAssembler({ inputCols: ['_c0', '_c1', '_c2', '_c3'], outputCol: 'features' }),
      new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
      last,
    ],
  });
}

describe('saving and loading', () => {
  it.each([
    ['DecisionTreeClassifier', () => new DecisionTreeClassifier({ maxDepth: 3 })],
    ['RandomForestClassifier', () => new RandomForestClassifier({ numTrees: 5, seed: 7 })],
    ['DecisionTreeRegressor', () => new DecisionTreeRegressor({ maxDepth: 3, varianceCol: 'variance' })],
    ['RandomForestRegressor', () => new RandomForestRegressor({ numTrees: 4, seed: 3 })],
  ])('a pipeline with a %s predicts the same after a round trip on dfs:// and on a plain path', async (_name, make) => {
    const est = make();
    const pipeline = featurePipeline(est);
    const model = await pipeline.fit(iris);
    const before = await outputs(model, iris);

    const uri = `dfs:///models/${est.uid}`;
    await model.write().session(eddy).save(uri);
    const again = await PipelineModel.load(uri, { fs: eddy.fs });
    expect(again.uid).toBe(model.uid);
    expect(again.stages.map((s) => s.uid)).toEqual(model.stages.map((s) => s.uid));
    expect(await outputs(again, iris)).toBe(before);

    const local = join(home, 'models', est.uid);
    await model.save(local);
    const fromDisk = (await loadStage(local)) as PipelineModel;
    expect(await outputs(fromDisk, iris)).toBe(before);

    // Each fitted stage on its own, through its class's load.
    const fitted = model.stages[2]!;
    const alone = join(home, 'models', `${est.uid}-alone`);
    await fitted.save(alone);
    const Cls = {
      DecisionTreeClassifier: DecisionTreeClassificationModel,
      RandomForestClassifier: RandomForestClassificationModel,
      DecisionTreeRegressor: DecisionTreeRegressionModel,
      RandomForestRegressor: RandomForestRegressionModel,
    }[_name]!;
    const loadedAlone = await Cls.load(alone);
    const assembled = model.stages[1]!.transform(model.stages[0]!.transform(iris));
    expect(await outputs(loadedAlone, assembled)).toBe(await outputs(fitted, assembled));
    expect(loadedAlone.extractParamMap().size).toBe(fitted.extractParamMap().size);
  });

  it('feature stages round-trip on their own, with their params', async () => {
    const si = await new StringIndexer({
      inputCol: '_c4',
      outputCol: 'label',
      handleInvalid: 'keep',
      stringOrderType: 'alphabetDesc',
    }).fit(iris);
    await si.save(join(home, 'si'));
    const si2 = await StringIndexerModel.load(join(home, 'si'));
    expect(si2.labels).toEqual(si.labels);
    expect(si2.userParamMap()).toEqual(si.userParamMap());
    expect(await outputs(si2, iris)).toBe(await outputs(si, iris));

    const asm = new VectorAssembler({ inputCols: ['_c0', '_c2'], outputCol: 'features', handleInvalid: 'skip' });
    await asm.save(join(home, 'asm'));
    const asm2 = await VectorAssembler.load(join(home, 'asm'));
    expect(asm2.uid).toBe(asm.uid);
    expect(asm2.getInputCols()).toEqual(['_c0', '_c2']);
    expect(asm2.getHandleInvalid()).toBe('skip');

    const its = new IndexToString({ inputCol: 'label', outputCol: 'species', labels: ['x', 'y'] });
    await its.save(join(home, 'its'));
    expect((await IndexToString.load(join(home, 'its'))).userParamMap()).toEqual(its.userParamMap());

    const p = new Pipeline({
      stages: [
        asm,
        new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
        new DecisionTreeClassifier({ maxDepth: 2 }),
      ],
    });
    await p.save(join(home, 'unfitted'));
    const p2 = await Pipeline.load(join(home, 'unfitted'));
    expect(p2.getStages().map((s) => s.uid)).toEqual(p.getStages().map((s) => s.uid));
    expect((p2.getStages()[2] as DecisionTreeClassifier).getMaxDepth()).toBe(2);
    expect(await outputs(await p2.fit(iris), iris)).toBe(await outputs(await p.fit(iris), iris));
  });

  it('refuses to replace a model unless asked, and overwrite() replaces it', async () => {
    const m = await new StringIndexer({ inputCol: '_c4', outputCol: 'label' }).fit(iris);
    const path = join(home, 'twice');
    await m.save(path);
    await expect(m.save(path)).rejects.toThrow(/already exists; use write\(\)\.overwrite\(\)\.save\(path\)/);
    const other = await new StringIndexer({ inputCol: '_c4', outputCol: 'label', stringOrderType: 'alphabetDesc' }).fit(
      iris,
    );
    await other.write().overwrite().save(path);
    expect((await StringIndexerModel.load(path)).labels).toEqual(other.labels);
  });

  describe('broken folders fail naming the path and the problem', () => {
    let path: string;
    beforeAll(async () => {
      const model = await featurePipeline(new DecisionTreeClassifier()).fit(iris);
      path = join(home, 'broken');
      await model.save(path);
    });
    const copyTo = async (name: string): Promise<string> => {
      const to = join(home, name);
      await rm(to, { recursive: true, force: true });
      const { cp } = await import('node:fs/promises');
      await cp(path, to, { recursive: true });
      return to;
    };
    const stageDir = async (p: string, index: number): Promise<string> => {
      const meta = JSON.parse(await readFile(join(p, 'metadata.json'), 'utf8')) as { stageUids: string[] };
      return join(p, 'stages', `${index}_${meta.stageUids[index]}`);
    };

    it('missing', async () => {
      await expect(PipelineModel.load(join(home, 'nope'))).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/nope does not exist; check the path/),
      });
    });
    it('metadata.json truncated', async () => {
      const p = await copyTo('b1');
      await truncate(join(p, 'metadata.json'), 20);
      await expect(PipelineModel.load(p)).rejects.toMatchObject({
        code: 'CORRUPT_DATA',
        message: expect.stringContaining(`${p}: metadata.json is not valid JSON`),
      });
    });
    it('another class', async () => {
      const p = await copyTo('b2');
      await expect(Pipeline.load(p)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('it holds a eddy.ml.PipelineModel'),
      });
      await expect(StringIndexerModel.load(await stageDir(p, 2))).rejects.toThrow(
        /holds a eddy\.ml\.classification\.DecisionTreeClassificationModel/,
      );
    });
    it('unknown format version', async () => {
      const p = await copyTo('b3');
      const metaFile = join(await stageDir(p, 1), 'metadata.json');
      const meta = JSON.parse(await readFile(metaFile, 'utf8')) as Record<string, unknown>;
      await writeFile(metaFile, JSON.stringify({ ...meta, formatVersion: 99 }));
      await expect(PipelineModel.load(p)).rejects.toMatchObject({
        code: 'UNSUPPORTED',
        message: expect.stringContaining('formatVersion 99'),
      });
    });
    it('unknown class in a stage', async () => {
      const p = await copyTo('b4');
      const metaFile = join(await stageDir(p, 0), 'metadata.json');
      const meta = JSON.parse(await readFile(metaFile, 'utf8')) as Record<string, unknown>;
      await writeFile(metaFile, JSON.stringify({ ...meta, class: 'org.example.Mystery' }));
      await expect(PipelineModel.load(p)).rejects.toMatchObject({
        code: 'UNSUPPORTED',
        message: expect.stringContaining('"org.example.Mystery" is not one this Eddy knows'),
      });
    });
    it('a missing stage folder or data file', async () => {
      const p = await copyTo('b5');
      await rm(join(await stageDir(p, 1), 'data'), { recursive: true });
      await expect(PipelineModel.load(p)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining('data/labels.json is missing'),
      });
      const q = await copyTo('b6');
      await rm(await stageDir(q, 2), { recursive: true });
      await expect(PipelineModel.load(q)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
    it('a truncated tree data file', async () => {
      const p = await copyTo('b7');
      const file = join(await stageDir(p, 2), 'data', 'trees.bin');
      const { stat } = await import('node:fs/promises');
      await truncate(file, (await stat(file)).size - 9);
      await expect(PipelineModel.load(p)).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
    });
    it('labels data that is not JSON', async () => {
      const p = await copyTo('b8');
      await writeFile(join(await stageDir(p, 1), 'data', 'labels.json'), '{"labels": [');
      await expect(PipelineModel.load(p)).rejects.toMatchObject({
        code: 'CORRUPT_DATA',
        message: expect.stringContaining('labels.json is not valid JSON'),
      });
    });
  });
});
