import { parentPort } from 'node:worker_threads';
import { EddyError } from '../../common/errors.js';
import { LocalFileSystem } from '../../storage/local.js';
import type { RecordBatch } from '../batch.js';
import type { DatasetSplit } from './dataset-files.js';
import { encodeBatch } from './scan-wire.js';
import { csvSplitPartition, type CsvSplitSpec } from './csv-scan.js';

/**
 * A scan worker: parses one CSV split at a time on its own thread and hands batches back one per request
 * ("next"), so the reading side sets the pace and memory stays bounded.
 */
const port = parentPort;
if (!port) throw new EddyError('INTERNAL', 'scan-worker.js must run as a worker thread');
const fs = new LocalFileSystem();
let iter: AsyncIterator<RecordBatch> | null = null;

type Msg = { type: 'open'; spec: CsvSplitSpec; split: DatasetSplit } | { type: 'next' } | { type: 'close' };

port.on('message', (msg: Msg) => {
  void handle(msg);
});

async function handle(msg: Msg): Promise<void> {
  try {
    if (msg.type === 'open') {
      iter = csvSplitPartition(fs, msg.spec, msg.split)()[Symbol.asyncIterator]();
      port!.postMessage({ type: 'opened' });
    } else if (msg.type === 'next') {
      const r = iter ? await iter.next() : { done: true as const, value: undefined };
      if (r.done) {
        iter = null;
        port!.postMessage({ type: 'done' });
      } else {
        const { batch, transfer } = encodeBatch(r.value);
        port!.postMessage({ type: 'batch', batch }, transfer);
      }
    } else {
      const it = iter;
      iter = null;
      await it?.return?.();
      port!.postMessage({ type: 'done' });
    }
  } catch (e) {
    iter = null;
    const code = e instanceof EddyError ? e.code : 'IO_ERROR';
    port!.postMessage({ type: 'error', code, message: e instanceof Error ? e.message : String(e) });
  }
}
