import { binRows, type KernelPartition } from './histogram-kernel.js';
import { SeededRandom } from './seeded-random.js';
import type { TrainingPartition } from './training-data.js';

/**
 * Candidate thresholds per feature, as Spark's RandomForest.findSplits for continuous features: from a sample
 * of max(maxBins², 10000) rows, every midpoint between adjacent distinct values when there are at most
 * maxBins - 1 of them, otherwise the midpoints nearest to equal-weight quantiles. Sorted ascending.
 */
export function findThresholds(parts: readonly TrainingPartition[], maxBins: number, seed: number): Float64Array[] {
  const numFeatures = parts[0]!.features.length;
  let total = 0;
  for (const p of parts) total += p.labels.length;
  const required = Math.max(maxBins * maxBins, 10000);
  const fraction = required < total ? required / total : 1;
  const rng = new SeededRandom(seed);
  const picked: { part: TrainingPartition; row: number }[] = [];
  if (fraction >= 1) {
    for (const part of parts) for (let r = 0; r < part.labels.length; r++) picked.push({ part, row: r });
  } else {
    // Bernoulli(fraction) sampling by geometric gaps: one random draw per picked row instead of one per row.
    const logKeep = Math.log(1 - fraction);
    const gap = (): number => Math.floor(Math.log(1 - rng.nextDouble()) / logKeep);
    // The gap runs on across partition boundaries, so the sample does not depend on how rows are partitioned.
    let r = gap();
    for (const part of parts) {
      const n = part.labels.length;
      for (; r < n; r += 1 + gap()) picked.push({ part, row: r });
      r -= n;
    }
  }
  const numSplits = Math.min(maxBins, Math.max(total, 2)) - 1;
  const out: Float64Array[] = [];
  const weighted = parts.some((p) => p.weights !== undefined);
  const values = new Float64Array(picked.length);
  const weights = new Float64Array(picked.length);
  const order = new Uint32Array(picked.length);
  for (let f = 0; f < numFeatures; f++) {
    let m = 0;
    for (const { part, row } of picked) {
      const v = part.features[f]![row]!;
      if (Number.isNaN(v)) continue;
      values[m] = v;
      weights[m] = part.weights?.[row] ?? 1;
      order[m] = m;
      m++;
    }
    const distinct: number[] = [];
    const counts: number[] = [];
    const add = (v: number, w: number): void => {
      if (distinct.length > 0 && distinct[distinct.length - 1] === v) counts[counts.length - 1]! += w;
      else {
        distinct.push(v);
        counts.push(w);
      }
    };
    if (weighted) {
      for (const i of order.subarray(0, m).sort((a, b) => values[a]! - values[b]!)) add(values[i]!, weights[i]!);
    } else {
      // A typed array's own numeric sort is far faster than sorting indices through a comparator.
      for (const v of values.subarray(0, m).sort()) add(v, 1);
    }
    out.push(thresholdsFromValueCounts(distinct, counts, numSplits));
  }
  return out;
}

function thresholdsFromValueCounts(distinct: number[], counts: number[], numSplits: number): Float64Array {
  const possible = distinct.length - 1;
  if (possible <= 0) return new Float64Array(0);
  if (possible <= numSplits) {
    const t = new Float64Array(possible);
    for (let i = 1; i <= possible; i++) t[i - 1] = (distinct[i - 1]! + distinct[i]!) / 2;
    // -Infinity next to +Infinity has no midpoint (NaN): drop it rather than break the ordering.
    return t.filter((v) => !Number.isNaN(v));
  }
  let weightSum = 0;
  for (const c of counts) weightSum += c;
  const stride = weightSum / (numSplits + 1);
  const splits: number[] = [];
  let current = counts[0]!;
  let target = stride;
  for (let i = 1; i < distinct.length; i++) {
    const previous = current;
    current += counts[i]!;
    // Cut between i-1 and i when the running weight before i is closer to the next quantile than after it.
    if (Math.abs(previous - target) < Math.abs(current - target)) {
      splits.push((distinct[i - 1]! + distinct[i]!) / 2);
      target += stride;
    }
  }
  return Float64Array.from(splits);
}

/** Bin of v by plain binary search (the reference binRows is tested against): the first threshold index t with v <= thresholds[t], or thresholds.length (also for NaN). */
export function binOf(thresholds: Float64Array, v: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= thresholds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface PaddedThresholds {
  /** Thresholds of each feature followed by one +Infinity sentinel. */
  padded: Float64Array[];
  /** Real thresholds per feature. */
  counts: Int32Array;
}

/** Adds the sentinel binRows' search stops at. */
export function padThresholds(thresholds: readonly Float64Array[]): PaddedThresholds {
  const padded = thresholds.map((t) => {
    const p = new Float64Array(t.length + 1).fill(Infinity);
    p.set(t);
    return p;
  });
  return { padded, counts: Int32Array.from(thresholds, (t) => t.length) };
}

/** Bins a partition in this thread (serial training). */
export function binPartition(part: TrainingPartition, index: number, pad: PaddedThresholds): KernelPartition {
  const n = part.labels.length;
  const bins = new Uint8Array(pad.padded.length * n);
  binRows(part.features, n, pad.padded, pad.counts, bins);
  return {
    index,
    n,
    bins,
    label: part.labels,
    weight: part.weights ?? null,
    nodeIds: new Int32Array(n),
    sampleCount: null,
  };
}
