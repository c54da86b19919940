import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadIris, rng } from '../../../test/support/ml-data.js';
import { isEddyError, type ErrorCode } from '../../common/errors.js';
import { DecisionTreeClassificationModel } from '../classification/decision-tree-classification-model.js';
import { DecisionTreeClassifier } from '../classification/decision-tree-classifier.js';
import { DecisionTreeRegressionModel } from '../regression/decision-tree-regression-model.js';
import { DecisionTreeRegressor } from '../regression/decision-tree-regressor.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-mltree-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!isEddyError(e)) throw new Error(`expected an EddyError, got ${String(e)}`);
  return { code: e.code, message: e.message };
}

describe('tree model persistence', () => {
  const iris = loadIris();

  test('classification: save → load gives identical predictions, params and text', async () => {
    const model = await new DecisionTreeClassifier({ maxDepth: 4, impurity: 'entropy' }).fitPartitions([iris]);
    model.set(model.thresholds, [1, 2, 1]);
    const path = join(dir, 'dtc');
    await model.save(path);
    const meta = JSON.parse(await readFile(join(path, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(meta.class).toBe('eddy.ml.classification.DecisionTreeClassificationModel');
    expect(meta.formatVersion).toBe(1);
    expect(meta.uid).toBe(model.uid);
    expect(meta.numFeatures).toBe(4);
    expect(meta.numClasses).toBe(3);
    expect(meta.paramMap).toEqual({ impurity: 'entropy', maxDepth: 4, thresholds: [1, 2, 1] });
    expect((meta.defaultParamMap as Record<string, unknown>).maxBins).toBe(32);
    expect(typeof meta.eddyVersion).toBe('string');

    const loaded = await DecisionTreeClassificationModel.load(path);
    expect(loaded.uid).toBe(model.uid);
    expect(loaded.toDebugString).toBe(model.toDebugString);
    expect(loaded.getImpurity()).toBe('entropy');
    expect(loaded.get(loaded.thresholds)).toEqual([1, 2, 1]);
    expect([...loaded.predictColumns(iris.features)]).toEqual([...model.predictColumns(iris.features)]);
    expect([...loaded.featureImportances]).toEqual([...model.featureImportances]);
    expect([...loaded.predictRaw([6, 3, 4.5, 1.6])]).toEqual([...model.predictRaw([6, 3, 4.5, 1.6])]);
  });

  test('regression round trip', async () => {
    const r = rng(5);
    const x = Float64Array.from({ length: 500 }, () => r() * 4);
    const y = Float64Array.from(x, (v) => Math.sin(v) + r() * 0.1);
    const model = await new DecisionTreeRegressor({ maxDepth: 6 }).fitPartitions([{ features: [x], labels: y }]);
    const path = join(dir, 'dtr');
    await model.save(path);
    const loaded = await DecisionTreeRegressionModel.load(path);
    expect([...loaded.predictColumns([x])]).toEqual([...model.predictColumns([x])]);
    expect(loaded.predictVariance([1])).toBe(model.predictVariance([1]));
  });

  test('refuses to replace a model unless overwrite, and then replaces it', async () => {
    const a = await new DecisionTreeClassifier({ maxDepth: 1 }).fitPartitions([iris]);
    const b = await new DecisionTreeClassifier({ maxDepth: 3 }).fitPartitions([iris]);
    const path = join(dir, 'over');
    await a.save(path);
    const f = await failure(b.save(path));
    expect(f.code).toBe('ALREADY_EXISTS');
    expect(f.message).toContain(path);
    expect((await DecisionTreeClassificationModel.load(path)).depth).toBe(1);
    await b.save(path, { overwrite: true });
    expect((await DecisionTreeClassificationModel.load(path)).depth).toBe(3);
  });

  test('loading fails clearly: missing, truncated, corrupted, other class, unknown version', async () => {
    const model = await new DecisionTreeClassifier({ maxDepth: 2 }).fitPartitions([iris]);
    const missing = await failure(DecisionTreeClassificationModel.load(join(dir, 'nope')));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain(join(dir, 'nope'));

    const path = join(dir, 'bad');
    await model.save(path);
    const data = join(path, 'data', 'trees.bin');
    const bytes = await readFile(data);
    await writeFile(data, bytes.subarray(0, bytes.length - 10));
    const truncated = await failure(DecisionTreeClassificationModel.load(path));
    expect(truncated.code).toBe('CORRUPT_DATA');
    expect(truncated.message).toContain('trees.bin');
    const flipped = Buffer.from(bytes);
    flipped[40] = flipped[40]! ^ 0xff;
    await writeFile(data, flipped);
    expect((await failure(DecisionTreeClassificationModel.load(path))).code).toBe('CORRUPT_DATA');
    await writeFile(data, bytes);
    expect((await DecisionTreeClassificationModel.load(path)).depth).toBe(2);

    const other = await failure(DecisionTreeRegressionModel.load(path));
    expect(other.code).toBe('INVALID_ARGUMENT');
    expect(other.message).toContain('DecisionTreeClassificationModel');

    const metaPath = join(path, 'metadata.json');
    const meta = JSON.parse(await readFile(metaPath, 'utf8')) as Record<string, unknown>;
    await writeFile(metaPath, JSON.stringify({ ...meta, formatVersion: 99 }));
    const version = await failure(DecisionTreeClassificationModel.load(path));
    expect(version.code).toBe('UNSUPPORTED');
    expect(version.message).toContain('formatVersion 99');
    await writeFile(metaPath, JSON.stringify(meta).slice(0, 30));
    expect((await failure(DecisionTreeClassificationModel.load(path))).code).toBe('CORRUPT_DATA');
  });

  test('a custom writer/reader receives the files (the seam for dfs://)', async () => {
    const model = await new DecisionTreeClassifier({ maxDepth: 2 }).fitPartitions([iris]);
    const store = new Map<string, Uint8Array>();
    await model.save('dfs:///models/iris', {
      writer: async (path, files) => {
        for (const [name, b] of files) store.set(`${path}/${name}`, b);
      },
    });
    expect([...store.keys()].sort()).toEqual(['dfs:///models/iris/data/trees.bin', 'dfs:///models/iris/metadata.json']);
    const loaded = await DecisionTreeClassificationModel.load('dfs:///models/iris', {
      reader: async (path, name) => store.get(`${path}/${name}`)!,
    });
    expect(loaded.toDebugString).toBe(model.toDebugString);
  });
});
