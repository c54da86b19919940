import { toEddyError, type EddyError } from '../../common/errors.js';
import type { Checkpoint, CommitMetadata, OffsetSeq } from './checkpoint.js';

/** Spark's minBatchesToRetain: how many batches of the offset and commit logs are kept. */
export const MIN_BATCHES_TO_RETAIN = 100;

/**
 * How a query records its progress in the checkpoint's offset and commit logs. Two policies:
 *
 * - `SyncProgressTracker` (the default, Spark's MicroBatchExecution): `offsets/N` is durable before batch N reads
 *   anything and `commits/N` before the next batch is planned, so a restart re-runs at most the one uncommitted
 *   batch, with exactly the same ranges (exactly-once with an idempotent sink).
 * - `AsyncProgressTracker` (Spark's asyncProgressTrackingEnabled): both logs are written in the background, off the
 *   batch's critical path, and only for a batch that starts at least `checkpointIntervalMs` after the last logged
 *   one. A restart resumes from the newest durable commit, so every batch since then runs again: at-least-once.
 *
 * Source commits (`commitSources`) always follow the durable commit of the batch whose end they name.
 */
export interface ProgressTracker {
  /** Before batch `batchId` reads its input. Throws the failure of an earlier background write. */
  planned(batchId: number, seq: OffsetSeq): Promise<void>;
  /** After batch `batchId`'s output is written. */
  completed(batchId: number, seq: OffsetSeq, commit: CommitMetadata): Promise<void>;
  /** On a graceful stop: makes the last completed batch durable, so a restart re-runs nothing. */
  flush(): Promise<void>;
  /** Waits for background writes (their failures are dropped: the query has already ended). */
  close(): Promise<void>;
}

export type CommitSources = (seq: OffsetSeq) => Promise<void>;

export class SyncProgressTracker implements ProgressTracker {
  constructor(
    private readonly checkpoint: Checkpoint,
    private readonly commitSources: CommitSources,
  ) {}

  async planned(batchId: number, seq: OffsetSeq): Promise<void> {
    await this.checkpoint.offsets.add(batchId, seq);
  }

  async completed(batchId: number, seq: OffsetSeq, commit: CommitMetadata): Promise<void> {
    await this.checkpoint.commits.add(batchId, commit);
    await this.commitSources(seq);
    if (batchId >= MIN_BATCHES_TO_RETAIN && batchId % 10 === 0) {
      await this.checkpoint.offsets.purge(batchId - MIN_BATCHES_TO_RETAIN);
      await this.checkpoint.commits.purge(batchId - MIN_BATCHES_TO_RETAIN);
    }
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export class AsyncProgressTracker implements ProgressTracker {
  /** Every log write, in order: offsets/N before commits/N before offsets of a later batch. */
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private lastLoggedAt = -Infinity;
  /** The batch whose offsets write was issued and whose commit is still to come. */
  private logging: number | null = null;
  /** The newest batch that completed without being logged (a graceful stop logs it). */
  private unlogged: { batchId: number; seq: OffsetSeq; commit: CommitMetadata } | null = null;
  /** Durable commits of this run whose source commit is due; run by the query's own loop, between batches. */
  private readonly sourceCommits: OffsetSeq[] = [];
  /** Batch ids with a durable commit in this run, oldest first: the purge keeps the newest MIN_BATCHES_TO_RETAIN. */
  private readonly durable: number[] = [];
  private failure: EddyError | null = null;

  constructor(
    private readonly checkpoint: Checkpoint,
    private readonly commitSources: CommitSources,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async planned(batchId: number, seq: OffsetSeq): Promise<void> {
    this.throwIfFailed();
    await this.runSourceCommits();
    // A batch is logged when the interval has passed and the previous log writes are done: a slow file system
    // then makes the logs sparser rather than making batches wait.
    const at = this.now();
    if (this.inFlight > 0 || at - this.lastLoggedAt < this.intervalMs) return;
    this.lastLoggedAt = at;
    this.logging = batchId;
    this.enqueue(`offsets/${batchId}`, () => this.checkpoint.offsets.add(batchId, seq));
  }

  async completed(batchId: number, seq: OffsetSeq, commit: CommitMetadata): Promise<void> {
    this.throwIfFailed();
    if (this.logging !== batchId) {
      this.unlogged = { batchId, seq, commit };
      return;
    }
    this.logging = null;
    this.unlogged = null;
    this.enqueue(`commits/${batchId}`, () => this.commitDurably(batchId, seq, commit));
  }

  async flush(): Promise<void> {
    await this.drain();
    this.throwIfFailed();
    const last = this.unlogged;
    if (last !== null) {
      this.unlogged = null;
      await this.checkpoint.offsets.add(last.batchId, last.seq);
      await this.commitDurably(last.batchId, last.seq, last.commit);
    }
    await this.runSourceCommits();
  }

  async close(): Promise<void> {
    await this.drain();
  }

  private async commitDurably(batchId: number, seq: OffsetSeq, commit: CommitMetadata): Promise<void> {
    await this.checkpoint.commits.add(batchId, commit);
    this.sourceCommits.push(seq);
    this.durable.push(batchId);
    if (this.durable.length > MIN_BATCHES_TO_RETAIN + 10) {
      // Purged below the oldest retained durable batch, never by batch-id arithmetic: ids between logged batches
      // have no files, and the newest durable commit may be far behind the current batch id.
      this.durable.splice(0, this.durable.length - MIN_BATCHES_TO_RETAIN);
      const keep = this.durable[0]!;
      await this.checkpoint.offsets.purge(keep);
      await this.checkpoint.commits.purge(keep);
    }
  }

  private enqueue(what: string, write: () => Promise<unknown>): void {
    this.inFlight++;
    this.chain = this.chain.then(async () => {
      try {
        // After a failure nothing more is written: a later commit must never follow a missing one.
        if (this.failure === null) await write();
      } catch (e) {
        this.failure = toEddyError(e, 'IO_ERROR', `async progress tracking: writing ${what} failed`);
      } finally {
        this.inFlight--;
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.inFlight > 0) await this.chain;
  }

  private async runSourceCommits(): Promise<void> {
    while (this.sourceCommits.length > 0) await this.commitSources(this.sourceCommits.shift()!);
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }
}
