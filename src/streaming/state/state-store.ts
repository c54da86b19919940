import { EddyError, isEddyError } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';

/**
 * The key-value state of one stateful operator's partition (aggregation buffers, dedup keys), versioned with the
 * query's batches as Spark's HDFS-backed state store is: version V is the state after batch V-1 committed
 * (version 0 is empty). Committing version V writes `<V>.delta` (the changes since V-1) and, every
 * `snapshotInterval` versions, `<V>.snapshot` (the whole map), so a restart rebuilds any committed version
 * from the newest snapshot at or below it plus the deltas after it. Each file starts with a version line.
 * Re-running a batch after a crash rewrites the same delta with the same content, so recovery is idempotent.
 */

export type StateValue = unknown;

const FORMAT = 'v1';

export interface StateStoreOptions {
  snapshotInterval?: number;
}

export class StateStore {
  private readonly changes = new Map<string, StateValue | typeof REMOVED>();
  private committed = false;

  private constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    /** The version this store was loaded at; commit() writes version + 1. */
    readonly version: number,
    private readonly map: Map<string, StateValue>,
    private readonly snapshotInterval: number,
  ) {}

  static async load(
    fs: FileSystem,
    dir: string,
    version: number,
    options: StateStoreOptions = {},
  ): Promise<StateStore> {
    const snapshotInterval = options.snapshotInterval ?? 10;
    const map = new Map<string, StateValue>();
    if (version > 0) {
      const files = (await fs.exists(dir)) ? (await fs.list(dir)).map((s) => s.name) : [];
      const snapshots = files
        .map((n) => /^(\d+)\.snapshot$/.exec(n))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
        .filter((v) => v <= version)
        .sort((a, b) => b - a);
      let from = 0;
      if (snapshots.length > 0) {
        from = snapshots[0]!;
        for (const [k, v] of await readEntries(fs, `${dir}/${from}.snapshot`)) map.set(k, v);
      }
      for (let v = from + 1; v <= version; v++) {
        const path = `${dir}/${v}.delta`;
        let entries: [string, StateValue?][];
        try {
          entries = await readEntries(fs, path);
        } catch (e) {
          if (isEddyError(e, 'NOT_FOUND')) {
            throw new EddyError(
              'CORRUPT_DATA',
              `state version ${version} cannot be rebuilt: ${fs.uri(path)} is missing. The checkpoint is incomplete; ` +
                `restore it or start the query from a new checkpointLocation`,
              { cause: e },
            );
          }
          throw e;
        }
        for (const entry of entries) {
          if (entry.length === 1) map.delete(entry[0]);
          else map.set(entry[0], entry[1]);
        }
      }
    }
    return new StateStore(fs, dir, version, map, snapshotInterval);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): StateValue | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  put(key: string, value: StateValue): void {
    this.map.set(key, value);
    this.changes.set(key, value);
  }

  remove(key: string): void {
    if (this.map.delete(key)) this.changes.set(key, REMOVED);
  }

  entries(): IterableIterator<[string, StateValue]> {
    return this.map.entries();
  }

  /** Number of keys updated or removed since load. */
  get numUpdated(): number {
    return this.changes.size;
  }

  /** Writes version + 1 durably and returns it. */
  async commit(): Promise<number> {
    if (this.committed)
      throw new EddyError('ILLEGAL_STATE', `state store ${this.dir} was already committed at ${this.version + 1}`);
    const next = this.version + 1;
    await this.fs.mkdirs(this.dir);
    const delta = [...this.changes].map(([k, v]) => JSON.stringify(v === REMOVED ? [k] : [k, v]));
    await this.fs.writeFile(`${this.dir}/${next}.delta`, [FORMAT, ...delta].join('\n'), { overwrite: true });
    if (next % this.snapshotInterval === 0) {
      const all = [...this.map].map(([k, v]) => JSON.stringify([k, v]));
      await this.fs.writeFile(`${this.dir}/${next}.snapshot`, [FORMAT, ...all].join('\n'), { overwrite: true });
    }
    this.committed = true;
    return next;
  }

  /** Removes files no longer needed to rebuild versions ≥ minVersionToKeep. */
  async purge(minVersionToKeep: number): Promise<void> {
    if (!(await this.fs.exists(this.dir))) return;
    const names = (await this.fs.list(this.dir)).map((s) => s.name);
    const base = names
      .map((n) => /^(\d+)\.snapshot$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .filter((v) => v <= minVersionToKeep)
      .sort((a, b) => b - a)[0];
    if (base === undefined) return;
    for (const n of names) {
      const m = /^(\d+)\.(delta|snapshot)$/.exec(n);
      if (m && Number(m[1]) < base) await this.fs.delete(`${this.dir}/${n}`);
    }
  }
}

const REMOVED = Symbol('removed');

async function readEntries(fs: FileSystem, path: string): Promise<[string, StateValue?][]> {
  const text = Buffer.from(await fs.readFile(path)).toString('utf8');
  const lines = text.split('\n');
  if (lines[0] !== FORMAT) {
    throw new EddyError(
      'CORRUPT_DATA',
      `${fs.uri(path)} starts with ${JSON.stringify(lines[0]?.slice(0, 20))}, not the version line ${FORMAT}; ` +
        `the state is damaged or from a newer Eddy`,
    );
  }
  const out: [string, StateValue?][] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    try {
      out.push(JSON.parse(lines[i]!) as [string, StateValue?]);
    } catch (e) {
      throw new EddyError('CORRUPT_DATA', `${fs.uri(path)} line ${i + 1} is not valid state: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  return out;
}
