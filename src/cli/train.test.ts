import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDataset } from '../common/paths.js';
import { Eddy } from '../session.js';
import { PipelineModel } from '../ml/pipeline/pipeline.js';
import { main } from './main.js';
import { runTrain } from './train.js';

let work: string;
const irisPipeline = {
  stages: [
    { class: 'VectorAssembler', params: { inputCols: ['_c0', '_c1', '_c2', '_c3'], outputCol: 'features' } },
    { class: 'StringIndexer', params: { inputCol: '_c4', outputCol: 'label' } },
    { class: 'org.apache.spark.ml.classification.DecisionTreeClassifier', params: { maxDepth: 4 } },
  ],
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'eddy-train-'));
  await writeFile(join(work, 'iris.json'), JSON.stringify(irisPipeline));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('eddy train', () => {
  it('fits the JSON pipeline, prints training and test metrics and writes a model that loads and predicts', async () => {
    const lines: string[] = [];
    const output = join(work, 'models', 'iris');
    await runTrain(
      {
        data: bundledDataset('iris'),
        pipeline: join(work, 'iris.json'),
        output,
        inferSchema: true,
        testFraction: '0.2',
        seed: '7',
        home: join(work, 'home'),
      },
      (l) => lines.push(l),
    );
    const text = lines.join('\n');
    expect(text).toContain('Read 150 rows from');
    const split = /Split with seed 7: (\d+) training rows, (\d+) test rows/.exec(text);
    expect(Number(split![1]) + Number(split![2])).toBe(150);
    expect(Number(split![2])).toBeGreaterThan(10);
    expect(text).toContain('VectorAssembler → StringIndexer → DecisionTreeClassifier');
    expect(text).toMatch(
      /Training metrics \(classification; label 'label', prediction 'prediction'\):\n {2}accuracy +(0\.9\d{3}|1\.0000)\n {2}f1 /,
    );
    expect(text).toMatch(/Test metrics .*\n {2}accuracy +(0\.[89]\d{3}|1\.0000)/);
    expect(text).toContain(`Model written to file://${output}`);

    const model = await PipelineModel.load(output);
    const eddy = await Eddy.start({ home: join(work, 'home2'), broker: false, dfs: false });
    try {
      const row = eddy.createDataFrame([[5.1, 3.5, 1.4, 0.2]], ['_c0', '_c1', '_c2', '_c3']);
      expect((await model.transform(row).collect())[0]!.prediction).toBe(0);
    } finally {
      await eddy.close();
    }
    // The same output again needs --overwrite.
    await expect(
      runTrain(
        { data: bundledDataset('iris'), pipeline: join(work, 'iris.json'), output, inferSchema: true },
        () => {},
      ),
    ).rejects.toThrow(/already exists/);
  });

  it('reads from and writes to dfs://', async () => {
    const home = join(work, 'dfs-home');
    let eddy = await Eddy.start({ home, broker: false });
    try {
      const { readFile } = await import('node:fs/promises');
      await eddy.fs
        .get('dfs')
        .writeFile('/datasets/iris/iris.data', await readFile(join(bundledDataset('iris'), 'iris.data')));
    } finally {
      await eddy.close();
    }
    const lines: string[] = [];
    await runTrain(
      {
        data: 'dfs:///datasets/iris',
        pipeline: join(work, 'iris.json'),
        output: 'dfs:///models/iris',
        inferSchema: true,
        home,
      },
      (l) => lines.push(l),
    );
    expect(lines.at(-1)).toBe('Model written to dfs:///models/iris');
    eddy = await Eddy.start({ home, broker: false });
    try {
      const model = await PipelineModel.load('dfs:///models/iris', { fs: eddy.fs });
      const row = eddy.createDataFrame([[6.7, 3.0, 5.2, 2.3]], ['_c0', '_c1', '_c2', '_c3']);
      expect((await model.transform(row).collect())[0]!.prediction).toBe(2);
    } finally {
      await eddy.close();
    }
  });

  it('reports bad input clearly, with exit status 2', async () => {
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => {
      errors.push(s);
      return true;
    }) as typeof process.stderr.write;
    try {
      await writeFile(join(work, 'bad.json'), JSON.stringify({ stages: [{ class: 'Nope' }] }));
      await writeFile(
        join(work, 'badparam.json'),
        JSON.stringify({ stages: [{ class: 'DecisionTreeClassifier', params: { maxDepth: 99 } }] }),
      );
      await writeFile(join(work, 'notjson.json'), '{"stages": [');
      const base = ['node', 'eddy', 'train', '--data', bundledDataset('iris'), '--output', join(work, 'x')];
      expect(await main([...base, '--pipeline', join(work, 'bad.json')])).toBe(2);
      expect(await main([...base, '--pipeline', join(work, 'badparam.json')])).toBe(2);
      expect(await main([...base, '--pipeline', join(work, 'notjson.json')])).toBe(2);
      expect(await main([...base, '--pipeline', join(work, 'iris.json'), '--format', 'xml'])).toBe(2);
      expect(await main([...base, '--pipeline', join(work, 'iris.json'), '--test-fraction', '1.5'])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    const text = errors.join('');
    expect(text).toContain('stage 0 has class "Nope"; use one of VectorAssembler, StringIndexer');
    expect(text).toMatch(
      /stage 0 \(DecisionTreeClassifier\): DecisionTreeClassifier_[0-9a-f]+ parameter maxDepth given invalid value 99/,
    );
    expect(text).toContain('notjson.json is not valid JSON');
    expect(text).toContain('--format "xml" is not one of csv, json, parquet');
    expect(text).toContain('--test-fraction "1.5" must be a number between 0 and 1');
  });
});
