import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLogger } from '../../common/log.js';
import { ProducerState, type SequenceCheck } from './producer-state.js';
import { BatchField, type BatchInfo, firstRecordAtOrAfter } from './record-batch.js';
import { Segment } from './segment.js';

const log = getLogger('broker.log');

/** The per-topic settings a partition log obeys (Kafka topic config names in comments). */
export interface LogConfig {
  /** segment.bytes */
  segmentBytes: number;
  /** segment.ms */
  segmentMs: number;
  /** retention.ms (-1: keep forever) */
  retentionMs: number;
  /** retention.bytes (-1: no size limit) */
  retentionBytes: number;
  /** index.interval.bytes */
  indexIntervalBytes: number;
}

export const OFFSET_OUT_OF_RANGE = 1;

export interface AppendResult {
  errorCode: number;
  message?: string;
  baseOffset: number;
  /** True when the batch was a retried duplicate of one already stored. */
  duplicate?: boolean;
}

export interface ReadResult {
  errorCode: number;
  /** Stored batches, whole, in offset order; empty when there is nothing at or after the offset yet. */
  records: Buffer[];
  bytes: number;
}

const LOG_START_FILE = 'log-start-offset';

/**
 * One partition's log: an ordered list of segments, the last one active. Offsets are assigned here, in the
 * same synchronous step that writes the batch, so the file order is the offset order. The high watermark is the
 * log end offset (a single broker has no followers to wait for).
 */
export class PartitionLog {
  private segments: Segment[] = [];
  logStartOffset = 0;
  private readonly producers = new ProducerState();
  private readonly dirty = new Set<Segment>();
  private syncing: Promise<void> | null = null;
  private nextSync: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly topic: string,
    readonly partition: number,
    public config: LogConfig,
  ) {}

  /** Opens (or creates) the partition folder, recovering the active segment's tail. */
  static open(dir: string, topic: string, partition: number, config: LogConfig, now: number): PartitionLog {
    mkdirSync(dir, { recursive: true });
    const p = new PartitionLog(dir, topic, partition, config);
    try {
      p.logStartOffset = Number(readFileSync(join(dir, LOG_START_FILE), 'utf8').trim()) || 0;
    } catch {
      p.logStartOffset = 0;
    }
    const bases = readdirSync(dir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .sort((a, b) => a - b);
    for (const [i, base] of bases.entries()) {
      const seg = new Segment(dir, base, { indexIntervalBytes: config.indexIntervalBytes }, now);
      if (i === bases.length - 1) {
        const cut = seg.recover((info) => p.producers.record(info, info.baseOffset));
        if (cut > 0)
          log.warn(`${topic}-${partition}: truncated ${cut} bytes of torn or corrupt tail in segment ${base}`);
      } else seg.load();
      p.segments.push(seg);
    }
    if (p.segments.length === 0) {
      p.segments.push(new Segment(dir, p.logStartOffset, { indexIntervalBytes: config.indexIntervalBytes }, now));
    }
    const first = p.segments[0]!;
    if (p.logStartOffset < first.baseOffset) p.logStartOffset = first.baseOffset;
    if (p.logStartOffset > p.logEndOffset) p.logStartOffset = p.logEndOffset;
    return p;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get highWatermark(): number {
    return this.logEndOffset;
  }

  /** Bytes stored across all segments. */
  get size(): number {
    return this.segments.reduce((s, seg) => s + seg.size, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Checks idempotence, assigns offsets, writes. `batch` is modified in place (baseOffset, leader epoch). */
  append(batch: Buffer, info: BatchInfo, now: number): AppendResult {
    if (this.closed) return { errorCode: 6, message: 'partition is closed', baseOffset: -1 }; // NOT_LEADER_OR_FOLLOWER
    const seq: SequenceCheck = this.producers.check(info);
    if (seq.kind === 'duplicate') return { errorCode: 0, baseOffset: seq.baseOffset, duplicate: true };
    if (seq.kind === 'error') return { errorCode: seq.errorCode, message: seq.message, baseOffset: -1 };
    const active = this.active;
    if (
      active.size > 0 &&
      (active.size + batch.length > this.config.segmentBytes || now - active.createdAt >= this.config.segmentMs)
    ) {
      this.roll(now);
    }
    const baseOffset = this.logEndOffset;
    batch.writeBigInt64BE(BigInt(baseOffset), BatchField.BaseOffset);
    batch.writeInt32BE(0, BatchField.PartitionLeaderEpoch);
    info.baseOffset = baseOffset;
    this.active.append(batch, info, now);
    this.producers.record(info, baseOffset);
    this.dirty.add(this.active);
    return { errorCode: 0, baseOffset };
  }

  private roll(now: number): void {
    const next = new Segment(this.dir, this.logEndOffset, { indexIntervalBytes: this.config.indexIntervalBytes }, now);
    this.segments.push(next);
    // The old segment's data is flushed with the next durability request, or now in the background.
    void this.durable().catch((e: unknown) => log.warn(`${this.topic}-${this.partition}: flush after roll failed`, e));
  }

  /**
   * Resolves once everything appended before the call is on disk. Concurrent callers share one fdatasync
   * (group commit): callers arriving while a sync runs wait for the next one, which covers all of them.
   */
  durable(): Promise<void> {
    if (this.nextSync) return this.nextSync.promise;
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.nextSync = { promise, resolve, reject };
    if (!this.syncing) this.startSync();
    return promise;
  }

  private startSync(): void {
    const waiters = this.nextSync!;
    this.nextSync = null;
    const segments = [...this.dirty];
    this.dirty.clear();
    this.syncing = Promise.all(segments.map((s) => s.flush()))
      .then(() => waiters.resolve(), waiters.reject)
      .finally(() => {
        this.syncing = null;
        if (this.nextSync) this.startSync();
      });
  }

  /** Reads whole batches starting with the one holding `offset`, up to maxBytes (at least one when asked). */
  async read(offset: number, maxBytes: number, atLeastOne: boolean): Promise<ReadResult> {
    const hw = this.highWatermark;
    if (offset < this.logStartOffset || offset > hw) return { errorCode: OFFSET_OUT_OF_RANGE, records: [], bytes: 0 };
    const records: Buffer[] = [];
    let bytes = 0;
    // A snapshot: retention may drop segments while a read awaits, which must not shift what is read next.
    const segments = this.segments.slice();
    let i = this.segmentIndexFor(offset);
    let position = i < 0 ? 0 : segments[i]!.positionOf(offset);
    if (i < 0) i = 0;
    for (; i < segments.length && bytes < maxBytes; i++) {
      const seg = segments[i]!;
      const limit = seg.size;
      const buf = await seg.read(position, maxBytes - bytes, atLeastOne && bytes === 0, limit);
      position = 0;
      if (!buf) continue;
      records.push(buf);
      bytes += buf.length;
    }
    return { errorCode: 0, records, bytes };
  }

  /** Index of the segment whose range may hold `offset`. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /**
   * ListOffsets by timestamp: the first record with a timestamp ≥ ts — exact in uncompressed batches, the
   * batch's base offset in compressed ones — or undefined when every record is older.
   */
  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | undefined {
    for (const seg of this.segments) {
      if (seg.maxTimestamp < ts) continue;
      const info = seg.findByTimestamp(ts);
      if (info) {
        const hit = firstRecordAtOrAfter(seg.readBatchSync(info.position, info.size), ts);
        return { offset: Math.max(hit.offset, this.logStartOffset), timestamp: hit.timestamp };
      }
    }
    return undefined;
  }

  /** DeleteRecords: moves the log start forward (persisted) and drops segments wholly below it. */
  deleteRecordsBefore(offset: number): number {
    const target = offset < 0 ? this.highWatermark : offset;
    if (target > this.logStartOffset) {
      this.logStartOffset = target;
      this.persistLogStart();
      this.dropSegmentsBelow(target);
    }
    return this.logStartOffset;
  }

  private persistLogStart(): void {
    const tmp = join(this.dir, `${LOG_START_FILE}.tmp`);
    writeFileSync(tmp, `${this.logStartOffset}\n`);
    renameSync(tmp, join(this.dir, LOG_START_FILE));
  }

  private dropSegmentsBelow(offset: number): void {
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) {
      this.segments.shift()!.delete();
    }
  }

  /** Time and size retention: deletes whole non-active segments, oldest first. Returns segments deleted. */
  applyRetention(now: number): number {
    let deleted = 0;
    const { retentionMs, retentionBytes } = this.config;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const tooOld = retentionMs >= 0 && oldest.maxTimestamp >= 0 && now - oldest.maxTimestamp > retentionMs;
      const tooBig = retentionBytes >= 0 && this.size - oldest.size >= retentionBytes;
      if (!tooOld && !tooBig) break;
      this.segments.shift();
      oldest.delete();
      deleted++;
      this.logStartOffset = Math.max(this.logStartOffset, this.segments[0]!.baseOffset);
    }
    if (deleted > 0) this.persistLogStart();
    return deleted;
  }

  /** Flushes every segment and closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.syncing;
      await Promise.all(this.segments.map((s) => s.flush()));
    } finally {
      for (const s of this.segments) s.close();
    }
  }

  /** Closes and removes every file of this partition (topic deletion). */
  async deleteAll(): Promise<void> {
    this.closed = true;
    await this.syncing?.catch(() => undefined);
    for (const s of this.segments) s.delete();
  }
}
