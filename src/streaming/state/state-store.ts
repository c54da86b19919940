import { EddyError } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';
import { StateLog } from './state-log.js';

/**
 * The key-value state of one stateful operator's partition (dedup keys, or any operator that wants a map of
 * values), versioned with the query's batches through a StateLog (`<V>.delta`, `<V>.snapshot`: see there).
 *
 * Between batches of one running query the committed map stays in memory (Spark's provider keeps its loaded
 * versions too): `load(..., { reuse })` continues from the store that committed the version asked for instead of
 * reading files again. A batch changes that map in place (one lookup per operation) and records which keys it
 * changed for its delta. The map is handed over: a store whose map a later batch has taken is never reused again,
 * so if that batch fails before its commit, the next load reads the committed version from files.
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
  /** The keys this batch changed, with their new value or REMOVED: the delta commit() writes. */
  private readonly changes = new Map<string, V | typeof REMOVED>();
  private committed = false;
  /** A later batch's store took this store's map (and may have changed it): never reuse this one again. */
  private handedOver = false;
  private numCommitted = 0;
  /** True when this store continues the `reuse` store given to load() (its map, not files, was the start). */
  continued = false;

  private constructor(
    private readonly log: StateLog,
    /** The version this store was loaded at; commit() writes version + 1. */
    readonly version: number,
    /** The state: the committed version at load, changed in place by this batch. */
    private readonly map: Map<string, V>,
    private readonly snapshotInterval: number,
    private readonly codec: StateCodec<V>,
  ) {}

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
    if (
      prev &&
      prev.committed &&
      !prev.handedOver &&
      prev.dir === dir &&
      prev.log.fs === fs &&
      prev.version + 1 === version
    ) {
      prev.handedOver = true;
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
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Sets a key (any string without a tab or a newline). Values are never undefined. */
  put(key: string, value: V): void {
    this.map.set(key, value);
    this.changes.set(key, value);
  }

  /** Puts a key that is not in the store; returns false (and changes nothing) if it is. */
  putIfAbsent(key: string, value: V): boolean {
    if (this.map.has(key)) return false;
    this.put(key, value);
    return true;
  }

  remove(key: string): void {
    if (this.map.delete(key)) this.changes.set(key, REMOVED);
  }

  /** The entries as of now. */
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  /** Number of keys this batch put or removed (a key put and removed again counts once). */
  get numUpdated(): number {
    return this.committed ? this.numCommitted : this.changes.size;
  }

  /** Writes version + 1 durably (the keys this batch changed, and every 10 versions a snapshot); returns it. */
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
      for (const [k, v] of this.map) all.push(StateLog.put(k, codec.toJson(v, k)));
      await this.log.write(next, 'snapshot', all);
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
