import {
  levelHistograms,
  resetPartition,
  type KernelConfig,
  type KernelPartition,
  type LevelPlan,
} from './histogram-kernel.js';

/** Per-tree sampling for forests (null for a single decision tree: every row once). */
export interface TreeSample {
  seed: number;
  rate: number;
  bootstrap: boolean;
}

/**
 * Where level passes run. Both implementations return one histogram per partition, in partition order, and the
 * grower merges them in that order: so serial and parallel training add the same numbers in the same order and
 * grow identical trees.
 */
export interface HistogramBackend {
  readonly numPartitions: number;
  startTree(sample: TreeSample | null): Promise<void>;
  level(plan: LevelPlan): Promise<Float64Array[]>;
  close(): Promise<void>;
}

/** Runs the kernel in the calling thread. */
export class SerialBackend implements HistogramBackend {
  constructor(
    private readonly parts: KernelPartition[],
    private readonly cfg: KernelConfig,
  ) {}

  get numPartitions(): number {
    return this.parts.length;
  }

  async startTree(sample: TreeSample | null): Promise<void> {
    for (const p of this.parts) resetPartition(p, sample);
  }

  async level(plan: LevelPlan): Promise<Float64Array[]> {
    return this.parts.map((p) => levelHistograms(p, plan, this.cfg));
  }

  async close(): Promise<void> {}
}
