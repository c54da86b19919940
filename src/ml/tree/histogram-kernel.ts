/**
 * The hot loops of tree training: binning a partition, and the per-level pass that routes each row from its node
 * of the previous level to a child and adds the rows of the wanted nodes into (slot, feature, bin, stat) cells.
 *
 * These functions run both in the main thread (serial training) and inside worker_threads, where they arrive as
 * source text (Function.prototype.toString), so they MUST stay self-contained: no imports, no module-level
 * helpers, nothing but their arguments and globals.
 *
 * Bins are stored row-major (the F bins of a row side by side): the level pass then reads a row's label and
 * weight once and its F updates land in F different histograms, which keeps the CPU from waiting on
 * back-to-back updates of the same cell (3× faster than column-major here).
 */

/** What one partition holds for training. */
export interface KernelPartition {
  /** Partition number within the dataset: seeds its bootstrap sample, so results never depend on scheduling. */
  index: number;
  n: number;
  /** Bin of feature f of row r at r * numFeatures + f. */
  bins: Uint8Array;
  /** Class index (classification) or label value (regression). */
  label: Float64Array;
  /** Instance weights, null when all are 1. */
  weight: Float64Array | null;
  /** Level-local node of each row; -1 once the row sits in a finished leaf. */
  nodeIds: Int32Array;
  /** Bootstrap multiplicity of each row for the current tree; null means 1 for every row. */
  sampleCount: Float64Array | null;
}

export interface KernelConfig {
  numFeatures: number;
  /** Stride of the bin axis: maxBins. */
  numBins: number;
  /**
   * Stats per cell: class weights (classification) or [w, w·y, w·y²] (regression), then a raw row count only
   * when rows carry weights — without weights the raw count equals the weight sum and is not stored twice.
   */
  statsSize: number;
  /** 0 for regression. */
  numClasses: number;
  weighted: boolean;
}

export interface LevelPlan {
  /**
   * Per node of the previous level: [feature, bin, leftId, rightId]; feature -1 sends its rows to -1. A row goes
   * left when its bin <= bin, or, for a categorical split (bin -1), when goLeft[node * numBins + its bin] is 1.
   */
  split: Int32Array | null;
  /** Left-going bins of categorical splits, numBins bytes per node of the previous level; null if none. */
  goLeft: Uint8Array | null;
  /** Per node of this level: its histogram slot, or -1 when its histogram comes from subtraction. */
  slotOf: Int32Array;
  numSlots: number;
}

/**
 * Bins column-major features into row-major bytes. `padded[f]` holds feature f's sorted thresholds followed by
 * one +Infinity sentinel; counts[f] is the real number of thresholds. Bin b holds values in (t[b-1], t[b]];
 * NaN goes to the last bin (always right). A 4096-cell table over [t[0], t[T-1]] gives a starting bin that a
 * step or two corrects, which is several times faster than a binary search per value.
 */
export function binRows(
  features: Float64Array[],
  n: number,
  padded: Float64Array[],
  counts: Int32Array,
  out: Uint8Array,
): void {
  const F = features.length;
  const G = 4096;
  const table = new Int32Array(G + 1);
  for (let f = 0; f < F; f++) {
    const col = features[f]!;
    const t = padded[f]!;
    const T = counts[f]!;
    if (T === 0) continue;
    const lo = t[0]!;
    const hi = t[T - 1]!;
    const scale = hi > lo ? G / (hi - lo) : 0;
    if (scale > 0) {
      let j = 0;
      for (let c = 0; c <= G; c++) {
        const edge = lo + c / scale;
        while (j < T && t[j]! < edge) j++;
        table[c] = j;
      }
    }
    for (let r = 0; r < n; r++) {
      const v = col[r]!;
      let b: number;
      if (v <= lo) b = 0;
      else if (v > hi || v !== v) b = T;
      else {
        let c = ((v - lo) * scale) | 0;
        if (c > G) c = G;
        b = table[c]!;
        // The table is exact up to rounding of the cell edges: step down, then up, to the true bin.
        while (b > 0 && !(v > t[b - 1]!)) b--;
        while (v > t[b]!) b++;
      }
      out[r * F + f] = b;
    }
  }
}

export function levelHistograms(part: KernelPartition, plan: LevelPlan, cfg: KernelConfig): Float64Array {
  const n = part.n;
  const F = cfg.numFeatures;
  const nodeIds = part.nodeIds;
  const bins = part.bins;
  const split = plan.split;
  const goLeft = plan.goLeft;
  const B = cfg.numBins;
  const S = cfg.statsSize;
  const slotSize = F * B * S;
  const featureStride = B * S;
  const hist = new Float64Array(plan.numSlots * slotSize);
  const slotOf = plan.slotOf;
  const sampleCount = part.sampleCount;
  const weight = part.weight;
  const label = part.label;
  const C = cfg.numClasses;
  const weighted = cfg.weighted;
  // One sweep: move each row to its child for this level, then count it if its node's histogram is wanted.
  for (let r = 0; r < n; r++) {
    let id = nodeIds[r]!;
    if (id < 0) continue;
    if (split !== null) {
      const so = id * 4;
      const sf = split[so]!;
      if (sf < 0) id = -1;
      else {
        const sb = split[so + 1]!;
        const b = bins[r * F + sf]!;
        id = (sb >= 0 ? b <= sb : goLeft![id * B + b] === 1) ? split[so + 2]! : split[so + 3]!;
      }
      nodeIds[r] = id;
      if (id < 0) continue;
    }
    const slot = slotOf[id]!;
    if (slot < 0) continue;
    const c = sampleCount === null ? 1 : sampleCount[r]!;
    if (c === 0) continue;
    const w = (weight === null ? 1 : weight[r]!) * c;
    const o = r * F;
    const base = slot * slotSize;
    if (C > 0) {
      const y = label[r]!;
      const b0 = base + y;
      if (weighted) {
        const rawOffset = C - y;
        for (let f = 0; f < F; f++) {
          const idx = b0 + f * featureStride + bins[o + f]! * S;
          hist[idx]! += w;
          hist[idx + rawOffset]! += c;
        }
      } else {
        for (let f = 0; f < F; f++) hist[b0 + f * featureStride + bins[o + f]! * S]! += w;
      }
    } else {
      const y = label[r]!;
      const wy = w * y;
      const wyy = wy * y;
      for (let f = 0; f < F; f++) {
        const idx = base + f * featureStride + bins[o + f]! * S;
        hist[idx]! += w;
        hist[idx + 1]! += wy;
        hist[idx + 2]! += wyy;
        if (weighted) hist[idx + 3]! += c;
      }
    }
  }
  return hist;
}

/**
 * Starts a new tree on a partition: every row back at the root, and for forests a fresh sample drawn from a
 * generator seeded by (seed, partition) — Poisson(rate) counts with replacement, Bernoulli(rate) without, as
 * Spark's BaggedPoint.
 */
export function resetPartition(
  part: KernelPartition,
  sample: { seed: number; rate: number; bootstrap: boolean } | null,
): void {
  part.nodeIds.fill(0);
  if (sample === null) {
    part.sampleCount = null;
    return;
  }
  const counts = part.sampleCount ?? new Float64Array(part.n);
  // splitmix32 seeded from the tree seed and the partition index: reproducible whichever thread runs it.
  let state = (sample.seed ^ Math.imul(part.index + 1, 0x9e3779b9)) | 0;
  const next = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
  const rate = sample.rate;
  if (sample.bootstrap) {
    const limit = Math.exp(-rate);
    for (let r = 0; r < part.n; r++) {
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      counts[r] = k;
    }
  } else {
    for (let r = 0; r < part.n; r++) counts[r] = next() < rate ? 1 : 0;
  }
  part.sampleCount = counts;
}
