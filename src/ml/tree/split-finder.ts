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

export interface BestSplit {
  feature: number;
  /** Rows with bin <= this go left. */
  bin: number;
  gain: number;
  leftStats: Float64Array;
  rightStats: Float64Array;
  leftImpurity: number;
  rightImpurity: number;
}

/**
 * The best split of one node from its histogram, as Spark's binsToBestSplit: a candidate is valid only if both
 * children keep >= minInstancesPerNode rows and >= minWeightPerNode weight and its gain is >= minInfoGain; among
 * valid candidates the first with the highest gain wins (features in order, then thresholds in order).
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
): BestSplit | null {
  const S = total.length;
  const C = rules.numClasses;
  const totalWeight = weightedCount(total, 0, C);
  if (totalWeight <= 0) return null;
  const left = new Float64Array(S);
  const right = new Float64Array(S);
  let best: BestSplit | null = null;
  for (const f of features) {
    const nb = numBinsPerFeature[f]!;
    if (nb < 2) continue;
    left.fill(0);
    const fo = f * binStride * S;
    for (let b = 0; b < nb - 1; b++) {
      const o = fo + b * S;
      for (let s = 0; s < S; s++) left[s]! += hist[o + s]!;
      for (let s = 0; s < S; s++) right[s] = total[s]! - left[s]!;
      if (
        rawCountOf(left, C, rules.weighted) < rules.minInstancesPerNode ||
        rawCountOf(right, C, rules.weighted) < rules.minInstancesPerNode
      ) {
        continue;
      }
      const lw = weightedCount(left, 0, C);
      const rw = weightedCount(right, 0, C);
      if (lw < rules.minWeightPerNode || rw < rules.minWeightPerNode) continue;
      const li = impurityOf(rules.impurity, left, 0, C);
      const ri = impurityOf(rules.impurity, right, 0, C);
      const gain = nodeImpurity - (lw / totalWeight) * li - (rw / totalWeight) * ri;
      if (gain < rules.minInfoGain) continue;
      if (best === null || gain > best.gain) {
        best = {
          feature: f,
          bin: b,
          gain,
          leftStats: left.slice(),
          rightStats: right.slice(),
          leftImpurity: li,
          rightImpurity: ri,
        };
      }
    }
  }
  return best;
}
