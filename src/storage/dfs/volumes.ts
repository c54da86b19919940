import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { ioError } from '../io-error.js';
import { BYTES_PER_CHECKSUM, META_HEADER_BYTES, parseMeta, verifyChunks } from './block-meta.js';

/** What a replica on disk looks like after a full check. */
export type ReplicaState = { ok: true } | { ok: false; missing: boolean; reason: string };

const BLOCK_RE = /^blk_(\d+)(\.meta)?$/;

/**
 * The datanodes: `data/vol-N/` folders, each holding replicas as `blk_<id>` (the bytes) and `blk_<id>.meta`
 * (the checksums). Replicas are immutable once written; repairs write a fresh copy under a temp name and
 * rename it into place.
 */
export class Volumes {
  constructor(
    readonly dataDir: string,
    readonly count: number,
  ) {}

  name(vol: number): string {
    return `vol-${vol}`;
  }

  dir(vol: number): string {
    return join(this.dataDir, this.name(vol));
  }

  blockFile(vol: number, id: number): string {
    return join(this.dir(vol), `blk_${id}`);
  }

  metaFile(vol: number, id: number): string {
    return join(this.dir(vol), `blk_${id}.meta`);
  }

  async init(): Promise<void> {
    for (let v = 0; v < this.count; v++) {
      try {
        await fsp.mkdir(this.dir(v), { recursive: true });
      } catch (e) {
        throw ioError(e, 'create volume', this.dir(v));
      }
    }
  }

  /** `replication` distinct volumes for a block, rotating the first by block id to spread the load. */
  placement(id: number, replication: number, exclude: number[] = []): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.count && out.length < replication; k++) {
      const v = (id + k) % this.count;
      if (!exclude.includes(v)) out.push(v);
    }
    return out;
  }

  /** Every file in every volume: block replicas, their .meta files and anything else (temp files). */
  async scan(): Promise<{ vol: number; file: string; id: number | undefined }[]> {
    const out: { vol: number; file: string; id: number | undefined }[] = [];
    for (let v = 0; v < this.count; v++) {
      let names: string[];
      try {
        names = await fsp.readdir(this.dir(v));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw ioError(e, 'scan volume', this.dir(v));
      }
      for (const n of names) {
        const m = BLOCK_RE.exec(n);
        out.push({ vol: v, file: join(this.dir(v), n), id: m ? Number(m[1]) : undefined });
      }
    }
    return out;
  }

  async deleteReplica(vol: number, id: number): Promise<void> {
    await fsp.rm(this.blockFile(vol, id), { force: true });
    await fsp.rm(this.metaFile(vol, id), { force: true });
  }

  /** Reads and checks a whole replica: both files present, the length as recorded, every chunk's checksum. */
  async verifyReplica(vol: number, id: number, length: number): Promise<ReplicaState> {
    let data: Buffer;
    let meta: Buffer;
    try {
      [data, meta] = await Promise.all([fsp.readFile(this.blockFile(vol, id)), fsp.readFile(this.metaFile(vol, id))]);
    } catch (e) {
      const errno = (e as NodeJS.ErrnoException).code;
      if (errno === 'ENOENT') return { ok: false, missing: true, reason: 'replica missing' };
      return { ok: false, missing: false, reason: `unreadable (${errno ?? String(e)})` };
    }
    if (data.length !== length) {
      return { ok: false, missing: false, reason: `length ${data.length}, expected ${length}` };
    }
    let sums: Buffer;
    try {
      sums = parseMeta(meta, this.metaFile(vol, id));
    } catch {
      return { ok: false, missing: false, reason: 'damaged .meta header' };
    }
    if (sums.length !== Math.ceil(length / BYTES_PER_CHECKSUM) * 4) {
      return { ok: false, missing: false, reason: 'checksum count does not match the length' };
    }
    const bad = verifyChunks(data, sums, 0);
    return bad < 0
      ? { ok: true }
      : { ok: false, missing: false, reason: `checksum mismatch in the chunk at byte ${bad}` };
  }

  /** Copies a (verified) replica to another volume, or over a bad replica, via temp files and renames. */
  async copyReplica(from: number, to: number, id: number): Promise<void> {
    const suffix = `.${randomBytes(4).toString('hex')}.tmp`;
    const pairs: [string, string][] = [
      [this.blockFile(from, id), this.blockFile(to, id)],
      [this.metaFile(from, id), this.metaFile(to, id)],
    ];
    try {
      await fsp.mkdir(this.dir(to), { recursive: true });
      for (const [src, dst] of pairs) {
        await fsp.copyFile(src, dst + suffix);
        const fh = await fsp.open(dst + suffix, 'r+');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      // The meta file first: a crash between the renames leaves data and checksums that disagree, which the
      // next read or fsck reports as a corrupt replica and repairs, never as silently wrong bytes.
      await fsp.rename(pairs[1]![1] + suffix, pairs[1]![1]);
      await fsp.rename(pairs[0]![1] + suffix, pairs[0]![1]);
    } catch (e) {
      for (const [, dst] of pairs) await fsp.rm(dst + suffix, { force: true }).catch(() => {});
      throw ioError(e, `copy replica blk_${id} from ${this.name(from)} to`, this.name(to));
    }
  }

  static metaLength(blockLength: number): number {
    return META_HEADER_BYTES + Math.ceil(blockLength / BYTES_PER_CHECKSUM) * 4;
  }
}
