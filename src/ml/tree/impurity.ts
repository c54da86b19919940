/**
 * Impurity of a node from its sufficient statistics, as Spark's Gini, Entropy and Variance. Classification
 * stats are [w_0 .. w_{C-1}], regression stats [w, w·y, w·y²], each followed by a raw row count only when the
 * rows are weighted (otherwise the raw count is the weight sum).
 */
export type Impurity = 'gini' | 'entropy' | 'variance';

export function classWeight(stats: Float64Array, offset: number, numClasses: number): number {
  let total = 0;
  for (let c = 0; c < numClasses; c++) total += stats[offset + c]!;
  return total;
}

export function gini(stats: Float64Array, offset: number, numClasses: number, total: number): number {
  if (total === 0) return 0;
  let imp = 1;
  for (let c = 0; c < numClasses; c++) {
    const p = stats[offset + c]! / total;
    imp -= p * p;
  }
  return imp;
}

export function entropy(stats: Float64Array, offset: number, numClasses: number, total: number): number {
  if (total === 0) return 0;
  let imp = 0;
  for (let c = 0; c < numClasses; c++) {
    const k = stats[offset + c]!;
    if (k !== 0) {
      const p = k / total;
      imp -= p * Math.log2(p);
    }
  }
  return imp;
}

export function variance(stats: Float64Array, offset: number): number {
  const w = stats[offset]!;
  if (w === 0) return 0;
  const sum = stats[offset + 1]!;
  return (stats[offset + 2]! - (sum * sum) / w) / w;
}

/** Weighted count of a stats vector. */
export function weightedCount(stats: Float64Array, offset: number, numClasses: number): number {
  return numClasses > 0 ? classWeight(stats, offset, numClasses) : stats[offset]!;
}

export function impurityOf(impurity: Impurity, stats: Float64Array, offset: number, numClasses: number): number {
  if (impurity === 'variance') return variance(stats, offset);
  const total = classWeight(stats, offset, numClasses);
  return impurity === 'gini' ? gini(stats, offset, numClasses, total) : entropy(stats, offset, numClasses, total);
}

/** The class with the largest weight (the first on ties, as Spark's argmax), or the weighted mean label. */
export function predictionOf(stats: Float64Array, offset: number, numClasses: number): number {
  if (numClasses === 0) {
    const w = stats[offset]!;
    return w === 0 ? 0 : stats[offset + 1]! / w;
  }
  let best = 0;
  for (let c = 1; c < numClasses; c++) if (stats[offset + c]! > stats[offset + best]!) best = c;
  return best;
}

/** Rows behind a stats vector (with bootstrap multiplicity), for minInstancesPerNode. */
export function rawCountOf(stats: Float64Array, numClasses: number, weighted: boolean): number {
  return weighted ? stats[stats.length - 1]! : weightedCount(stats, 0, numClasses);
}
