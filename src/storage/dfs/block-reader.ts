import * as fsp from 'node:fs/promises';
import { EddyError, describeValue } from '../../common/errors.js';
import type { ReadableFile } from '../filesystem.js';
import { BYTES_PER_CHECKSUM, parseMeta, verifyChunks } from './block-meta.js';
import type { BlockRecord } from './namespace.js';
import type { Volumes } from './volumes.js';

/** Size of the pieces stream() yields (never across a block boundary). */
const STREAM_CHUNK = 4 * 1024 * 1024;

export interface ReaderContext {
  uri: string;
  blocks: BlockRecord[];
  volumes: Volumes;
  /** A replica failed verification (or is missing): the store records it for fsck. */
  reportBad(blockId: number, volume: number, reason: string): void;
  isBad(blockId: number, volume: number): boolean;
  /** Called once when the reader closes: its blocks may now be deleted. */
  released(): Promise<void>;
}

interface OpenReplica {
  block: number;
  volume: number;
  fh: fsp.FileHandle;
  sums: Buffer;
}

/** A replica that cannot serve: the read moves on to the next one. */
class BadReplica extends Error {}

/**
 * Reads a dfs file from a snapshot of its block list taken at open. Every byte returned has been checked
 * against its chunk's CRC32C; a replica that is missing, short or fails a checksum is reported and the read
 * carries on from the next replica, so a caller sees an error only when no replica of a block is good.
 */
export class DfsReader implements ReadableFile {
  readonly length: number;
  private readonly starts: number[] = [];
  private open: OpenReplica | undefined;
  private closed = false;
  /** Reads on one handle run one at a time: they share the cached open replica. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly ctx: ReaderContext) {
    let off = 0;
    for (const b of ctx.blocks) {
      this.starts.push(off);
      off += b.length;
    }
    this.length = off;
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    this.check(position, length);
    const end = Math.min(this.length, position + length);
    const parts: Uint8Array[] = [];
    for (let pos = position; pos < end;) {
      const i = this.blockAt(pos);
      const blockEnd = this.starts[i]! + this.ctx.blocks[i]!.length;
      const to = Math.min(end, blockEnd);
      parts.push(await this.readBlock(i, pos - this.starts[i]!, to - this.starts[i]!));
      pos = to;
    }
    if (parts.length === 1) return parts[0]!;
    return parts.length === 0 ? new Uint8Array(0) : Buffer.concat(parts);
  }

  async *stream(start = 0, end = this.length): AsyncIterable<Uint8Array> {
    this.check(start, Math.max(0, end - start));
    const stop = Math.min(end, this.length);
    for (let pos = start; pos < stop;) {
      const i = this.blockAt(pos);
      const blockEnd = this.starts[i]! + this.ctx.blocks[i]!.length;
      // Keep pieces chunk-aligned within the block, so no chunk is read and verified twice.
      const inBlock = pos - this.starts[i]!;
      const alignedNext = (Math.floor(inBlock / STREAM_CHUNK) + 1) * STREAM_CHUNK + this.starts[i]!;
      const to = Math.min(stop, blockEnd, alignedNext);
      yield await this.readBlock(i, inBlock, to - this.starts[i]!);
      pos = to;
    }
  }

  private blockAt(pos: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    // Skip empty blocks (none are written, but an image could hold one).
    while (lo < this.starts.length - 1 && this.starts[lo]! + this.ctx.blocks[lo]!.length <= pos) lo++;
    return lo;
  }

  private readBlock(i: number, from: number, to: number): Promise<Uint8Array> {
    const run = (): Promise<Uint8Array> => this.readBlockNow(i, from, to);
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  /** Bytes [from, to) of block i, verified, from the first replica that can serve them. */
  private async readBlockNow(i: number, from: number, to: number): Promise<Uint8Array> {
    const block = this.ctx.blocks[i]!;
    const order = [...block.volumes].sort(
      (a, b) => Number(this.ctx.isBad(block.id, a)) - Number(this.ctx.isBad(block.id, b)),
    );
    if (this.open?.block === block.id && order[0] !== this.open.volume && !this.ctx.isBad(block.id, this.open.volume)) {
      order.splice(order.indexOf(this.open.volume), 1);
      order.unshift(this.open.volume);
    }
    const c0 = Math.floor(from / BYTES_PER_CHECKSUM) * BYTES_PER_CHECKSUM;
    const c1 = Math.min(block.length, Math.ceil(to / BYTES_PER_CHECKSUM) * BYTES_PER_CHECKSUM);
    const problems: string[] = [];
    for (const vol of order) {
      try {
        const r = await this.replica(block, vol);
        const buf = Buffer.allocUnsafe(c1 - c0);
        let got = 0;
        while (got < buf.length) {
          const { bytesRead } = await r.fh.read(buf, got, buf.length - got, c0 + got);
          if (bytesRead === 0) throw new BadReplica(`replica is ${c0 + got} bytes, expected ${block.length}`);
          got += bytesRead;
        }
        const bad = verifyChunks(buf, r.sums, c0 / BYTES_PER_CHECKSUM);
        if (bad >= 0) throw new BadReplica(`checksum mismatch in the chunk at byte ${c0 + bad} of the block`);
        return buf.subarray(from - c0, to - c0);
      } catch (e) {
        // Any operating-system error on one replica (gone, its volume unreadable) is that replica's problem.
        const errno = (e as NodeJS.ErrnoException).code;
        if (!(e instanceof BadReplica) && errno === undefined) throw e;
        const reason =
          e instanceof BadReplica ? e.message : errno === 'ENOENT' ? 'replica missing' : `unreadable (${errno})`;
        problems.push(`${this.ctx.volumes.name(vol)}: ${reason}`);
        this.ctx.reportBad(block.id, vol, reason);
        await this.dropOpen();
      }
    }
    throw new EddyError(
      'CORRUPT_DATA',
      `block blk_${block.id} of ${describeValue(this.ctx.uri)} has no good replica (${problems.join('; ')}); run "eddy fs -fsck" to see the damage, and restore the file from a copy`,
    );
  }

  private async replica(block: BlockRecord, vol: number): Promise<OpenReplica> {
    if (this.open && this.open.block === block.id && this.open.volume === vol) return this.open;
    await this.dropOpen();
    const fh = await fsp.open(this.ctx.volumes.blockFile(vol, block.id), 'r');
    try {
      const meta = await fsp.readFile(this.ctx.volumes.metaFile(vol, block.id));
      let sums: Buffer;
      try {
        sums = parseMeta(meta, `blk_${block.id}.meta`);
      } catch {
        throw new BadReplica('damaged .meta header');
      }
      if (sums.length !== Math.ceil(block.length / BYTES_PER_CHECKSUM) * 4) {
        throw new BadReplica('checksum count does not match the block length');
      }
      this.open = { block: block.id, volume: vol, fh, sums };
      return this.open;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  private async dropOpen(): Promise<void> {
    const o = this.open;
    this.open = undefined;
    if (o) await o.fh.close().catch(() => {});
  }

  private check(position: number, length: number): void {
    if (this.closed) throw new EddyError('CLOSED', `${describeValue(this.ctx.uri)} was closed`);
    if (!Number.isSafeInteger(position) || position < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `read of ${describeValue(this.ctx.uri)} at ${describeValue(position)} for ${describeValue(length)} bytes: both must be whole numbers ≥ 0`,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.dropOpen();
    await this.ctx.released();
  }
}
