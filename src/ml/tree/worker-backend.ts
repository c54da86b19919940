import { Worker } from 'node:worker_threads';
import { EddyError } from '../../common/errors.js';
import type { HistogramBackend, TreeSample } from './histogram-backend.js';
import type { PaddedThresholds } from './binning.js';
import { binRows, levelHistograms, resetPartition, type KernelConfig, type LevelPlan } from './histogram-kernel.js';
import type { TrainingPartition } from './training-data.js';

/*
 * The worker's program is built from the kernel's own source text, so the exact same code runs in serial and
 * parallel training and no separate .js file has to be found at run time (from src/ under vitest, from dist/).
 * A worker receives its partitions' raw columns once per fit (moved, not copied: transferred buffers), bins
 * them itself — so binning runs in parallel too — and keeps the bins; after that each level costs one small plan
 * message in and one histogram per partition out (transferred).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const binRows = (${binRows.toString()});
const levelHistograms = (${levelHistograms.toString()});
const resetPartition = (${resetPartition.toString()});
let parts = [];
let cfg = null;
parentPort.on('message', (msg) => {
  try {
    if (msg.type === 'init') {
      cfg = msg.cfg;
      parts = msg.parts.map((p) => {
        const bins = new Uint8Array(p.n * cfg.numFeatures);
        binRows(p.features, p.n, msg.padded, msg.counts, bins);
        return { index: p.index, n: p.n, bins, label: p.label, weight: p.weight, nodeIds: new Int32Array(p.n), sampleCount: null };
      });
      parentPort.postMessage({ ok: true });
    } else if (msg.type === 'startTree') {
      for (const p of parts) resetPartition(p, msg.sample);
      parentPort.postMessage({ ok: true });
    } else if (msg.type === 'level') {
      const hists = parts.map((p) => levelHistograms(p, msg.plan, cfg));
      parentPort.postMessage({ ok: true, hists }, hists.map((h) => h.buffer));
    }
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e && e.stack || e) });
  }
});
`;

interface Reply {
  ok: boolean;
  error?: string;
  hists?: Float64Array[];
}

class TreeWorker {
  private readonly worker: Worker;
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.on('message', (r: Reply) => {
      const p = this.pending;
      this.pending = null;
      if (p === null) return;
      if (r.ok) p.resolve(r);
      else p.reject(new EddyError('INTERNAL', `tree worker failed: ${r.error ?? 'unknown error'}`));
    });
    const fail = (e: Error): void => {
      this.failure = e;
      const p = this.pending;
      this.pending = null;
      p?.reject(new EddyError('INTERNAL', `tree worker stopped: ${e.message}`, { cause: e }));
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      if (this.pending !== null) fail(new Error(`exited with code ${code}`));
    });
  }

  call(msg: unknown, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg, transfer);
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Runs level passes on worker_threads, partitions dealt round-robin. */
export class WorkerBackend implements HistogramBackend {
  private constructor(
    private readonly workers: TreeWorker[],
    private readonly assignment: number[][],
  ) {}

  /** Starts the workers and hands each its partitions (round-robin) to bin and keep. */
  static async start(
    parts: readonly TrainingPartition[],
    pad: PaddedThresholds,
    cfg: KernelConfig,
    numWorkers: number,
  ): Promise<WorkerBackend> {
    const count = Math.max(1, Math.min(numWorkers, parts.length));
    const assignment: number[][] = Array.from({ length: count }, () => []);
    parts.forEach((_, i) => assignment[i % count]!.push(i));
    const workers = assignment.map(() => new TreeWorker());
    const backend = new WorkerBackend(workers, assignment);
    try {
      await Promise.all(
        workers.map((w, i) => {
          const transfer: ArrayBuffer[] = [];
          // Columns on SharedArrayBuffers are shared as they are; others are copied (they may be views into
          // larger buffers the caller keeps using) and the copies moved to the worker.
          const own = (a: Float64Array): Float64Array => {
            if (a.buffer instanceof SharedArrayBuffer) return a;
            const c = a.slice();
            transfer.push(c.buffer);
            return c;
          };
          const payload = assignment[i]!.map((j) => {
            const p = parts[j]!;
            return {
              index: j,
              n: p.labels.length,
              features: p.features.map(own),
              label: own(p.labels),
              weight: p.weights === undefined ? null : own(p.weights),
            };
          });
          return w.call({ type: 'init', cfg, padded: pad.padded, counts: pad.counts, parts: payload }, transfer);
        }),
      );
    } catch (e) {
      await backend.close();
      throw e;
    }
    return backend;
  }

  get numPartitions(): number {
    return this.assignment.reduce((n, a) => n + a.length, 0);
  }

  async startTree(sample: TreeSample | null): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call({ type: 'startTree', sample })));
  }

  async level(plan: LevelPlan): Promise<Float64Array[]> {
    const replies = await Promise.all(this.workers.map((w) => w.call({ type: 'level', plan })));
    const out: Float64Array[] = [];
    replies.forEach((r, i) => {
      this.assignment[i]!.forEach((j, k) => {
        out[j] = r.hists![k]!;
      });
    });
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
