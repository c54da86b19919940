import * as fsp from 'node:fs/promises';
import { EddyError, describeValue } from '../../common/errors.js';
import type { WritableFile } from '../filesystem.js';
import { ioError } from '../io-error.js';
import { BYTES_PER_CHECKSUM, checksumChunks, metaHeader } from './block-meta.js';
import type { BlockRecord } from './namespace.js';
import type { Volumes } from './volumes.js';

/** Bytes gathered before they go to the replicas: big writes to the disk, whatever the caller's chunk size. */
const WRITE_BUFFER = 1024 * 1024;

export interface WriterContext {
  uri: string;
  blockSize: number;
  replication: number;
  volumes: Volumes;
  allocateBlockId(): number;
  /** Makes the written blocks part of the namespace (the file becomes visible). */
  commit(blocks: BlockRecord[]): Promise<void>;
  /** Called exactly once when the writer is done, whatever the outcome. */
  finished(): void;
}

interface OpenBlock {
  id: number;
  volumes: number[];
  files: fsp.FileHandle[];
  length: number;
  sums: Buffer;
}

/**
 * Writes a dfs file as a pipeline of blocks: bytes are cut at block boundaries, every block goes to
 * `replication` volumes with a CRC32C per 512-byte chunk, and each finished block is fsynced (bytes and
 * .meta). Nothing is visible until close() commits the block list to the namespace; a failure or abort deletes
 * every replica written, and a crash leaves only unreferenced replicas, which the store removes when it opens.
 */
export class DfsWriter implements WritableFile {
  private readonly blocks: BlockRecord[] = [];
  private current: OpenBlock | undefined;
  private readonly buf: Buffer;
  private bufLen = 0;
  private state: 'open' | 'closing' | 'closed' | 'failed' = 'open';

  constructor(private readonly ctx: WriterContext) {
    this.buf = Buffer.allocUnsafe(Math.min(WRITE_BUFFER, ctx.blockSize));
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open') {
      throw new EddyError('CLOSED', `${describeValue(this.ctx.uri)} is no longer open for writing (${this.state})`);
    }
    try {
      let off = 0;
      while (off < chunk.length) {
        const room = Math.min(this.buf.length - this.bufLen, this.roomInBlock() - this.bufLen);
        const n = Math.min(room, chunk.length - off);
        this.buf.set(chunk.subarray(off, off + n), this.bufLen);
        this.bufLen += n;
        off += n;
        if (this.bufLen === this.buf.length || this.bufLen === this.roomInBlock()) await this.flush();
      }
    } catch (e) {
      await this.fail();
      throw ioError(e, 'write', this.ctx.uri);
    }
  }

  private roomInBlock(): number {
    return this.ctx.blockSize - (this.current?.length ?? 0);
  }

  private async flush(): Promise<void> {
    if (this.bufLen === 0) return;
    const block = this.current ?? (await this.startBlock());
    const data = this.buf.subarray(0, this.bufLen);
    // The writes run on libuv's threads while this thread computes the checksums of the same (unchanging) bytes.
    const writing = Promise.all(block.files.map((fh) => writeAll(fh, data)));
    // Flushes start on chunk boundaries: the buffer and the block size are multiples of 512.
    const needed = Math.ceil((block.length + this.bufLen) / BYTES_PER_CHECKSUM) * 4;
    if (block.sums.length < needed) {
      // Grown as the block fills: a small file (a checkpoint entry) should not zero a whole block's checksums.
      const full = Math.ceil(this.ctx.blockSize / BYTES_PER_CHECKSUM) * 4;
      const grown = Buffer.alloc(Math.min(full, Math.max(needed, block.sums.length * 2)));
      block.sums.copy(grown);
      block.sums = grown;
    }
    checksumChunks(data, block.sums, block.length / BYTES_PER_CHECKSUM);
    await writing;
    block.length += this.bufLen;
    this.bufLen = 0;
    if (block.length === this.ctx.blockSize) await this.finishBlock();
  }

  private async startBlock(): Promise<OpenBlock> {
    const id = this.ctx.allocateBlockId();
    const volumes = this.ctx.volumes.placement(id, this.ctx.replication);
    const block: OpenBlock = {
      id,
      volumes,
      files: [],
      length: 0,
      sums: Buffer.alloc(0),
    };
    this.current = block;
    for (const v of volumes) block.files.push(await fsp.open(this.ctx.volumes.blockFile(v, id), 'wx'));
    return block;
  }

  private async finishBlock(): Promise<void> {
    const block = this.current!;
    const meta = Buffer.concat([
      metaHeader(),
      block.sums.subarray(0, Math.ceil(block.length / BYTES_PER_CHECKSUM) * 4),
    ]);
    await Promise.all(
      block.volumes.map(async (v, i) => {
        const fh = block.files[i]!;
        await fh.sync();
        const mh = await fsp.open(this.ctx.volumes.metaFile(v, block.id), 'wx');
        try {
          await writeAll(mh, meta);
          await mh.sync();
        } finally {
          await mh.close();
        }
      }),
    );
    await closeAll(block.files);
    block.files = [];
    this.blocks.push({ id: block.id, length: block.length, volumes: block.volumes });
    this.current = undefined;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state !== 'open') {
      throw new EddyError('CLOSED', `${describeValue(this.ctx.uri)} cannot be closed: it was ${this.state}`);
    }
    this.state = 'closing';
    try {
      await this.flush();
      if (this.current) await this.finishBlock();
    } catch (e) {
      await this.fail();
      throw ioError(e, 'write', this.ctx.uri);
    }
    try {
      await this.ctx.commit(this.blocks);
    } catch (e) {
      await this.fail();
      throw e;
    }
    this.state = 'closed';
    this.ctx.finished();
  }

  async abort(): Promise<void> {
    if (this.state === 'closed' || this.state === 'failed') return;
    await this.fail();
  }

  /** Drops everything written: the namespace never saw these blocks, so deleting them loses nothing. */
  private async fail(): Promise<void> {
    if (this.state === 'failed') return;
    this.state = 'failed';
    const all = [...this.blocks];
    if (this.current) {
      await closeAll(this.current.files);
      all.push({ id: this.current.id, length: this.current.length, volumes: this.current.volumes });
      this.current = undefined;
    }
    for (const b of all) for (const v of b.volumes) await this.ctx.volumes.deleteReplica(v, b.id).catch(() => {});
    this.ctx.finished();
  }
}

async function writeAll(fh: fsp.FileHandle, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length;) {
    const { bytesWritten } = await fh.write(data, off, data.length - off);
    off += bytesWritten;
  }
}

async function closeAll(files: fsp.FileHandle[]): Promise<void> {
  await Promise.all(files.map((f) => f.close().catch(() => {})));
}
