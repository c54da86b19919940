import { join } from 'node:path';
import { EddyError, describeValue, isEddyError } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';
import type {
  BlockLocation,
  CreateOptions,
  FileStatus,
  FileSystem,
  ReadableFile,
  WritableFile,
} from '../filesystem.js';
import { baseName, isWithin, parentPath, pathIn } from '../fs-path.js';
import { globStatus } from '../glob.js';
import { DfsReader } from './block-reader.js';
import { DfsWriter } from './block-writer.js';
import { runFsck, type FsckOptions, type FsckReport } from './fsck.js';
import { StoreLock } from './lock.js';
import { NameSystem } from './name-system.js';
import { fileLength, type BlockRecord, type FreedReplica, type Node } from './namespace.js';
import {
  checkBlockSize,
  checkReplication,
  makeConfig,
  readConfig,
  type FormatOptions,
  type StoreConfig,
} from './store-config.js';
import { checkNames, configOrCreate, mkdirOrFail, removeOrphans, writeStore } from './store-layout.js';
import { Volumes } from './volumes.js';

const log = getLogger('dfs');

export interface DfsOpenOptions {
  /** Settings for a store created because none exists yet (default: 1 volume, replication 1, 128 MiB). */
  format?: FormatOptions;
  /** Create the store if the folder holds none (default true); false: NOT_FOUND. */
  createIfMissing?: boolean;
  /** Ops between checkpoints of the fsimage (default 1000). */
  checkpointTxns?: number;
}

/**
 * `dfs://`: an HDFS-like store in one folder. `name/` holds the namespace (VERSION, fsimage, edits), `data/vol-N/`
 * the block replicas, `in_use.lock` the owning process. Start reading at open() and create().
 */
export class DistributedFileSystem implements FileSystem {
  readonly scheme = 'dfs';
  private readonly writing = new Set<string>();
  private readonly writers = new Set<DfsWriter>();
  private readonly bad = new Map<number, Map<number, string>>();
  /** Blocks open readers use (block id → readers), and dropped replicas waiting for them to close. */
  private readonly pinned = new Map<number, number>();
  private readonly deferred: FreedReplica[] = [];
  private closed = false;

  private constructor(
    readonly root: string,
    readonly config: StoreConfig,
    private readonly names: NameSystem,
    readonly volumes: Volumes,
    private readonly lock: StoreLock,
  ) {}

  /** Formats a store (as `hdfs namenode -format`): refuses to wipe an existing one unless `force`. */
  static async format(root: string, options: FormatOptions & { force?: boolean } = {}): Promise<StoreConfig> {
    const config = makeConfig(options);
    await mkdirOrFail(root);
    const lock = await StoreLock.acquire(join(root, 'in_use.lock'));
    try {
      if ((await readConfig(join(root, 'name'))) && !options.force) {
        throw new EddyError(
          'ALREADY_EXISTS',
          `a dfs store already exists in ${describeValue(root)}; pass force to erase it and format anew`,
        );
      }
      await writeStore(root, config);
      return config;
    } finally {
      await lock.release();
    }
  }

  static async open(root: string, options: DfsOpenOptions = {}): Promise<DistributedFileSystem> {
    if (root.includes('\0'))
      throw new EddyError('INVALID_ARGUMENT', `store folder ${describeValue(root)} contains a NUL byte`);
    await mkdirOrFail(root);
    const lock = await StoreLock.acquire(join(root, 'in_use.lock'));
    try {
      const config = await configOrCreate(root, options.createIfMissing !== false, options.format ?? {});
      const uriOf = (p: string): string => `dfs://${p}`;
      const names = await NameSystem.load(join(root, 'name'), uriOf, options.checkpointTxns ?? 1000);
      const volumes = new Volumes(join(root, 'data'), config.volumes);
      await volumes.init();
      const dfs = new DistributedFileSystem(root, config, names, volumes, lock);
      await removeOrphans(root, names, volumes);
      return dfs;
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  uri(path: string): string {
    return `dfs://${pathIn(this.scheme, path)}`;
  }

  private node(path: string): Node {
    const node = this.names.ns.lookup(path);
    if (!node) throw new EddyError('NOT_FOUND', `${describeValue(this.uri(path))} does not exist`);
    return node;
  }

  private status(path: string, node: Node): FileStatus {
    const file = node.kind === 'file';
    return {
      uri: `dfs://${path}`,
      path,
      name: baseName(path),
      isDirectory: !file,
      length: file ? fileLength(node) : 0,
      modificationTime: node.mtime,
      blockSize: file ? node.blockSize : this.config.blockSize,
      replication: file ? node.replication : 0,
    };
  }

  async stat(path: string): Promise<FileStatus> {
    this.checkOpen();
    const p = pathIn(this.scheme, path);
    return this.status(p, this.node(p));
  }

  async exists(path: string): Promise<boolean> {
    this.checkOpen();
    return this.names.ns.lookup(pathIn(this.scheme, path)) !== undefined;
  }

  async list(path: string): Promise<FileStatus[]> {
    this.checkOpen();
    const p = pathIn(this.scheme, path);
    const node = this.node(p);
    if (node.kind === 'file') return [this.status(p, node)];
    return [...node.children.keys()].sort().map((name) => {
      const child = p === '/' ? `/${name}` : `${p}/${name}`;
      return this.status(child, node.children.get(name)!);
    });
  }

  glob(pattern: string): Promise<FileStatus[]> {
    return globStatus(this, pattern);
  }

  async mkdirs(path: string): Promise<void> {
    this.checkOpen();
    const p = pathIn(this.scheme, path);
    if (this.names.ns.lookup(p)?.kind === 'dir') return;
    checkNames(p);
    await this.names.commit({ op: 'mkdirs', path: p, mtime: Date.now() });
  }

  async open(path: string): Promise<ReadableFile> {
    this.checkOpen();
    const p = pathIn(this.scheme, path);
    const node = this.node(p);
    if (node.kind !== 'file') {
      throw new EddyError('INVALID_ARGUMENT', `cannot open ${describeValue(this.uri(p))}: it is a directory`);
    }
    const blocks = node.blocks.map((b) => ({ ...b, volumes: [...b.volumes] }));
    for (const b of blocks) this.pinned.set(b.id, (this.pinned.get(b.id) ?? 0) + 1);
    return new DfsReader({
      uri: this.uri(p),
      blocks,
      volumes: this.volumes,
      reportBad: (id, vol, reason) => this.reportBad(p, id, vol, reason),
      isBad: (id, vol) => this.bad.get(id)?.has(vol) ?? false,
      released: () => this.unpin(blocks.map((b) => b.id)),
    });
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
    this.checkOpen();
    const p = pathIn(this.scheme, path);
    if (p === '/') throw new EddyError('INVALID_ARGUMENT', 'cannot create a file at the root "/"');
    checkNames(p);
    const blockSize = checkBlockSize(options.blockSize ?? this.config.blockSize);
    const replication = checkReplication(options.replication ?? this.config.replication, this.config.volumes);
    const existing = this.names.ns.lookup(p);
    if (existing?.kind === 'dir') {
      throw new EddyError('ALREADY_EXISTS', `cannot create ${describeValue(this.uri(p))}: it is a directory`);
    }
    if (existing && !options.overwrite) {
      throw new EddyError(
        'ALREADY_EXISTS',
        `${describeValue(this.uri(p))} already exists; delete it first or pass overwrite: true`,
      );
    }
    const parent = this.names.ns.lookup(parentPath(p));
    for (let a = parentPath(p); a !== '/'; a = parentPath(a)) {
      if (this.names.ns.lookup(a)?.kind === 'file') {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `cannot create ${describeValue(this.uri(p))}: ${describeValue(this.uri(a))} is a file`,
        );
      }
    }
    if (!parent && options.createParents === false) {
      throw new EddyError('NOT_FOUND', `parent directory ${describeValue(this.uri(parentPath(p)))} does not exist`);
    }
    return this.writer(p, blockSize, replication, async (blocks) => {
      await this.free(
        await this.names.commit({
          op: 'addFile',
          path: p,
          mtime: Date.now(),
          blockSize,
          replication,
          blocks,
          overwrite: options.overwrite === true,
        }),
      );
    });
  }

  private writer(
    p: string,
    blockSize: number,
    replication: number,
    commit: (blocks: BlockRecord[]) => Promise<void>,
  ): DfsWriter {
    if (this.writing.has(p)) {
      throw new EddyError('ALREADY_EXISTS', `${describeValue(this.uri(p))} is being written by another writer`);
    }
    this.writing.add(p);
    const w: DfsWriter = new DfsWriter({
      uri: this.uri(p),
      blockSize,
      replication,
      volumes: this.volumes,
      allocateBlockId: () => this.names.nextBlockId++,
      commit,
      finished: () => {
        this.writing.delete(p);
        this.writers.delete(w);
      },
    });
    this.writers.add(w);
    return w;
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

  /**
   * Appends by copy-on-write of the last, partial block: the new bytes and a copy of that block's bytes go to
   * fresh blocks, and close() swaps the block list in one edit, so the file is unchanged until then.
   */
  async append(path: string): Promise<WritableFile> {
    this.checkOpen();
    const p = pathIn(this.scheme, path);
    const node = this.node(p);
    if (node.kind !== 'file') {
      throw new EddyError('INVALID_ARGUMENT', `cannot append to ${describeValue(this.uri(p))}: it is a directory`);
    }
    const before = node.blocks.map((b) => ({ ...b, volumes: [...b.volumes] }));
    const last = before[before.length - 1];
    const keep = last && last.length < node.blockSize ? before.slice(0, -1) : before;
    let tail: Uint8Array | undefined;
    if (keep.length < before.length) {
      const f = await this.open(p);
      try {
        tail = await f.read(f.length - last!.length, last!.length);
      } finally {
        await f.close();
      }
    }
    const w = this.writer(p, node.blockSize, node.replication, async (blocks) => {
      await this.free(
        await this.names.commit({
          op: 'updateBlocks',
          path: p,
          mtime: Date.now(),
          blocks: [...keep, ...blocks],
          expectIds: before.map((b) => b.id),
        }),
      );
    });
    if (tail) await w.write(tail);
    return w;
  }

  async rename(from: string, to: string): Promise<void> {
    this.checkOpen();
    const src = pathIn(this.scheme, from, 'rename source');
    const dst = pathIn(this.scheme, to, 'rename destination');
    if (src === dst && this.names.ns.lookup(src)) return;
    checkNames(dst);
    for (const w of this.writing) {
      if (isWithin(w, src)) {
        throw new EddyError(
          'ILLEGAL_STATE',
          `cannot rename ${describeValue(this.uri(src))}: ${describeValue(this.uri(w))} is being written`,
        );
      }
    }
    await this.names.commit({ op: 'rename', from: src, to: dst, mtime: Date.now() });
  }

  async delete(path: string, recursive = false): Promise<boolean> {
    this.checkOpen();
    const p = pathIn(this.scheme, path);
    if (p === '/') throw new EddyError('INVALID_ARGUMENT', 'refusing to delete the root "/"');
    if (!this.names.ns.lookup(p)) return false;
    try {
      await this.free(await this.names.commit({ op: 'delete', path: p, recursive, mtime: Date.now() }));
    } catch (e) {
      if (isEddyError(e, 'NOT_FOUND')) return false;
      throw e;
    }
    return true;
  }

  /** The blocks of a file with their replicas' volume indexes (what `fsck -files -blocks` shows). */
  blocksOf(path: string): BlockRecord[] {
    this.checkOpen();
    const p = pathIn(this.scheme, path);
    const node = this.node(p);
    if (node.kind !== 'file') throw new EddyError('INVALID_ARGUMENT', `${describeValue(this.uri(p))} is a directory`);
    return node.blocks.map((b) => ({ ...b, volumes: [...b.volumes] }));
  }

  async blockLocations(path: string, start: number, length: number): Promise<BlockLocation[]> {
    this.checkOpen();
    const p = pathIn(this.scheme, path);
    const node = this.node(p);
    if (node.kind !== 'file') return [];
    const out: BlockLocation[] = [];
    let off = 0;
    const end = start + length;
    for (const b of node.blocks) {
      if (off + b.length > start && off < end) {
        out.push({ offset: off, length: b.length, hosts: b.volumes.map((v) => this.volumes.name(v)) });
      }
      off += b.length;
    }
    return out;
  }

  /**
   * Sets the replication of a file, or of every file below a directory (as `hadoop fs -setrep`): new replicas
   * are copied from a verified one before the change is logged; dropped ones are deleted after.
   */
  async setReplication(path: string, replication: number): Promise<number> {
    this.checkOpen();
    const p = pathIn(this.scheme, path);
    checkReplication(replication, this.config.volumes);
    this.node(p);
    let changed = 0;
    for (const [fp, f] of [...this.names.ns.files(p)]) {
      if (f.replication === replication && f.blocks.every((b) => b.volumes.length === replication)) continue;
      const blocks: BlockRecord[] = [];
      for (const b of f.blocks) {
        let vols = b.volumes.slice(0, replication);
        if (vols.length < replication) {
          const good = await this.goodReplica(fp, b);
          const extra = this.volumes.placement(b.id, replication - vols.length, vols);
          for (const v of extra) await this.volumes.copyReplica(good, v, b.id);
          vols = [...vols, ...extra];
        }
        blocks.push({ id: b.id, length: b.length, volumes: vols });
      }
      await this.free(
        await this.names.commit({
          op: 'setReplication',
          path: fp,
          replication,
          blocks,
          expectIds: f.blocks.map((b) => b.id),
        }),
      );
      changed++;
    }
    return changed;
  }

  /** A volume holding a fully verified replica of `b`; CORRUPT_DATA if there is none. */
  async goodReplica(path: string, b: BlockRecord): Promise<number> {
    for (const v of b.volumes) {
      const st = await this.volumes.verifyReplica(v, b.id, b.length);
      if (st.ok) return v;
      this.reportBad(path, b.id, v, st.reason);
    }
    throw new EddyError(
      'CORRUPT_DATA',
      `block blk_${b.id} of ${describeValue(this.uri(path))} has no good replica to copy from; restore the file from a copy`,
    );
  }

  /** Checks every replica below `path` (HDFS's fsck plus a block scan) and, with `repair`, re-replicates. */
  fsck(path = '/', options: FsckOptions = {}): Promise<FsckReport> {
    this.checkOpen();
    return runFsck(
      {
        ns: this.names.ns,
        volumes: this.volumes,
        uri: (p) => this.uri(p),
        setLocations: async (p, blockId, volumes) =>
          this.free(await this.names.commit({ op: 'setLocations', path: p, blockId, volumes })),
        reportBad: (p, id, vol, reason) => this.reportBad(p, id, vol, reason),
        clearBad: (id, vol) => this.bad.get(id)?.delete(vol),
      },
      pathIn(this.scheme, path),
      options,
    );
  }

  /** Replicas reads found bad since the store opened: blockId → volume → reason. */
  get badReplicas(): ReadonlyMap<number, ReadonlyMap<number, string>> {
    return this.bad;
  }

  private reportBad(path: string, id: number, vol: number, reason: string): void {
    let m = this.bad.get(id);
    if (!m) this.bad.set(id, (m = new Map()));
    if (!m.has(vol)) {
      log.warn(`bad replica of blk_${id} (${this.uri(path)}) on ${this.volumes.name(vol)}: ${reason}`);
    }
    m.set(vol, reason);
  }

  /**
   * Deletes replicas the namespace dropped. Those of blocks an open reader still uses wait until the last such
   * reader closes, so deleting or overwriting a file never pulls bytes from under a reader (as on POSIX).
   */
  private async free(replicas: FreedReplica[]): Promise<void> {
    for (const r of replicas) {
      if (this.pinned.has(r.id)) {
        this.deferred.push(r);
        continue;
      }
      // A replica left behind is an orphan the next open removes; the namespace is already right.
      await this.volumes.deleteReplica(r.volume, r.id).catch((e) => log.warn(`could not delete blk_${r.id}`, e));
      this.bad.get(r.id)?.delete(r.volume);
    }
  }

  private async unpin(ids: number[]): Promise<void> {
    let unpinned = false;
    for (const id of ids) {
      const n = (this.pinned.get(id) ?? 1) - 1;
      if (n > 0) this.pinned.set(id, n);
      else {
        this.pinned.delete(id);
        unpinned = true;
      }
    }
    if (!unpinned || this.deferred.length === 0 || this.closed) return;
    // A dropped replica may have been added back meanwhile (setReplication, fsck): delete only what is still unused.
    const referenced = this.names.ns.referencedReplicas();
    const ready = this.deferred.filter((r) => !this.pinned.has(r.id));
    this.deferred.splice(0, this.deferred.length, ...this.deferred.filter((r) => this.pinned.has(r.id)));
    const drop = ready.filter((r) => !referenced.get(r.id)?.includes(r.volume));
    await this.free(drop);
  }

  /** Writes the fsimage now and empties the edit log. */
  checkpoint(): Promise<void> {
    this.checkOpen();
    return this.names.exclusive(() => this.names.checkpoint());
  }

  get lastTxid(): number {
    return this.names.lastTxid;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Aborts unfinished writers, checkpoints the namespace and releases the store's lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.writers]) await w.abort();
    try {
      await this.names.close();
    } finally {
      await this.lock.release();
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new EddyError('CLOSED', `the dfs store ${describeValue(this.root)} is closed`);
  }
}
