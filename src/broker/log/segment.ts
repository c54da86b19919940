import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, read, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  BATCH_HEADER_SIZE,
  BatchField,
  crcMatches,
  LOG_OVERHEAD,
  readBatchInfo,
  type BatchInfo,
} from './record-batch.js';
import { SegmentIndex } from './segment-index.js';

/**
 * One log segment: `<20-digit baseOffset>.log` holding v2 record batches back to back exactly as produced (with
 * the broker's offsets written in), plus its offset and time indexes. Writes are synchronous positional writes
 * (they land in the page cache in microseconds and keep offset assignment and file order trivially in step);
 * reads and fsyncs run on libuv's thread pool.
 */

export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

export interface SegmentOptions {
  /** Bytes of log between two offset-index entries (Kafka's index.interval.bytes). */
  indexIntervalBytes: number;
}

export class Segment {
  private readonly fd: number;
  readonly offsetIndex: SegmentIndex;
  readonly timeIndex: SegmentIndex;
  /** Bytes in the .log file that hold whole, valid batches. */
  size = 0;
  /** The offset after the last record in this segment. */
  nextOffset: number;
  /** The largest batch maxTimestamp in the segment (-1 when empty). */
  maxTimestamp = -1;
  /** When the first batch was appended (for log.roll.ms), by the broker's clock. */
  createdAt: number;
  private bytesSinceIndexEntry = 0;
  private closed = false;
  private released = false;
  private inFlight = 0;

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly options: SegmentOptions,
    now: number,
  ) {
    this.fd = openSync(join(dir, segmentFileName(baseOffset, '.log')), 'a+');
    this.offsetIndex = new SegmentIndex(join(dir, segmentFileName(baseOffset, '.index')), 'offset');
    this.timeIndex = new SegmentIndex(join(dir, segmentFileName(baseOffset, '.timeindex')), 'time');
    this.nextOffset = baseOffset;
    this.createdAt = now;
  }

  get fileSize(): number {
    return fstatSync(this.fd).size;
  }

  /**
   * Appends one batch whose baseOffset is already set. `info` carries the header fields; the index gains an
   * entry once index.interval.bytes of log have passed since the last one.
   */
  append(batch: Buffer, info: BatchInfo, now: number): void {
    if (this.size === 0) this.createdAt = now;
    const position = this.size;
    let written = 0;
    while (written < batch.length)
      written += writeSync(this.fd, batch, written, batch.length - written, position + written);
    this.size += batch.length;
    this.track(info, position);
  }

  private track(info: BatchInfo, position: number): void {
    const lastOffset = info.baseOffset + info.lastOffsetDelta;
    this.nextOffset = lastOffset + 1;
    this.bytesSinceIndexEntry += info.size;
    if (info.maxTimestamp > this.maxTimestamp) this.maxTimestamp = info.maxTimestamp;
    if (this.bytesSinceIndexEntry >= this.options.indexIntervalBytes || position === 0) {
      this.offsetIndex.append(info.baseOffset - this.baseOffset, position);
      const lastTs = this.timeIndex.lastKey();
      if (lastTs === undefined || this.maxTimestamp > lastTs) {
        this.timeIndex.append(this.maxTimestamp, lastOffset - this.baseOffset);
      }
      this.bytesSinceIndexEntry = 0;
    }
  }

  /**
   * Scans the .log from the start, keeping every batch that is whole, magic 2, in offset order and CRC-valid,
   * and truncates the file at the first one that is not (a torn write from a crash). Rebuilds both indexes.
   * Calls `visit` for each kept batch (producer-state rebuild). Returns the bytes cut off.
   */
  recover(visit?: (info: BatchInfo, header: Buffer) => void): number {
    const fileSize = this.fileSize;
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.size = 0;
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.bytesSinceIndexEntry = 0;
    const header = Buffer.alloc(BATCH_HEADER_SIZE);
    let pos = 0;
    let buf = Buffer.alloc(1 << 20);
    while (pos + BATCH_HEADER_SIZE <= fileSize) {
      readSync(this.fd, header, 0, BATCH_HEADER_SIZE, pos);
      const batchLength = header.readInt32BE(BatchField.BatchLength);
      const size = LOG_OVERHEAD + batchLength;
      const baseOffset = Number(header.readBigInt64BE(0));
      if (header.readInt8(BatchField.Magic) !== 2 || size < BATCH_HEADER_SIZE || pos + size > fileSize) break;
      if (baseOffset < this.nextOffset) break;
      if (buf.length < size) buf = Buffer.alloc(size);
      readSync(this.fd, buf, 0, size, pos);
      if (!crcMatches(buf, 0, size)) break;
      const info = readBatchInfo(buf, 0);
      info.position = pos;
      if (info.lastOffsetDelta < 0) break;
      visit?.(info, header);
      this.size = pos + size;
      this.track(info, pos);
      pos += size;
    }
    const cut = fileSize - this.size;
    if (cut > 0) ftruncateSync(this.fd, this.size);
    return cut;
  }

  /** Opens an older (not active) segment from its files, rebuilding what does not check out. */
  load(): void {
    const size = this.fileSize;
    if (!this.offsetIndex.load() || !this.timeIndex.load()) {
      this.recover();
      return;
    }
    this.size = size;
    this.maxTimestamp = this.timeIndex.lastKey() ?? -1;
    // The last batch's end offset: from the last index entry, walk the remaining batch headers.
    const last = this.offsetIndex.floor(Number.MAX_SAFE_INTEGER);
    let pos = last?.value ?? 0;
    const header = Buffer.alloc(BATCH_HEADER_SIZE);
    this.nextOffset = this.baseOffset;
    while (pos + BATCH_HEADER_SIZE <= size) {
      readSync(this.fd, header, 0, BATCH_HEADER_SIZE, pos);
      const info = readBatchInfo(header, 0);
      if (pos + info.size > size || info.size < BATCH_HEADER_SIZE) {
        this.recover();
        return;
      }
      this.nextOffset = info.baseOffset + info.lastOffsetDelta + 1;
      pos += info.size;
    }
  }

  /** Position of the batch that holds `offset` (or the first batch after it), or `size` if none. */
  positionOf(offset: number): number {
    const entry = this.offsetIndex.floor(offset - this.baseOffset);
    let pos = entry?.value ?? 0;
    const header = Buffer.alloc(BATCH_HEADER_SIZE);
    while (pos + BATCH_HEADER_SIZE <= this.size) {
      readSync(this.fd, header, 0, BATCH_HEADER_SIZE, pos);
      const info = readBatchInfo(header, 0);
      if (info.baseOffset + info.lastOffsetDelta >= offset) return pos;
      pos += info.size;
    }
    return this.size;
  }

  /** Walks batch headers from `position`, returning the first batch with maxTimestamp ≥ ts. */
  findByTimestamp(ts: number): BatchInfo | undefined {
    const entry = this.timeIndex.lower(ts);
    let pos = entry === undefined ? 0 : this.positionOf(this.baseOffset + entry.value + 1);
    const header = Buffer.alloc(BATCH_HEADER_SIZE);
    while (pos + BATCH_HEADER_SIZE <= this.size) {
      readSync(this.fd, header, 0, BATCH_HEADER_SIZE, pos);
      const info = readBatchInfo(header, 0);
      info.position = pos;
      if (info.maxTimestamp >= ts) return info;
      pos += info.size;
    }
    return undefined;
  }

  /** Reads one batch synchronously (ListOffsets by timestamp walks its records). */
  readBatchSync(position: number, size: number): Buffer {
    const buf = Buffer.alloc(size);
    readSync(this.fd, buf, 0, size, position);
    return buf;
  }

  /** Reads whole batches from `position`, up to `maxBytes` (at least one batch when `atLeastOne`). */
  async read(position: number, maxBytes: number, atLeastOne: boolean, limit = this.size): Promise<Buffer | null> {
    if (position >= limit) return null;
    let want = Math.min(maxBytes, limit - position);
    if (atLeastOne) {
      const header = Buffer.alloc(LOG_OVERHEAD);
      await this.readAt(header, position);
      want = Math.max(want, Math.min(LOG_OVERHEAD + header.readInt32BE(BatchField.BatchLength), limit - position));
    }
    if (want <= 0) return null;
    const buf = Buffer.allocUnsafe(want);
    const n = await this.readAt(buf, position);
    // Cut to whole batches: clients tolerate a partial trailing batch, but whole ones waste nothing.
    let end = 0;
    while (end + LOG_OVERHEAD <= n) {
      const size = LOG_OVERHEAD + buf.readInt32BE(end + BatchField.BatchLength);
      if (end + size > n) break;
      end += size;
    }
    return end === 0 ? null : buf.subarray(0, end);
  }

  private readAt(buf: Buffer, position: number): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    this.inFlight++;
    return new Promise<number>((resolve, reject) => {
      read(this.fd, buf, 0, buf.length, position, (err, n) => (err ? reject(err) : resolve(n)));
    }).finally(() => {
      this.inFlight--;
      if (this.inFlight === 0 && this.closed) this.release();
    });
  }

  /** Flushes the .log to disk (fdatasync: the data and the file size, not the mtime). */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.inFlight++;
    return new Promise<void>((resolve, reject) => fdatasync(this.fd, (err) => (err ? reject(err) : resolve()))).finally(
      () => {
        this.inFlight--;
        if (this.inFlight === 0 && this.closed) this.release();
      },
    );
  }

  /**
   * Closes the files once no read is in flight: closing under a pending read would let the descriptor number be
   * reused by another file and the read return that file's bytes.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight === 0) this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    closeSync(this.fd);
    this.offsetIndex.close();
    this.timeIndex.close();
  }

  /** Removes the segment's files (retention, topic deletion); open descriptors keep pending reads valid. */
  delete(): void {
    this.close();
    for (const suffix of ['.log', '.index', '.timeindex']) {
      rmSync(join(this.dir, segmentFileName(this.baseOffset, suffix)), { force: true });
    }
  }
}
