import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { bundledDataset } from '../src/common/paths.js';
import { Eddy, LogisticRegressionModel, MultilayerPerceptronClassificationModel, PipelineModel } from '../src/index.js';

let work: string;
const features = {
  class: 'VectorAssembler',
  params: { inputCols: ['_c0', '_c1', '_c2', '_c3'], outputCol: 'features' },
};
const label = { class: 'StringIndexer', params: { inputCol: '_c4', outputCol: 'label' } };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'eddy-tftrain-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('eddy train with the TensorFlow.js classifiers', () => {
  it.each([
    [
      'lr',
      { class: 'org.apache.spark.ml.classification.LogisticRegression', params: { regParam: 0.01 } },
      LogisticRegressionModel,
    ],
    [
      'mlp',
      { class: 'MultilayerPerceptronClassifier', params: { layers: [4, 6, 3], seed: 42 } },
      MultilayerPerceptronClassificationModel,
    ],
  ] as const)(
    '%s: fits the JSON pipeline, reports classification metrics and saves a loadable model',
    async (name, stage, cls) => {
      const pipelineFile = join(work, `${name}.json`);
      await writeFile(pipelineFile, JSON.stringify({ stages: [features, label, stage] }));
      const output = join(work, 'models', name);
      const lines: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((l: string) => void lines.push(l));
      let code: number;
      try {
        code = await main([
          'node',
          'eddy',
          'train',
          '--data',
          bundledDataset('iris'),
          '--infer-schema',
          '--pipeline',
          pipelineFile,
          '--output',
          output,
          '--home',
          join(work, 'home'),
        ]);
      } finally {
        log.mockRestore();
      }
      expect(code).toBe(0);
      const text = lines.join('\n');
      expect(text).toContain(`VectorAssembler → StringIndexer → ${stage.class.split('.').at(-1)}`);
      const acc =
        /Training metrics \(classification; label 'label', prediction 'prediction'\):\n {2}accuracy +([\d.]+)/.exec(
          text,
        );
      expect(Number(acc![1])).toBeGreaterThanOrEqual(0.95);
      const model = await PipelineModel.load(output);
      expect(model.stages[2]).toBeInstanceOf(cls);
      const eddy = await Eddy.start({ home: join(work, 'home2'), broker: false, dfs: false });
      try {
        const row = eddy.createDataFrame([[6.7, 3.0, 5.2, 2.3]], ['_c0', '_c1', '_c2', '_c3']);
        expect((await model.transform(row).collect())[0]!.prediction).toBe(2);
      } finally {
        await eddy.close();
      }
    },
  );
});
