import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { EddyError, describeValue, isEddyError } from '../common/errors.js';
import type { BlockLocation, CreateOptions, FileStatus, FileSystem, ReadableFile, WritableFile } from './filesystem.js';
import { baseName, isWithin, parentPath, pathIn } from './fs-path.js';
import { globStatus } from './glob.js';
import { errnoOf, ioError } from './io-error.js';

/** What a local file reports as its block size: HDFS's dfs.blocksize default, so splits match dfs's. */
export const LOCAL_BLOCK_SIZE = 128 * 1024 * 1024;
/** Size of the pieces stream() yields. */
const STREAM_CHUNK = 1024 * 1024;
/** In-progress files are `.<name>.eddy-<random>.tmp`: hidden (Hadoop skips `.` names) and never listed. */
const TEMP_RE = /^\..+\.eddy-[0-9a-f]{12}\.tmp$/;

/**
 * The local disk as a FileSystem (`file:///abs/path`). A created file is written to a hidden temp file beside
 * the target, fsynced, then renamed (or hard-linked, when it must not replace anything) into place and the
 * directory fsynced: a crashed or aborted writer leaves nothing visible under the target's name.
 */
export class LocalFileSystem implements FileSystem {
  readonly scheme: string = 'file';

  uri(path: string): string {
    return `file://${pathIn(this.scheme, path)}`;
  }

  async stat(path: string): Promise<FileStatus> {
    const p = pathIn(this.scheme, path);
    let st: Stats;
    try {
      st = await fsp.stat(p);
    } catch (e) {
      throw ioError(e, 'stat', this.uri(p));
    }
    return this.status(p, st);
  }

  private status(p: string, st: Stats): FileStatus {
    return {
      uri: this.uri(p),
      path: p,
      name: baseName(p),
      isDirectory: st.isDirectory(),
      length: st.isDirectory() ? 0 : st.size,
      modificationTime: Math.floor(st.mtimeMs),
      blockSize: LOCAL_BLOCK_SIZE,
      replication: 1,
    };
  }

  async exists(path: string): Promise<boolean> {
    const p = pathIn(this.scheme, path);
    try {
      await fsp.stat(p);
      return true;
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return false;
      throw ioError(e, 'stat', this.uri(p));
    }
  }

  async list(path: string): Promise<FileStatus[]> {
    const p = pathIn(this.scheme, path);
    const st = await this.stat(p);
    if (!st.isDirectory) return [st];
    let names: string[];
    try {
      names = await fsp.readdir(p);
    } catch (e) {
      throw ioError(e, 'list', this.uri(p));
    }
    const out: FileStatus[] = [];
    for (const name of names.sort()) {
      if (TEMP_RE.test(name)) continue;
      const child = p === '/' ? `/${name}` : `${p}/${name}`;
      try {
        out.push(this.status(child, await fsp.stat(child)));
      } catch (e) {
        // Deleted between readdir and stat, or a dangling symlink: not there to list.
        if (errnoOf(e) !== 'ENOENT') throw ioError(e, 'stat', this.uri(child));
      }
    }
    return out;
  }

  glob(pattern: string): Promise<FileStatus[]> {
    return globStatus(this, pattern);
  }

  async mkdirs(path: string): Promise<void> {
    const p = pathIn(this.scheme, path);
    try {
      await fsp.mkdir(p, { recursive: true });
    } catch (e) {
      if (errnoOf(e) === 'EEXIST' || errnoOf(e) === 'ENOTDIR') {
        throw new EddyError(
          'ALREADY_EXISTS',
          `cannot create directory ${describeValue(this.uri(p))}: it or one of its parents is a file`,
          { cause: e },
        );
      }
      throw ioError(e, 'mkdirs', this.uri(p));
    }
  }

  async open(path: string): Promise<ReadableFile> {
    const p = pathIn(this.scheme, path);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(p, 'r');
    } catch (e) {
      throw ioError(e, 'open', this.uri(p));
    }
    try {
      const st = await fh.stat();
      if (st.isDirectory()) {
        throw new EddyError('INVALID_ARGUMENT', `cannot open ${describeValue(this.uri(p))}: it is a directory`);
      }
      return new LocalReadableFile(fh, st.size, this.uri(p));
    } catch (e) {
      await fh.close();
      throw ioError(e, 'open', this.uri(p));
    }
  }

  async readFile(path: string): Promise<Uint8Array> {
    const f = await this.open(path);
    try {
      return await f.read(0, f.length);
    } finally {
      await f.close();
    }
  }

  async create(path: string, options: CreateOptions = {}): Promise<WritableFile> {
    const p = pathIn(this.scheme, path);
    if (p === '/') throw new EddyError('INVALID_ARGUMENT', `cannot create a file at the root "/"`);
    const dir = parentPath(p);
    const existing = await this.statOrNull(p);
    if (existing?.isDirectory) {
      throw new EddyError('ALREADY_EXISTS', `cannot create ${describeValue(this.uri(p))}: it is a directory`);
    }
    if (existing && !options.overwrite) {
      throw new EddyError(
        'ALREADY_EXISTS',
        `${describeValue(this.uri(p))} already exists; delete it first or pass overwrite: true`,
      );
    }
    const dirSt = await this.statOrNull(dir);
    if (!dirSt) {
      if (options.createParents === false) {
        throw new EddyError('NOT_FOUND', `parent directory ${describeValue(this.uri(dir))} does not exist`);
      }
      await this.mkdirs(dir);
    } else if (!dirSt.isDirectory) {
      throw new EddyError('INVALID_ARGUMENT', `cannot create ${describeValue(this.uri(p))}: its parent is a file`);
    }
    const tmp = `${dir === '/' ? '' : dir}/.${baseName(p)}.eddy-${randomBytes(6).toString('hex')}.tmp`;
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (e) {
      throw ioError(e, 'create', this.uri(p));
    }
    return new LocalWritableFile(
      fh,
      this.uri(p),
      async () => {
        try {
          if (options.overwrite) {
            await fsp.rename(tmp, p);
          } else {
            // link() refuses to replace, so a file that appeared meanwhile is never clobbered.
            await linkOrRename(tmp, p);
          }
        } catch (e) {
          await fsp.rm(tmp, { force: true });
          if (errnoOf(e) === 'EEXIST') {
            throw new EddyError(
              'ALREADY_EXISTS',
              `${describeValue(this.uri(p))} was created by someone else while this file was being written`,
              { cause: e },
            );
          }
          throw ioError(e, 'commit', this.uri(p));
        }
        await fsyncDir(dir);
      },
      () => fsp.rm(tmp, { force: true }),
    );
  }

  async writeFile(path: string, data: Uint8Array | string, options?: CreateOptions): Promise<void> {
    const w = await this.create(path, options);
    try {
      await w.write(typeof data === 'string' ? Buffer.from(data) : data);
    } catch (e) {
      await w.abort();
      throw e;
    }
    await w.close();
  }

  async append(path: string): Promise<WritableFile> {
    const p = pathIn(this.scheme, path);
    const st = await this.stat(p);
    if (st.isDirectory) {
      throw new EddyError('INVALID_ARGUMENT', `cannot append to ${describeValue(this.uri(p))}: it is a directory`);
    }
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(p, 'a');
    } catch (e) {
      throw ioError(e, 'append', this.uri(p));
    }
    const size = st.length;
    // Appended bytes cannot be hidden on a local disk; abort() at least cuts the file back to where it was.
    return new LocalWritableFile(
      fh,
      this.uri(p),
      async () => {},
      () => fsp.truncate(p, size),
    );
  }

  async rename(from: string, to: string): Promise<void> {
    const src = pathIn(this.scheme, from, 'rename source');
    const dst = pathIn(this.scheme, to, 'rename destination');
    const st = await this.stat(src);
    if (src === '/' || dst === '/') throw new EddyError('INVALID_ARGUMENT', 'cannot rename the root "/"');
    if (src === dst) return;
    if (st.isDirectory && isWithin(dst, src)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `cannot move ${describeValue(this.uri(src))} into itself (${describeValue(this.uri(dst))})`,
      );
    }
    const dstDir = await this.statOrNull(parentPath(dst));
    if (!dstDir?.isDirectory) {
      throw new EddyError(
        'NOT_FOUND',
        `cannot rename to ${describeValue(this.uri(dst))}: its parent directory does not exist; create it first`,
      );
    }
    try {
      if (!st.isDirectory) {
        await linkOrRename(src, dst);
      } else {
        if (await this.exists(dst)) throw Object.assign(new Error('target exists'), { code: 'EEXIST' });
        await fsp.rename(src, dst);
      }
    } catch (e) {
      if (errnoOf(e) === 'EEXIST') {
        throw new EddyError('ALREADY_EXISTS', `cannot rename to ${describeValue(this.uri(dst))}: it exists`, {
          cause: e,
        });
      }
      throw ioError(e, 'rename', this.uri(src));
    }
    await fsyncDir(parentPath(dst));
    if (parentPath(dst) !== parentPath(src)) await fsyncDir(parentPath(src));
  }

  async delete(path: string, recursive = false): Promise<boolean> {
    const p = pathIn(this.scheme, path);
    if (p === '/') throw new EddyError('INVALID_ARGUMENT', 'refusing to delete the root "/"');
    const st = await this.statOrNull(p);
    if (!st) return false;
    try {
      if (!st.isDirectory) await fsp.unlink(p);
      else if (recursive) await fsp.rm(p, { recursive: true, force: true });
      else await fsp.rmdir(p);
    } catch (e) {
      if (errnoOf(e) === 'ENOTEMPTY' || errnoOf(e) === 'EEXIST') {
        throw new EddyError(
          'ILLEGAL_STATE',
          `directory ${describeValue(this.uri(p))} is not empty; delete it recursively to remove its contents`,
          { cause: e },
        );
      }
      if (errnoOf(e) === 'ENOENT') return false;
      throw ioError(e, 'delete', this.uri(p));
    }
    return true;
  }

  async blockLocations(path: string, start: number, length: number): Promise<BlockLocation[]> {
    const st = await this.stat(path);
    return fixedBlocks(st.length, LOCAL_BLOCK_SIZE, start, length, ['localhost']);
  }

  async close(): Promise<void> {}

  private async statOrNull(p: string): Promise<FileStatus | null> {
    try {
      return await this.stat(p);
    } catch (e) {
      if (isEddyError(e, 'NOT_FOUND') || (isEddyError(e) && errnoOf(e.cause) === 'ENOTDIR')) return null;
      throw e;
    }
  }
}

/** Block-aligned pieces of [start, start+length) for a file cut into blocks of `blockSize`. */
export function fixedBlocks(
  fileLength: number,
  blockSize: number,
  start: number,
  length: number,
  hosts: string[],
): BlockLocation[] {
  const end = Math.min(fileLength, start + length);
  const out: BlockLocation[] = [];
  for (let off = Math.floor(start / blockSize) * blockSize; off < end; off += blockSize) {
    out.push({ offset: off, length: Math.min(blockSize, fileLength - off), hosts: [...hosts] });
  }
  return out;
}

/**
 * link() + unlink() is an atomic "rename unless the target exists". On a file system without hard links, fall
 * back to check-then-rename, which has a small race but no other way to refuse replacing.
 */
async function linkOrRename(from: string, to: string): Promise<void> {
  try {
    await fsp.link(from, to);
  } catch (e) {
    const code = errnoOf(e);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
    try {
      await fsp.lstat(to);
      throw Object.assign(new Error(`${to} exists`), { code: 'EEXIST' });
    } catch (e2) {
      if (errnoOf(e2) !== 'ENOENT') throw e2;
    }
    await fsp.rename(from, to);
    return;
  }
  await fsp.unlink(from);
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

class LocalReadableFile implements ReadableFile {
  private closed = false;
  constructor(
    private readonly fh: fsp.FileHandle,
    readonly length: number,
    private readonly uri: string,
  ) {}

  async read(position: number, length: number): Promise<Uint8Array> {
    this.check(position, length);
    const n = Math.max(0, Math.min(length, this.length - position));
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      let r: number;
      try {
        ({ bytesRead: r } = await this.fh.read(buf, got, n - got, position + got));
      } catch (e) {
        throw ioError(e, 'read', this.uri);
      }
      if (r === 0) break;
      got += r;
    }
    return got === n ? buf : buf.subarray(0, got);
  }

  async *stream(start = 0, end = this.length): AsyncIterable<Uint8Array> {
    this.check(start, Math.max(0, end - start));
    const stop = Math.min(end, this.length);
    for (let pos = start; pos < stop;) {
      const chunk = await this.read(pos, Math.min(STREAM_CHUNK, stop - pos));
      if (chunk.length === 0) return;
      pos += chunk.length;
      yield chunk;
    }
  }

  private check(position: number, length: number): void {
    if (this.closed) throw new EddyError('CLOSED', `${describeValue(this.uri)} was closed`);
    if (!Number.isSafeInteger(position) || position < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `read of ${describeValue(this.uri)} at ${describeValue(position)} for ${describeValue(length)} bytes: both must be whole numbers ≥ 0`,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}

class LocalWritableFile implements WritableFile {
  private state: 'open' | 'closed' | 'aborted' = 'open';
  constructor(
    private readonly fh: fsp.FileHandle,
    private readonly uri: string,
    private readonly commit: () => Promise<void>,
    private readonly discard: () => Promise<void>,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.state !== 'open')
      throw new EddyError('CLOSED', `${describeValue(this.uri)} is no longer open for writing`);
    try {
      for (let off = 0; off < chunk.length;) {
        const { bytesWritten } = await this.fh.write(chunk, off, chunk.length - off);
        off += bytesWritten;
      }
    } catch (e) {
      throw ioError(e, 'write', this.uri);
    }
  }

  async close(): Promise<void> {
    if (this.state !== 'open') {
      if (this.state === 'closed') return;
      throw new EddyError('CLOSED', `${describeValue(this.uri)} was aborted; it cannot be closed`);
    }
    this.state = 'closed';
    try {
      await this.fh.sync();
    } catch (e) {
      await this.fh.close().catch(() => {});
      await this.discard().catch(() => {});
      throw ioError(e, 'sync', this.uri);
    }
    await this.fh.close();
    await this.commit();
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.fh.close().catch(() => {});
    await this.discard();
  }
}
