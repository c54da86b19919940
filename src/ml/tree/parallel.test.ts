import { describe, expect, test } from 'vitest';
import { partition, rng } from '../../../test/support/ml-data.js';
import { DecisionTreeClassifier } from '../classification/decision-tree-classifier.js';
import { DecisionTreeRegressor } from '../regression/decision-tree-regressor.js';
import { CHUNK_ROWS, trainTrees, type TrainerSettings } from './tree-trainer.js';

function synthetic(n: number, seed: number): { features: Float64Array[]; labels: Float64Array; target: Float64Array } {
  const r = rng(seed);
  const features = Array.from({ length: 6 }, () => Float64Array.from({ length: n }, () => r() * 10 - 5));
  const labels = new Float64Array(n);
  const target = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b, c, d] = [features[0]![i]!, features[1]![i]!, features[2]![i]!, features[3]![i]!];
    const s = Math.sin(a) + b * c * 0.2 + (d > 1 ? 1.5 : 0) + (r() - 0.5);
    labels[i] = s < -0.5 ? 0 : s < 1 ? 1 : 2;
    target[i] = s * 3.7 + 0.1;
  }
  return { features, labels, target };
}

describe('serial and parallel training', () => {
  test('partitions are cut and joined into chunks, and chunks go to the workers', async () => {
    const data = synthetic(10_000, 17);
    const settings: TrainerSettings = {
      task: 'classification',
      impurity: 'gini',
      maxDepth: 3,
      maxBins: 32,
      minInstancesPerNode: 1,
      minWeightFractionPerNode: 0,
      minInfoGain: 0,
      maxMemoryInMB: 256,
      seed: 1,
      numTrees: 1,
      featuresPerNode: (n) => n,
      sampling: null,
    };
    const parts = partition(data, 10);
    expect(await trainTrees(parts, settings)).toMatchObject({ chunks: 1, workers: 0 });
    expect(await trainTrees(parts, settings, { parallelism: 2, chunkRows: 2500 })).toMatchObject({
      chunks: 5,
      workers: 2,
    });
    expect(await trainTrees([data], settings, { parallelism: 3, chunkRows: 4000 })).toMatchObject({
      chunks: 3,
      workers: 3,
    });
    await expect(trainTrees(parts, settings, { chunkRows: 0 })).rejects.toThrow(/chunkRows 0/);
  });

  test('2 workers and the main thread grow identical classification trees', async () => {
    const data = synthetic(30_000, 11);
    const parts = partition(data, 5);
    const dt = new DecisionTreeClassifier({ maxDepth: 8, uid: 'p' });
    const serial = await dt.fitPartitions(parts, { parallelism: 1, chunkRows: 4096 });
    const parallel = await dt.fitPartitions(parts, { parallelism: 2, chunkRows: 4096 });
    expect(serial.numNodes).toBeGreaterThan(50);
    expect(parallel.tree.arrays).toEqual(serial.tree.arrays);
    expect(parallel.toDebugString).toBe(serial.toDebugString);
  });

  test('a tiny maxMemoryInMB counts nodes in several passes per level and grows the same tree', async () => {
    const data = synthetic(20_000, 14);
    const parts = partition(data, 4);
    const roomy = await new DecisionTreeClassifier({ maxDepth: 7, uid: 'm' }).fitPartitions(parts, { parallelism: 1 });
    const tight = new DecisionTreeClassifier({ maxDepth: 7, uid: 'm' });
    tight.set(tight.maxMemoryInMB, 0);
    const serial = await tight.fitPartitions(parts, { parallelism: 1, chunkRows: 5000 });
    const parallel = await tight.fitPartitions(parts, { parallelism: 2, chunkRows: 5000 });
    expect(roomy.numNodes).toBeGreaterThan(40);
    expect(serial.tree.arrays).toEqual(roomy.tree.arrays);
    expect(parallel.tree.arrays).toEqual(roomy.tree.arrays);
  });

  test('regression too, with a partition larger than one chunk and weights', async () => {
    const n = CHUNK_ROWS + 5_000;
    const data = synthetic(n, 12);
    const r = rng(3);
    const weights = Float64Array.from({ length: n }, () => 0.5 + r());
    const parts = [{ features: data.features, labels: data.target, weights }];
    const dt = new DecisionTreeRegressor({ maxDepth: 6, minInstancesPerNode: 5 });
    const serial = await dt.fitPartitions(parts, { parallelism: 1 });
    const parallel = await dt.fitPartitions(parts, { parallelism: 2 });
    expect(serial.numNodes).toBeGreaterThan(30);
    expect(parallel.tree.arrays).toEqual(serial.tree.arrays);
  });

  test('columns on SharedArrayBuffers train in the workers with the same result', async () => {
    const data = synthetic(12_000, 15);
    const shared = (a: Float64Array): Float64Array => {
      const c = new Float64Array(new SharedArrayBuffer(a.byteLength));
      c.set(a);
      return c;
    };
    const parts = partition(data, 3).map((p) => ({ features: p.features.map(shared), labels: shared(p.labels) }));
    const dt = new DecisionTreeClassifier({ maxDepth: 6 });
    const serial = await dt.fitPartitions(parts, { parallelism: 1, chunkRows: 4000 });
    const parallel = await dt.fitPartitions(parts, { parallelism: 2, chunkRows: 4000 });
    expect(parallel.tree.arrays).toEqual(serial.tree.arrays);
    expect(parts[0]!.features[0]!.length).toBe(4000);
  });

  test('many tiny partitions (and empty ones) are joined and give the one-partition tree', async () => {
    const data = synthetic(10_000, 16);
    const tiny = partition(data, 200);
    tiny.splice(3, 0, { features: data.features.map(() => new Float64Array(0)), labels: new Float64Array(0) });
    const one = await new DecisionTreeClassifier({ maxDepth: 6 }).fitPartitions([data]);
    const many = await new DecisionTreeClassifier({ maxDepth: 6 }).fitPartitions(tiny, { parallelism: 2 });
    expect(many.tree.arrays).toEqual(one.tree.arrays);
  });

  test('the partitioning of the input does not change the tree on integer-weight data', async () => {
    const data = synthetic(20_000, 13);
    const one = await new DecisionTreeClassifier({ maxDepth: 6 }).fitPartitions([data]);
    const many = await new DecisionTreeClassifier({ maxDepth: 6 }).fitPartitions(partition(data, 7), {
      parallelism: 2,
    });
    expect(many.tree.arrays).toEqual(one.tree.arrays);
  });
});
