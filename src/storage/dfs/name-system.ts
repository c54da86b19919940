import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError, isEddyError } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';
import { EditLog } from './edit-log.js';
import { readImage, writeImage } from './fsimage.js';
import { Namespace, type EditOp, type FreedReplica } from './namespace.js';

const log = getLogger('dfs.namenode');

/**
 * The namenode's durable half: the namespace in memory, rebuilt at start from `name/fsimage` plus the ops in
 * `name/edits` newer than it. Every change goes through commit(): validate, append + fsync to the edit log,
 * then apply. Every `checkpointTxns` ops (and on close) the image is rewritten and the log emptied. Commits are
 * serialised so validation always sees the state the op will be applied to.
 */
export class NameSystem {
  private txid: number;
  private opsSinceCheckpoint = 0;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly nameDir: string,
    readonly ns: Namespace,
    private readonly edits: EditLog,
    imageTxid: number,
    public nextBlockId: number,
    private readonly checkpointTxns: number,
  ) {
    this.txid = imageTxid;
  }

  /** Writes the empty namespace of a freshly formatted store. */
  static async format(nameDir: string): Promise<void> {
    await fsp.mkdir(nameDir, { recursive: true });
    const ns = new Namespace((p) => p);
    await writeImage(join(nameDir, 'fsimage'), { txid: 0, nextBlockId: 1, root: ns.toJSON() });
    await fsp.writeFile(join(nameDir, 'edits'), '');
  }

  static async load(nameDir: string, uriOf: (path: string) => string, checkpointTxns: number): Promise<NameSystem> {
    const image = await readImage(join(nameDir, 'fsimage'));
    const ns = Namespace.fromJSON(image.root, uriOf);
    const { log: edits, ops } = await EditLog.open(join(nameDir, 'edits'));
    let txid = image.txid;
    let nextBlockId = image.nextBlockId;
    let replayed = 0;
    for (const op of ops) {
      if (op.txid <= txid) continue; // already in the image: a crash came between image rename and log reset
      if (op.txid !== txid + 1) {
        throw new EddyError(
          'CORRUPT_DATA',
          `the dfs edit log jumps from transaction ${txid} to ${op.txid}; restore the store's name/ folder from a backup`,
        );
      }
      try {
        ns.prepare(op)();
      } catch (e) {
        throw new EddyError(
          'CORRUPT_DATA',
          `the dfs edit log holds transaction ${op.txid} (${op.op}) that does not apply to the namespace: ${e instanceof Error ? e.message : String(e)}`,
          { cause: e },
        );
      }
      for (const id of blockIdsOf(op)) nextBlockId = Math.max(nextBlockId, id + 1);
      txid = op.txid;
      replayed++;
    }
    const sys = new NameSystem(nameDir, ns, edits, txid, nextBlockId, checkpointTxns);
    if (replayed > 0) {
      log.info(`replayed ${replayed} edits up to transaction ${txid}`);
      await sys.checkpoint();
    }
    return sys;
  }

  get lastTxid(): number {
    return this.txid;
  }

  /**
   * Validates, logs durably, then applies `op`, returning the replicas it dropped. Rejects without changing
   * anything if the op is invalid or cannot be logged.
   */
  commit(op: EditOp): Promise<FreedReplica[]> {
    const run = async (): Promise<FreedReplica[]> => {
      if (this.edits.broken !== undefined) {
        throw new EddyError(
          'ILLEGAL_STATE',
          'the dfs edit log could not be repaired after a failed write, so the store accepts no more changes; close and reopen it',
          { cause: this.edits.broken },
        );
      }
      const apply = this.ns.prepare(op);
      await this.edits.append({ ...op, txid: this.txid + 1 });
      this.txid++;
      const freed = apply();
      for (const id of blockIdsOf(op)) this.nextBlockId = Math.max(this.nextBlockId, id + 1);
      if (++this.opsSinceCheckpoint >= this.checkpointTxns) {
        try {
          await this.checkpoint();
        } catch (e) {
          // The op itself is durable in the log; a failed checkpoint only means a longer replay next time.
          log.warn('checkpoint failed; will retry after more edits', e);
          this.opsSinceCheckpoint = 0;
        }
      }
      return freed;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  /** Runs `fn` with no commit in flight (for work that must see a stable namespace). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => {});
    return p;
  }

  /** Writes the namespace as the new fsimage, then empties the edit log (HDFS's saveNamespace). */
  async checkpoint(): Promise<void> {
    await writeImage(join(this.nameDir, 'fsimage'), {
      txid: this.txid,
      nextBlockId: this.nextBlockId,
      root: this.ns.toJSON(),
    });
    try {
      await this.edits.reset();
    } catch (e) {
      // The image already holds every op, and replay skips ops at or below its txid, so this is harmless now.
      if (!isEddyError(e)) throw e;
      log.warn('could not empty the edit log after a checkpoint', e);
    }
    this.opsSinceCheckpoint = 0;
  }

  async close(): Promise<void> {
    await this.queue;
    try {
      if (this.opsSinceCheckpoint > 0) await this.checkpoint();
    } finally {
      await this.edits.close();
    }
  }
}

function blockIdsOf(op: EditOp): number[] {
  return 'blocks' in op ? op.blocks.map((b) => b.id) : [];
}
