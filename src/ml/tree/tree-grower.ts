import type { HistogramBackend, TreeSample } from './histogram-backend.js';
import type { KernelConfig, LevelPlan } from './histogram-kernel.js';
import { FlatTree } from './flat-tree.js';
import { impurityOf, predictionOf, rawCountOf, weightedCount, type Impurity } from './impurity.js';
import type { SeededRandom } from './seeded-random.js';
import { findBestSplit, type FeatureKinds, type SplitRules } from './split-finder.js';

export interface GrowOptions {
  maxDepth: number;
  minInstancesPerNode: number;
  minWeightFractionPerNode: number;
  minInfoGain: number;
  impurity: Impurity;
  /** Features tried per node (random forests); numFeatures for a plain tree. */
  numFeaturesPerNode: number;
  /** Draws the per-node feature subsets; needed only when numFeaturesPerNode < numFeatures. */
  featureRng: SeededRandom | null;
  /** Budget for the per-partition histograms of one pass (Spark's maxMemoryInMB); a level takes more passes if needed. */
  maxMemoryInMB: number;
}

export interface BinnedMeta {
  cfg: KernelConfig;
  /** Per feature; a categorical feature of k categories has k - 1 thresholds (bin = category). */
  thresholds: readonly Float64Array[];
  /** Categorical features; null when all are continuous. */
  kinds: FeatureKinds | null;
}

interface NodeRec {
  depth: number;
  /** S stats: class weights or [w, w·y, w·y²], then the raw count when rows are weighted. */
  stats: Float64Array;
  impurity: number;
  feature: number;
  threshold: number;
  /** Categories that go left (a categorical split), else null. */
  leftCategories: number[] | null;
  gain: number;
  left: number;
  right: number;
}

interface Open {
  node: number;
  /** Parent histogram and the index (in the same level) of the sibling whose histogram is computed. */
  parentHist: Float64Array | null;
  sibling: number;
}

// Spark's Utils.EPSILON: a child this pure is not split further.
const EPSILON = 2.220446049250313e-16;

/**
 * Grows one tree level by level: each level is one pass over the data (backend.level), then the best split of
 * every open node is chosen from the merged histograms. Of two open siblings only the one with fewer rows is
 * counted; the other is parent − sibling.
 */
export async function growTree(
  backend: HistogramBackend,
  meta: BinnedMeta,
  opts: GrowOptions,
  sample: TreeSample | null,
): Promise<FlatTree> {
  const { cfg, thresholds, kinds } = meta;
  const F = cfg.numFeatures;
  const S = cfg.statsSize;
  const C = cfg.numClasses;
  const slotSize = F * cfg.numBins * S;
  const numBins = Int32Array.from(thresholds, (t) => t.length + 1);
  const allFeatures = Int32Array.from({ length: F }, (_, i) => i);
  const impurity = (stats: Float64Array): number => impurityOf(opts.impurity, stats, 0, C);
  await backend.startTree(sample);

  const nodes: NodeRec[] = [newNode(0, new Float64Array(S), 0)];
  let current: Open[] = [{ node: 0, parentHist: null, sibling: -1 }];
  let plan: LevelPlan = { split: null, goLeft: null, slotOf: Int32Array.of(0), numSlots: 1 };
  let rules: SplitRules | null = null;

  while (current.length > 0) {
    const merged = await countLevel(backend, plan, slotSize, opts.maxMemoryInMB);
    const hists: Float64Array[] = current.map((_, j) => {
      const slot = plan.slotOf[j]!;
      return slot >= 0 ? merged.subarray(slot * slotSize, (slot + 1) * slotSize) : new Float64Array(0);
    });
    current.forEach((o, j) => {
      if (plan.slotOf[j]! >= 0) return;
      const parent = o.parentHist!;
      const sib = hists[o.sibling]!;
      const h = new Float64Array(slotSize);
      for (let i = 0; i < slotSize; i++) h[i] = parent[i]! - sib[i]!;
      hists[j] = h;
    });

    if (rules === null) {
      // Root: its stats are the sum over the bins of any one feature.
      const root = nodes[0]!;
      const h = hists[0]!;
      for (let b = 0; b < cfg.numBins; b++) for (let s = 0; s < S; s++) root.stats[s]! += h[b * S + s]!;
      root.impurity = impurity(root.stats);
      rules = {
        impurity: opts.impurity,
        numClasses: C,
        minInstancesPerNode: opts.minInstancesPerNode,
        minWeightPerNode: opts.minWeightFractionPerNode * weightedCount(root.stats, 0, C),
        minInfoGain: opts.minInfoGain,
        weighted: cfg.weighted,
      };
    }

    const next: Open[] = [];
    const split = new Int32Array(current.length * 4).fill(-1);
    let goLeft: Uint8Array | null = null;
    const childOf: { leftOpen: number; rightOpen: number; leftRaw: number; rightRaw: number }[] = [];
    current.forEach((o, j) => {
      const rec = nodes[o.node]!;
      childOf.push({ leftOpen: -1, rightOpen: -1, leftRaw: 0, rightRaw: 0 });
      if (rec.depth >= opts.maxDepth) return;
      const features =
        opts.numFeaturesPerNode < F && opts.featureRng !== null
          ? opts.featureRng.sampleWithoutReplacement(F, opts.numFeaturesPerNode)
          : allFeatures;
      const best = findBestSplit(hists[j]!, rec.stats, rec.impurity, numBins, cfg.numBins, features, rules!, kinds);
      if (best === null || best.gain <= 0) return;
      rec.feature = best.feature;
      if (best.leftBins === null) rec.threshold = thresholds[best.feature]![best.bin]!;
      else {
        rec.leftCategories = [];
        best.leftBins.forEach((l, c) => l === 1 && rec.leftCategories!.push(c));
        goLeft ??= new Uint8Array(current.length * cfg.numBins);
        goLeft.set(best.leftBins, j * cfg.numBins);
      }
      rec.gain = best.gain;
      rec.left = nodes.push(newNode(rec.depth + 1, best.leftStats, best.leftImpurity)) - 1;
      rec.right = nodes.push(newNode(rec.depth + 1, best.rightStats, best.rightImpurity)) - 1;
      const childIsLeaf = rec.depth + 1 >= opts.maxDepth;
      const c = childOf[j]!;
      if (!childIsLeaf && Math.abs(best.leftImpurity) >= EPSILON) {
        c.leftOpen = next.push({ node: rec.left, parentHist: null, sibling: -1 }) - 1;
      }
      if (!childIsLeaf && Math.abs(best.rightImpurity) >= EPSILON) {
        c.rightOpen = next.push({ node: rec.right, parentHist: null, sibling: -1 }) - 1;
      }
      c.leftRaw = rawCountOf(best.leftStats, C, cfg.weighted);
      c.rightRaw = rawCountOf(best.rightStats, C, cfg.weighted);
      split.set([best.feature, best.bin, c.leftOpen, c.rightOpen], j * 4);
    });

    const slotOf = new Int32Array(next.length).fill(-1);
    let numSlots = 0;
    childOf.forEach((c, j) => {
      if (c.leftOpen >= 0 && c.rightOpen >= 0) {
        const [small, large] = c.leftRaw <= c.rightRaw ? [c.leftOpen, c.rightOpen] : [c.rightOpen, c.leftOpen];
        slotOf[small] = numSlots++;
        next[large]!.parentHist = hists[j]!;
        next[large]!.sibling = small;
      } else if (c.leftOpen >= 0) slotOf[c.leftOpen] = numSlots++;
      else if (c.rightOpen >= 0) slotOf[c.rightOpen] = numSlots++;
    });
    plan = { split, goLeft, slotOf, numSlots };
    current = next;
  }
  return toFlatTree(nodes, C, cfg.weighted, kinds);
}

/**
 * Runs one level: the first pass routes rows and counts; when the per-partition histograms of all wanted
 * nodes would exceed maxMemoryInMB, the nodes are counted in groups, one more pass (without routing) per group,
 * as Spark groups nodes by maxMemoryInMB. Histograms are merged in partition order.
 */
async function countLevel(
  backend: HistogramBackend,
  plan: LevelPlan,
  slotSize: number,
  maxMemoryInMB: number,
): Promise<Float64Array> {
  const merged = new Float64Array(plan.numSlots * slotSize);
  const bytesPerSlot = slotSize * 8 * backend.numPartitions;
  const slotsPerPass = Math.max(1, Math.floor((maxMemoryInMB * 1024 * 1024) / bytesPerSlot));
  for (let first = 0; first === 0 || first < plan.numSlots; first += slotsPerPass) {
    const last = Math.min(plan.numSlots, first + slotsPerPass);
    const pass: LevelPlan =
      first === 0 && last === plan.numSlots
        ? plan
        : {
            split: first === 0 ? plan.split : null,
            goLeft: first === 0 ? plan.goLeft : null,
            slotOf: plan.slotOf.map((s) => (s >= first && s < last ? s - first : -1)),
            numSlots: last - first,
          };
    const perPartition = await backend.level(pass);
    const out = merged.subarray(first * slotSize, last * slotSize);
    for (const h of perPartition) for (let i = 0; i < h.length; i++) out[i]! += h[i]!;
  }
  return merged;
}

function newNode(depth: number, stats: Float64Array, impurity: number): NodeRec {
  return { depth, stats, impurity, feature: -1, threshold: 0, leftCategories: null, gain: 0, left: -1, right: -1 };
}

function toFlatTree(nodes: NodeRec[], numClasses: number, weighted: boolean, kinds: FeatureKinds | null): FlatTree {
  const order: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const i = stack.pop()!;
    order.push(i);
    const rec = nodes[i]!;
    if (rec.feature >= 0) stack.push(rec.right, rec.left);
  }
  const newIndex = new Int32Array(nodes.length);
  order.forEach((old, k) => (newIndex[old] = k));
  const n = order.length;
  const statsSize = numClasses > 0 ? numClasses : 3;
  const arrays = {
    feature: new Int32Array(n),
    threshold: new Float64Array(n),
    left: new Int32Array(n).fill(-1),
    right: new Int32Array(n).fill(-1),
    prediction: new Float64Array(n),
    impurity: new Float64Array(n),
    gain: new Float64Array(n),
    rawCount: new Float64Array(n),
    stats: new Float64Array(n * statsSize),
  };
  const categorical = order.some((old) => nodes[old]!.leftCategories !== null);
  const catArity = new Int32Array(categorical ? n : 0);
  const catOffset = new Int32Array(categorical ? n : 0).fill(-1);
  const masks: number[] = [];
  order.forEach((old, k) => {
    const rec = nodes[old]!;
    arrays.feature[k] = rec.feature;
    arrays.threshold[k] = rec.threshold;
    if (rec.leftCategories !== null) {
      const arity = kinds!.arity[rec.feature]!;
      catArity[k] = arity;
      catOffset[k] = masks.length;
      const mask = new Array<number>(arity).fill(0);
      for (const c of rec.leftCategories) mask[c] = 1;
      masks.push(...mask);
    }
    if (rec.feature >= 0) {
      arrays.left[k] = newIndex[rec.left]!;
      arrays.right[k] = newIndex[rec.right]!;
    }
    arrays.prediction[k] = predictionOf(rec.stats, 0, numClasses);
    arrays.impurity[k] = rec.impurity;
    arrays.gain[k] = rec.gain;
    arrays.rawCount[k] = rawCountOf(rec.stats, numClasses, weighted);
    arrays.stats.set(rec.stats.subarray(0, statsSize), k * statsSize);
  });
  return new FlatTree(
    categorical
      ? { ...arrays, categorical: { arity: catArity, offset: catOffset, mask: Uint8Array.from(masks) } }
      : arrays,
    numClasses,
  );
}
