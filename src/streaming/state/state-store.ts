import { EddyError, isEddyError } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';

/**
 * The key-value state of one stateful operator's partition (aggregation buffers, dedup keys), versioned with the
 * query's batches as Spark's HDFS-backed state store is: version V is the state after batch V-1 committed
 * (version 0 is empty). Committing version V writes `<V>.delta` (the changes since V-1) and, every
 * `snapshotInterval` versions, `<V>.snapshot` (the whole map), so a restart rebuilds any committed version
 * from the newest snapshot at or below it plus the deltas after it. Each file starts with a version line.
 * Re-running a batch after a crash rewrites the same delta with the same content, so recovery is idempotent.
 *
 * Between batches of one running query the committed map stays in memory (Spark's provider keeps its loaded
 * versions too): `load(..., { reuse })` continues from the store that committed the version asked for instead of
 * reading files again. Changes made during a batch live in an overlay and reach the shared map only once their
 * delta is durable, so a batch that fails before its commit leaves the committed version untouched.
 */

export type StateValue = unknown;

const FORMAT = 'v1';

/**
 * How values are kept in memory versus in files. Operators keep live objects (decoded keys, aggregate buffers) in
 * memory and pay for JSON only for the keys a batch changed; the default keeps JSON values as they are.
 */
export interface StateCodec<V> {
  /** The value as JSON text for a state file; `key` is its state key, which an encoding may reuse. */
  toJson(value: V, key: string): string;
  /** The value from its parsed JSON. */
  fromJson(json: unknown): V;
}

export interface StateStoreOptions<V = StateValue> {
  snapshotInterval?: number;
  codec?: StateCodec<V>;
  /** The store of the previous batch: reused without reading files when it committed exactly `version`. */
  reuse?: StateStore<V> | null;
}

const identity: StateCodec<StateValue> = { toJson: (v) => JSON.stringify(v), fromJson: (j) => j };

export class StateStore<V = StateValue> {
  private readonly changes = new Map<string, V | typeof REMOVED>();
  private sizeNow: number;
  private committed = false;
  private numCommitted = 0;
  /** The folder exists (it does once this store's map was read from it or a version was committed to it). */
  private dirMade = false;
  /** True when this store continues the `reuse` store given to load() (its map, not files, was the start). */
  continued = false;

  private constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    /** The version this store was loaded at; commit() writes version + 1. */
    readonly version: number,
    /** The committed map at `version`, shared with the next batch's store once this one commits. */
    private readonly map: Map<string, V>,
    private readonly snapshotInterval: number,
    private readonly codec: StateCodec<V>,
  ) {
    this.sizeNow = map.size;
  }

  static async load<V = StateValue>(
    fs: FileSystem,
    dir: string,
    version: number,
    options: StateStoreOptions<V> = {},
  ): Promise<StateStore<V>> {
    const snapshotInterval = options.snapshotInterval ?? 10;
    const codec = options.codec ?? (identity as StateCodec<V>);
    const prev = options.reuse;
    if (prev && prev.committed && prev.dir === dir && prev.fs === fs && prev.version + 1 === version) {
      const next = new StateStore(fs, dir, version, prev.map, snapshotInterval, codec);
      next.dirMade = true;
      next.continued = true;
      return next;
    }
    const map = new Map<string, V>();
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
        for (const [k, v] of await readEntries(fs, `${dir}/${from}.snapshot`)) map.set(k, codec.fromJson(v));
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
          else map.set(entry[0], codec.fromJson(entry[1]));
        }
      }
    }
    return new StateStore(fs, dir, version, map, snapshotInterval, codec);
  }

  get size(): number {
    return this.sizeNow;
  }

  get(key: string): V | undefined {
    const c = this.changes.get(key);
    if (c !== undefined) return c === REMOVED ? undefined : c;
    return this.map.get(key);
  }

  /** The value committed at `version`, ignoring this batch's changes: one lookup, for keys the batch has not touched. */
  getCommitted(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Sets a key. Values are never undefined; a value object must not be changed after it is put. `present`, when
   * the caller has just looked the key up, says whether it is in the store, sparing a second lookup.
   */
  put(key: string, value: V, present: boolean = this.has(key)): void {
    if (!present) this.sizeNow++;
    this.changes.set(key, value);
  }

  remove(key: string): void {
    if (!this.has(key)) return;
    this.sizeNow--;
    if (this.map.has(key)) this.changes.set(key, REMOVED);
    else this.changes.delete(key);
  }

  /** The entries as of now (committed ones with this batch's changes): committed keys first, in their order. */
  *entries(): IterableIterator<[string, V]> {
    const changes = this.changes;
    for (const [k, v] of this.map) {
      const c = changes.get(k);
      if (c === undefined) yield [k, v];
      else if (c !== REMOVED) yield [k, c];
    }
    for (const [k, c] of changes) if (c !== REMOVED && !this.map.has(k)) yield [k, c];
  }

  /** Number of keys updated or removed since load (by this batch, also once committed). */
  get numUpdated(): number {
    return this.committed ? this.numCommitted : this.changes.size;
  }

  /** Writes version + 1 durably, then makes it the in-memory committed version, and returns it. */
  async commit(): Promise<number> {
    if (this.committed)
      throw new EddyError('ILLEGAL_STATE', `state store ${this.dir} was already committed at ${this.version + 1}`);
    const next = this.version + 1;
    const { codec } = this;
    if (!this.dirMade) await this.fs.mkdirs(this.dir);
    const delta: string[] = [FORMAT];
    for (const [k, v] of this.changes) {
      delta.push(v === REMOVED ? `[${JSON.stringify(k)}]` : `[${JSON.stringify(k)},${codec.toJson(v, k)}]`);
    }
    await this.fs.writeFile(`${this.dir}/${next}.delta`, delta.join('\n'), { overwrite: true });
    const snapshot = next % this.snapshotInterval === 0;
    if (snapshot) {
      const all: string[] = [FORMAT];
      for (const [k, v] of this.entries()) all.push(`[${JSON.stringify(k)},${codec.toJson(v, k)}]`);
      await this.fs.writeFile(`${this.dir}/${next}.snapshot`, all.join('\n'), { overwrite: true });
    }
    for (const [k, v] of this.changes) {
      if (v === REMOVED) this.map.delete(k);
      else this.map.set(k, v);
    }
    this.numCommitted = this.changes.size;
    this.changes.clear();
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
