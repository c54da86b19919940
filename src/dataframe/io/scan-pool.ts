import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EddyError, type ErrorCode } from '../../common/errors.js';
import type { RecordBatch } from '../batch.js';
import type { Partition } from '../plan.js';
import { StructType, parseDataType } from '../types.js';
import type { DatasetSplit } from './dataset-files.js';
import { SCAN_WORKER_URL } from './scan-worker-path.js';
import { decodeBatch, type WireBatch } from './scan-wire.js';
import type { CsvSplitSpec } from './csv-scan.js';

/**
 * A small pool of scan workers (one per core, at most 4), created on first use and unref'd so it never keeps
 * the process alive. A worker serves one partition at a time; a partition waits for a free worker.
 */
class ScanPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private created = 0;
  readonly size = Math.max(1, Math.min(availableParallelism(), 4));

  acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    if (this.created < this.size) {
      this.created++;
      const worker = new Worker(SCAN_WORKER_URL);
      worker.unref();
      // A crashed worker is replaced by a fresh one on the next acquire.
      worker.once('exit', () => {
        this.created--;
        const i = this.idle.indexOf(worker);
        if (i >= 0) this.idle.splice(i, 1);
      });
      return Promise.resolve(worker);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }
}

let pool: ScanPool | null = null;

type Reply =
  | { type: 'opened' }
  | { type: 'done' }
  | { type: 'batch'; batch: WireBatch }
  | { type: 'error'; code: ErrorCode; message: string };

function request(w: Worker, msg: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (r: Reply): void => {
      w.off('error', onError);
      resolve(r);
    };
    const onError = (e: Error): void => {
      w.off('message', onMessage);
      reject(new EddyError('INTERNAL', `scan worker failed: ${e.message}`, { cause: e }));
    };
    w.once('message', onMessage);
    w.once('error', onError);
    w.postMessage(msg);
  });
}

function check(r: Reply): Reply {
  if (r.type === 'error') throw new EddyError(r.code, r.message);
  return r;
}

/** A CSV split parsed on a worker thread; batches arrive one at a time, as the consumer asks for them. */
export function workerPartition(spec: CsvSplitSpec, split: DatasetSplit): Partition {
  const schema = new StructType(
    spec.fields.map((f) => ({ name: f.name, dataType: parseDataType(f.type), nullable: f.nullable })),
  );
  return async function* (): AsyncGenerator<RecordBatch> {
    pool ??= new ScanPool();
    const w = await pool.acquire();
    let open = false;
    try {
      check(await request(w, { type: 'open', spec, split }));
      open = true;
      for (;;) {
        const r = check(await request(w, { type: 'next' }));
        if (r.type !== 'batch') {
          open = false;
          return;
        }
        yield decodeBatch(schema, r.batch);
      }
    } finally {
      // Stopped early (limit) or failed: close the worker's file before the worker serves anyone else.
      if (open) await request(w, { type: 'close' }).catch(() => undefined);
      pool.release(w);
    }
  };
}
