import { EddyError } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';
import { StateLog } from './state-log.js';

/**
 * The key-value state of one stateful operator's partition (dedup keys, or any operator that wants a map of
 * values), versioned with the query's batches through a StateLog (`<V>.delta`, `<V>.snapshot`: see there).
 *
 * Between batches of one running query the committed map stays in memory (Spark's provider keeps its loaded
 * versions too): `load(..., { reuse })` continues from the store that committed the version asked for instead of
 * reading files again. Changes made during a batch live in an overlay and reach the shared map only once their
 * delta is durable, so a batch that fails before its commit leaves the committed version untouched.
 */

export type StateValue = unknown;

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
  /** True when this store continues the `reuse` store given to load() (its map, not files, was the start). */
  continued = false;

  private constructor(
    private readonly log: StateLog,
    /** The version this store was loaded at; commit() writes version + 1. */
    readonly version: number,
    /** The committed map at `version`, shared with the next batch's store once this one commits. */
    private readonly map: Map<string, V>,
    private readonly snapshotInterval: number,
    private readonly codec: StateCodec<V>,
  ) {
    this.sizeNow = map.size;
  }

  get dir(): string {
    return this.log.dir;
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
    if (prev && prev.committed && prev.dir === dir && prev.log.fs === fs && prev.version + 1 === version) {
      const next = new StateStore(prev.log, version, prev.map, snapshotInterval, codec);
      next.continued = true;
      return next;
    }
    const log = new StateLog(fs, dir);
    const map = new Map<string, V>();
    for (const [k, v] of await log.read(version)) map.set(k, codec.fromJson(v));
    return new StateStore(log, version, map, snapshotInterval, codec);
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
   * Sets a key (any string without a tab or a newline). Values are never undefined; a value object must not be
   * changed after it is put. `present`, when the caller has just looked the key up, says whether it is in the
   * store, sparing a second lookup.
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
    const delta: string[] = [];
    for (const [k, v] of this.changes) {
      delta.push(v === REMOVED ? StateLog.removal(k) : StateLog.put(k, codec.toJson(v, k)));
    }
    await this.log.write(next, 'delta', delta);
    if (next % this.snapshotInterval === 0) {
      const all: string[] = [];
      for (const [k, v] of this.entries()) all.push(StateLog.put(k, codec.toJson(v, k)));
      await this.log.write(next, 'snapshot', all);
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
  purge(minVersionToKeep: number): Promise<void> {
    return this.log.purge(minVersionToKeep);
  }
}

const REMOVED = Symbol('removed');
