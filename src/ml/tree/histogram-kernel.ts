/**
 * The per-level pass over one partition: route each row from its node of the previous level to a child, then
 * add the rows of the nodes whose histograms are wanted into (slot, feature, bin, stat) cells.
 *
 * These functions run both in the main thread (serial training) and inside worker_threads, where they arrive as
 * source text (Function.prototype.toString), so they MUST stay self-contained: no imports, no module-level
 * helpers, nothing but their arguments and globals.
 */

/** What one partition holds for training; arrays may sit on SharedArrayBuffers shared with workers. */
export interface KernelPartition {
  /** Partition number within the dataset: seeds its bootstrap sample, so results never depend on scheduling. */
  index: number;
  n: number;
  /** Bin index of feature f of row r at f * n + r (column-major, one byte per value). */
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
  /** Stats per cell: numClasses + 1 (class weights, raw count) or 4 (weight, w·y, w·y², raw count). */
  statsSize: number;
  /** 0 for regression. */
  numClasses: number;
}

export interface LevelPlan {
  /** Per node of the previous level: [feature, bin, leftId, rightId]; feature -1 sends its rows to -1. */
  split: Int32Array | null;
  /** Per node of this level: its histogram slot, or -1 when its histogram comes from subtraction. */
  slotOf: Int32Array;
  numSlots: number;
}

export function levelHistograms(part: KernelPartition, plan: LevelPlan, cfg: KernelConfig): Float64Array {
  const n = part.n;
  const nodeIds = part.nodeIds;
  const bins = part.bins;
  const split = plan.split;
  if (split !== null) {
    for (let r = 0; r < n; r++) {
      const old = nodeIds[r]!;
      if (old < 0) continue;
      const o = old * 4;
      const f = split[o]!;
      if (f < 0) nodeIds[r] = -1;
      else nodeIds[r] = bins[f * n + r]! <= split[o + 1]! ? split[o + 2]! : split[o + 3]!;
    }
  }
  const F = cfg.numFeatures;
  const B = cfg.numBins;
  const S = cfg.statsSize;
  const slotSize = F * B * S;
  const hist = new Float64Array(plan.numSlots * slotSize);
  if (plan.numSlots === 0) return hist;
  const slotOf = plan.slotOf;
  const sampleCount = part.sampleCount;
  const weight = part.weight;
  const label = part.label;
  // Gather the rows that feed a histogram once, with their per-row terms, so the feature loops stay tight.
  let m = 0;
  const rows = new Int32Array(n);
  const base = new Int32Array(n);
  const w = new Float64Array(n);
  const cnt = new Float64Array(n);
  const lab = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const id = nodeIds[r]!;
    if (id < 0) continue;
    const slot = slotOf[id]!;
    if (slot < 0) continue;
    const c = sampleCount === null ? 1 : sampleCount[r]!;
    if (c === 0) continue;
    rows[m] = r;
    base[m] = slot * slotSize;
    cnt[m] = c;
    w[m] = (weight === null ? 1 : weight[r]!) * c;
    lab[m] = label[r]!;
    m++;
  }
  if (cfg.numClasses > 0) {
    const C = cfg.numClasses;
    const labIdx = new Int32Array(m);
    for (let i = 0; i < m; i++) labIdx[i] = lab[i]!;
    for (let f = 0; f < F; f++) {
      const off = f * n;
      const fo = f * B * S;
      for (let i = 0; i < m; i++) {
        const idx = base[i]! + fo + bins[off + rows[i]!]! * S;
        hist[idx + labIdx[i]!]! += w[i]!;
        hist[idx + C]! += cnt[i]!;
      }
    }
  } else {
    const wy = new Float64Array(m);
    const wyy = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      wy[i] = w[i]! * lab[i]!;
      wyy[i] = wy[i]! * lab[i]!;
    }
    for (let f = 0; f < F; f++) {
      const off = f * n;
      const fo = f * B * S;
      for (let i = 0; i < m; i++) {
        const idx = base[i]! + fo + bins[off + rows[i]!]! * S;
        hist[idx]! += w[i]!;
        hist[idx + 1]! += wy[i]!;
        hist[idx + 2]! += wyy[i]!;
        hist[idx + 3]! += cnt[i]!;
      }
    }
  }
  return hist;
}

/**
 * Starts a new tree on a partition: every row back at the root, and for forests a fresh sample drawn from a
 * generator seeded by (seed, tree, partition) — Poisson(rate) counts with replacement, Bernoulli(rate) without,
 * as Spark's BaggedPoint.
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
  const counts =
    part.sampleCount !== null && part.sampleCount.length === part.n ? part.sampleCount : new Float64Array(part.n);
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
