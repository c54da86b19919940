import { availableParallelism } from 'node:os';
import { EddyError } from '../../common/errors.js';
import { binPartition, findThresholds, padThresholds } from './binning.js';
import type { FlatTree } from './flat-tree.js';
import { SerialBackend, type HistogramBackend, type TreeSample } from './histogram-backend.js';
import type { KernelConfig } from './histogram-kernel.js';
import type { Impurity } from './impurity.js';
import { SeededRandom } from './seeded-random.js';
import { checkTrainingData, type TrainingPartition, type TrainingSummary } from './training-data.js';
import type { FeatureKinds } from './split-finder.js';
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
  /**
   * Rows per unit of parallel work (default CHUNK_ROWS = 131,072): larger partitions are cut, runs of smaller ones
   * joined. Part of the model's identity for regression (it fixes the order sums are added in); serial and
   * parallel runs with the same value give identical trees.
   */
  chunkRows?: number;
  /**
   * Categorical features, Spark's categoricalFeaturesInfo: feature index → number of categories k; the feature's
   * values must be 0, 1, ..., k-1. The DataFrame-facing fit reads them from the features column's metadata
   * (nominal attributes that VectorAssembler carries over from StringIndexer).
   */
  categoricalFeatures?: ReadonlyMap<number, number>;
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
  /** Units of work (joined/cut partitions) and worker threads used (0: all in the calling thread). */
  chunks: number;
  workers: number;
}

/**
 * Rows per kernel partition. Large input partitions are cut into chunks of at most this size so that both
 * threads have work even when a DataFrame hands over a single partition, and runs of small partitions are joined
 * up to it so that many tiny partitions do not mean many tiny histograms per level. Both depend only on the
 * data, never on the parallelism, which keeps serial and parallel results identical.
 */
export const CHUNK_ROWS = 1 << 17;

function concat(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

function join(group: readonly TrainingPartition[]): TrainingPartition {
  if (group.length === 1) return group[0]!;
  const numFeatures = group[0]!.features.length;
  const joined: TrainingPartition = {
    features: Array.from({ length: numFeatures }, (_, f) => concat(group.map((p) => p.features[f]!))),
    labels: concat(group.map((p) => p.labels)),
  };
  if (group.some((p) => p.weights !== undefined)) {
    joined.weights = concat(group.map((p) => p.weights ?? new Float64Array(p.labels.length).fill(1)));
  }
  return joined;
}

function chunk(parts: readonly TrainingPartition[], chunkRows: number): TrainingPartition[] {
  const out: TrainingPartition[] = [];
  let group: TrainingPartition[] = [];
  let groupRows = 0;
  const flush = (): void => {
    if (group.length > 0) out.push(join(group));
    group = [];
    groupRows = 0;
  };
  for (const p of parts) {
    const n = p.labels.length;
    if (n === 0) continue;
    if (n > chunkRows) {
      flush();
      for (let start = 0; start < n; start += chunkRows) {
        const end = Math.min(n, start + chunkRows);
        const piece: TrainingPartition = {
          features: p.features.map((c) => c.subarray(start, end)),
          labels: p.labels.subarray(start, end),
        };
        if (p.weights !== undefined) piece.weights = p.weights.subarray(start, end);
        out.push(piece);
      }
      continue;
    }
    if (groupRows + n > chunkRows) flush();
    group.push(p);
    groupRows += n;
  }
  flush();
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
  const chunkRows = options.chunkRows ?? CHUNK_ROWS;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) {
    throw new EddyError('INVALID_ARGUMENT', `chunkRows ${chunkRows} must be an integer >= 1`);
  }
  const maxBins = settings.maxBins;
  const kinds = featureKinds(partitions, summary, maxBins, options.categoricalFeatures);
  const thresholds = findThresholds(partitions, maxBins, settings.seed);
  if (kinds !== null) {
    kinds.arity.forEach((k, f) => {
      // Thresholds between consecutive categories make the bin of category c exactly c.
      if (k > 0) thresholds[f] = Float64Array.from({ length: k - 1 }, (_, c) => c + 0.5);
    });
  }
  const pad = padThresholds(thresholds);
  const pieces = chunk(partitions, chunkRows);
  const weighted = partitions.some((p) => p.weights !== undefined);
  const cfg: KernelConfig = {
    numFeatures: summary.numFeatures,
    numBins: maxBins,
    statsSize: (summary.numClasses > 0 ? summary.numClasses : 3) + (weighted ? 1 : 0),
    numClasses: summary.numClasses,
    weighted,
  };
  const workers = parallelism > 1 && pieces.length > 1 ? Math.min(parallelism, pieces.length) : 0;
  const backend: HistogramBackend =
    workers > 0
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
          { cfg, thresholds, kinds },
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
    return { trees, numFeatures: summary.numFeatures, numClasses: summary.numClasses, chunks: pieces.length, workers };
  } finally {
    await backend.close();
  }
}

/**
 * Checks categoricalFeatures against the data and Spark's rules (DecisionTreeMetadata): every category count fits
 * in maxBins (and in the number of rows), every value is one of the categories; multiclass features with few
 * enough categories (2^(k-1) - 1 subsets within the bins) are unordered.
 */
function featureKinds(
  partitions: readonly TrainingPartition[],
  summary: TrainingSummary,
  maxBins: number,
  categorical: ReadonlyMap<number, number> | undefined,
): FeatureKinds | null {
  if (categorical === undefined || categorical.size === 0) return null;
  const F = summary.numFeatures;
  const arity = new Int32Array(F);
  const unordered = new Uint8Array(F);
  const maxPossibleBins = Math.min(maxBins, summary.numRows);
  const maxUnordered = Math.floor(Math.log2(Math.floor(maxPossibleBins / 2) + 1) + 1);
  for (const [f, k] of categorical) {
    if (!Number.isInteger(f) || f < 0 || f >= F) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `categoricalFeatures names feature ${f}, but the features are 0 to ${F - 1}; remove it or fix the index`,
      );
    }
    if (!Number.isInteger(k) || k < 1) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `categoricalFeatures gives feature ${f} ${k} categories; give a whole number >= 1`,
      );
    }
    if (k > maxPossibleBins) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `DecisionTree requires maxBins (= ${maxPossibleBins}) to be at least as large as the number of values in each categorical feature, but categorical feature ${f} has ${k} values. Consider removing this and other categorical features with a large number of values, or add more training examples.`,
      );
    }
    arity[f] = k;
    if (summary.numClasses > 2 && k <= maxUnordered) unordered[f] = 1;
  }
  partitions.forEach((p, pi) => {
    arity.forEach((k, f) => {
      if (k === 0) return;
      const col = p.features[f]!;
      for (let r = 0; r < col.length; r++) {
        const v = col[r]!;
        if (!(Number.isInteger(v) && v >= 0 && v < k)) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `feature ${f} is categorical with values in {0,...,${k - 1}}, but partition ${pi} row ${r} gives it value ${v}; index it (StringIndexer) or leave it out of the categorical features`,
          );
        }
      }
    });
  });
  return { arity, unordered };
}
