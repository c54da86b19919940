import { parentPort } from 'node:worker_threads';
import { EddyError } from '../../common/errors.js';
import { LocalFileSystem } from '../../storage/local.js';
import type { RecordBatch } from '../batch.js';
import type { DatasetSplit } from './dataset-files.js';
import { encodeBatch } from './scan-wire.js';
import { csvSplitPartition, type CsvSplitSpec } from './csv-scan.js';

/**
 * A scan worker: parses one CSV split at a time on its own thread and hands batches back one per request
 * ("next"). It parses one batch ahead, so that it works while the reading thread consumes the batch it just
 * got (without that it sat idle a quarter of the time); the reading side still sets the pace, and memory
 * stays bounded at two batches per worker.
 */
const port = parentPort;
if (!port) throw new EddyError('INTERNAL', 'scan-worker.js must run as a worker thread');
const fs = new LocalFileSystem();
let iter: AsyncIterator<RecordBatch> | null = null;

type Next = { ok: true; r: IteratorResult<RecordBatch> } | { ok: false; e: unknown };
/** The batch being parsed ahead; its failure is kept (not left unhandled) until it is asked for. */
let ahead: Promise<Next> | null = null;

function parseAhead(it: AsyncIterator<RecordBatch>): Promise<Next> {
  return it.next().then(
    (r): Next => ({ ok: true, r }),
    (e: unknown): Next => ({ ok: false, e }),
  );
}

type Msg = { type: 'open'; spec: CsvSplitSpec; split: DatasetSplit } | { type: 'next' } | { type: 'close' };

port.on('message', (msg: Msg) => {
  void handle(msg);
});

async function handle(msg: Msg): Promise<void> {
  try {
    if (msg.type === 'open') {
      iter = csvSplitPartition(fs, msg.spec, msg.split)()[Symbol.asyncIterator]();
      ahead = parseAhead(iter);
      port!.postMessage({ type: 'opened' });
    } else if (msg.type === 'next') {
      const n: Next = ahead ? await ahead : { ok: true, r: { done: true, value: undefined } };
      ahead = null;
      if (!n.ok) throw n.e;
      if (n.r.done) {
        iter = null;
        port!.postMessage({ type: 'done' });
      } else {
        if (iter) ahead = parseAhead(iter);
        const { batch, transfer } = encodeBatch(n.r.value);
        port!.postMessage({ type: 'batch', batch }, transfer);
      }
    } else {
      const it = iter;
      iter = null;
      // A batch still being parsed finishes first: an async generator runs one step at a time.
      await ahead;
      ahead = null;
      await it?.return?.();
      port!.postMessage({ type: 'done' });
    }
  } catch (e) {
    iter = null;
    ahead = null;
    const code = e instanceof EddyError ? e.code : 'IO_ERROR';
    port!.postMessage({ type: 'error', code, message: e instanceof Error ? e.message : String(e) });
  }
}
