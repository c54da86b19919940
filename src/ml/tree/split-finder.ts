import { impurityOf, rawCountOf, weightedCount, type Impurity } from './impurity.js';

export interface SplitRules {
  impurity: Impurity;
  numClasses: number;
  minInstancesPerNode: number;
  /** minWeightFractionPerNode × total training weight. */
  minWeightPerNode: number;
  minInfoGain: number;
  /** Stats end with a raw row count (weighted rows). */
  weighted: boolean;
}

/** Which features are categorical (Spark's categoricalFeaturesInfo), as the split finder needs it. */
export interface FeatureKinds {
  /** Number of categories of each feature; 0 for a continuous one. A categorical feature's bin is its category. */
  arity: Int32Array;
  /** 1 where a categorical feature's splits are all subsets of its categories (multiclass, few categories). */
  unordered: Uint8Array;
}

export interface BestSplit {
  feature: number;
  /** Rows with bin <= this go left; -1 for a categorical split. */
  bin: number;
  /** Categorical split: leftBins[category] is 1 for the categories that go left. */
  leftBins: Uint8Array | null;
  gain: number;
  leftStats: Float64Array;
  rightStats: Float64Array;
  leftImpurity: number;
  rightImpurity: number;
}

/**
 * The best split of one node from its histogram, as Spark's binsToBestSplit: a candidate is valid only if both
 * children keep >= minInstancesPerNode rows and >= minWeightPerNode weight and its gain is >= minInfoGain; among
 * valid candidates the first with the highest gain wins (features in order, then candidates in order).
 *
 * Candidates: a continuous feature's thresholds in order; an ordered categorical feature's categories sorted by
 * centroid (Spark's: the weight of class 1 for binary classification, the impurity for multiclass, the mean for
 * regression; categories without rows last), split after each position; an unordered one's subsets in Spark's
 * order (subset i+1 in binary, bit c meaning category c goes left).
 *
 * `hist` holds S stats per feature and bin; `total` is the node's S stats.
 */
export function findBestSplit(
  hist: Float64Array,
  total: Float64Array,
  nodeImpurity: number,
  numBinsPerFeature: Int32Array,
  binStride: number,
  features: Int32Array,
  rules: SplitRules,
  kinds: FeatureKinds | null = null,
): BestSplit | null {
  const S = total.length;
  const C = rules.numClasses;
  const totalWeight = weightedCount(total, 0, C);
  if (totalWeight <= 0) return null;
  const left = new Float64Array(S);
  const right = new Float64Array(S);
  let best: BestSplit | null = null;
  const consider = (feature: number, bin: number, leftBins: () => Uint8Array | null): void => {
    for (let s = 0; s < S; s++) right[s] = total[s]! - left[s]!;
    if (
      rawCountOf(left, C, rules.weighted) < rules.minInstancesPerNode ||
      rawCountOf(right, C, rules.weighted) < rules.minInstancesPerNode
    ) {
      return;
    }
    const lw = weightedCount(left, 0, C);
    const rw = weightedCount(right, 0, C);
    if (lw < rules.minWeightPerNode || rw < rules.minWeightPerNode) return;
    const li = impurityOf(rules.impurity, left, 0, C);
    const ri = impurityOf(rules.impurity, right, 0, C);
    const gain = nodeImpurity - (lw / totalWeight) * li - (rw / totalWeight) * ri;
    if (gain < rules.minInfoGain) return;
    if (best === null || gain > best.gain) {
      best = {
        feature,
        bin,
        leftBins: leftBins(),
        gain,
        leftStats: left.slice(),
        rightStats: right.slice(),
        leftImpurity: li,
        rightImpurity: ri,
      };
    }
  };
  for (const f of features) {
    const nb = numBinsPerFeature[f]!;
    if (nb < 2) continue;
    const fo = f * binStride * S;
    const addBin = (b: number): void => {
      const o = fo + b * S;
      for (let s = 0; s < S; s++) left[s]! += hist[o + s]!;
    };
    left.fill(0);
    const arity = kinds === null ? 0 : kinds.arity[f]!;
    if (arity === 0) {
      for (let b = 0; b < nb - 1; b++) {
        addBin(b);
        consider(f, b, () => null);
      }
    } else if (kinds!.unordered[f] === 1) {
      const numSplits = 2 ** (arity - 1) - 1;
      for (let i = 0; i < numSplits; i++) {
        const subset = i + 1;
        left.fill(0);
        for (let c = 0; c < arity; c++) if ((subset >> c) & 1) addBin(c);
        consider(f, -1, () => Uint8Array.from({ length: binStride }, (_, c) => (c < arity ? (subset >> c) & 1 : 0)));
      }
    } else {
      const order = categoriesByCentroid(hist, fo, S, arity, rules);
      for (let j = 0; j < arity - 1; j++) {
        addBin(order[j]!);
        consider(f, -1, () => {
          const mask = new Uint8Array(binStride);
          for (let k = 0; k <= j; k++) mask[order[k]!] = 1;
          return mask;
        });
      }
    }
  }
  // The closure assigns best; TypeScript's flow analysis cannot see that.
  return best as BestSplit | null;
}

/** Categories ordered by Spark's centroid (stable: ties keep category order), those without rows last. */
function categoriesByCentroid(hist: Float64Array, fo: number, S: number, arity: number, rules: SplitRules): number[] {
  const C = rules.numClasses;
  const centroid = new Float64Array(arity);
  for (let c = 0; c < arity; c++) {
    const stats = hist.subarray(fo + c * S, fo + (c + 1) * S);
    if (rawCountOf(stats, C, rules.weighted) === 0) centroid[c] = Number.MAX_VALUE;
    else if (C > 2) centroid[c] = impurityOf(rules.impurity, stats, 0, C);
    else if (C > 0) centroid[c] = C === 2 ? stats[1]! : 0;
    else centroid[c] = stats[0]! > 0 ? stats[1]! / stats[0]! : 0;
  }
  return Array.from({ length: arity }, (_, c) => c).sort((a, b) => centroid[a]! - centroid[b]! || a - b);
}
