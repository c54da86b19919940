import { availableParallelism } from 'node:os';
import { EddyError } from '../../common/errors.js';
import { binPartition, findThresholds, padThresholds } from './binning.js';
import type { FlatTree } from './flat-tree.js';
import { SerialBackend, type HistogramBackend, type TreeSample } from './histogram-backend.js';
import type { KernelConfig } from './histogram-kernel.js';
import type { Impurity } from './impurity.js';
import { SeededRandom } from './seeded-random.js';
import { checkTrainingData, type TrainingPartition } from './training-data.js';
import { growTree } from './tree-grower.js';
import { WorkerBackend } from './worker-backend.js';

/** How a fit runs (not model params: they do not change the model, only where the work happens). */
export interface FitOptions {
  /**
   * Threads for the level passes. Default: 1 below 100,000 rows (a worker costs more to start than it saves),
   * else the machine's cores. Serial and parallel training give identical trees.
   */
  parallelism?: number;
  /** Classes to assume instead of max label + 1 (Spark reads it from the label column's metadata). */
  numClasses?: number;
}

export interface TrainerSettings {
  task: 'classification' | 'regression';
  impurity: Impurity;
  maxDepth: number;
  maxBins: number;
  minInstancesPerNode: number;
  minWeightFractionPerNode: number;
  minInfoGain: number;
  maxMemoryInMB: number;
  seed: number;
  numTrees: number;
  /** Features tried per node, as a function of the number of features. */
  featuresPerNode: (numFeatures: number) => number;
  /** null: every row once per tree. */
  sampling: { rate: number; bootstrap: boolean } | null;
}

export interface TrainedTrees {
  trees: FlatTree[];
  numFeatures: number;
  numClasses: number;
}

/**
 * Rows per kernel partition. Large input partitions are cut into chunks of this size so that both threads have
 * work even when a DataFrame hands over a single partition; the cut depends only on the data, never on the
 * parallelism, which keeps serial and parallel results identical.
 */
export const CHUNK_ROWS = 1 << 17;

function chunk(parts: readonly TrainingPartition[]): TrainingPartition[] {
  const out: TrainingPartition[] = [];
  for (const p of parts) {
    const n = p.labels.length;
    if (n <= CHUNK_ROWS) {
      out.push(p);
      continue;
    }
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const end = Math.min(n, start + CHUNK_ROWS);
      const piece: TrainingPartition = {
        features: p.features.map((c) => c.subarray(start, end)),
        labels: p.labels.subarray(start, end),
      };
      if (p.weights !== undefined) piece.weights = p.weights.subarray(start, end);
      out.push(piece);
    }
  }
  return out;
}

export async function trainTrees(
  partitions: readonly TrainingPartition[],
  settings: TrainerSettings,
  options: FitOptions = {},
): Promise<TrainedTrees> {
  const summary = checkTrainingData(partitions, settings.task, options.numClasses);
  const parallelism = options.parallelism ?? (summary.numRows < 100_000 ? 1 : availableParallelism());
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new EddyError('INVALID_ARGUMENT', `parallelism ${parallelism} must be an integer >= 1`);
  }
  const maxBins = settings.maxBins;
  const thresholds = findThresholds(partitions, maxBins, settings.seed);
  const pad = padThresholds(thresholds);
  const pieces = chunk(partitions);
  const weighted = partitions.some((p) => p.weights !== undefined);
  const cfg: KernelConfig = {
    numFeatures: summary.numFeatures,
    numBins: maxBins,
    statsSize: (summary.numClasses > 0 ? summary.numClasses : 3) + (weighted ? 1 : 0),
    numClasses: summary.numClasses,
    weighted,
  };
  const backend: HistogramBackend =
    parallelism > 1 && pieces.length > 1
      ? await WorkerBackend.start(pieces, pad, cfg, parallelism)
      : new SerialBackend(
          pieces.map((p, i) => binPartition(p, i, pad)),
          cfg,
        );
  try {
    const rng = new SeededRandom(settings.seed);
    const trees: FlatTree[] = [];
    const perNode = settings.featuresPerNode(summary.numFeatures);
    for (let t = 0; t < settings.numTrees; t++) {
      const treeSeed = rng.nextSeed();
      const sample: TreeSample | null = settings.sampling === null ? null : { seed: treeSeed, ...settings.sampling };
      const featureRng = perNode < summary.numFeatures ? new SeededRandom(treeSeed ^ 0x5bd1e995) : null;
      trees.push(
        await growTree(
          backend,
          { cfg, thresholds },
          {
            maxDepth: settings.maxDepth,
            minInstancesPerNode: settings.minInstancesPerNode,
            minWeightFractionPerNode: settings.minWeightFractionPerNode,
            minInfoGain: settings.minInfoGain,
            impurity: settings.impurity,
            numFeaturesPerNode: perNode,
            featureRng,
            maxMemoryInMB: settings.maxMemoryInMB,
          },
          sample,
        ),
      );
    }
    return { trees, numFeatures: summary.numFeatures, numClasses: summary.numClasses };
  } finally {
    await backend.close();
  }
}
