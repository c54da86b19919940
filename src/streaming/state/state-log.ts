import { EddyError, isEddyError } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';

/**
 * The files of one stateful operator's partition, versioned with the query's batches as Spark's HDFS-backed state
 * store keeps them: version V is the state after batch V-1 committed (version 0 is empty). Committing version V
 * writes `<V>.delta` (the keys changed since V-1) and, every snapshot interval, `<V>.snapshot` (every key), so any
 * committed version is rebuilt from the newest snapshot at or below it plus the deltas after it. Re-running a
 * batch after a crash rewrites the same delta with the same content, so recovery is idempotent.
 *
 * What the files hold is up to the operator: a key is any string without a tab or a newline (operators use JSON),
 * a value is JSON text. This log only reads and writes them, so that each operator keeps its state in memory in
 * the layout that suits it (a map of live values, or columns per window).
 *
 * Format `v2` (written since issue 7's state layout): a version line, then one line per key, `<key>\t<value>`, or
 * `<key>\t` for a removed key; keys are written as they are, so a JSON key is not escaped again. Format `v1`
 * (read, never written): one JSON array per line, `[key, value]` or `[key]`.
 */
export class StateLog {
  static readonly FORMAT = 'v2';
  /** The folder exists (once it was read or written by this log). */
  private dirMade = false;

  constructor(
    readonly fs: FileSystem,
    readonly dir: string,
  ) {}

  /** The line of a key set to a value (JSON text). */
  static put(key: string, valueJson: string): string {
    return `${checkedKey(key)}\t${valueJson}`;
  }

  /**
   * put() for a key that is JSON text, which by JSON's grammar holds no raw tab or newline: not checked again,
   * for operators writing a line per changed group.
   */
  static putJson(jsonKey: string, valueJson: string): string {
    return `${jsonKey}\t${valueJson}`;
  }

  /** removal() of a key that is JSON text. */
  static removalJson(jsonKey: string): string {
    return `${jsonKey}\t`;
  }

  /** The line of a removed key. */
  static removal(key: string): string {
    return `${checkedKey(key)}\t`;
  }

  /**
   * The state at `version`: every key with its value's parsed JSON. Throws CORRUPT_DATA naming the file when a
   * delta the version needs is missing or a file is damaged.
   */
  async read(version: number): Promise<Map<string, unknown>> {
    const map = new Map<string, unknown>();
    if (version === 0) return map;
    const { fs, dir } = this;
    const files = (await fs.exists(dir)) ? (await fs.list(dir)).map((s) => s.name) : [];
    this.dirMade = files.length > 0;
    const snapshots = versionsOf(files, 'snapshot')
      .filter((v) => v <= version)
      .sort((a, b) => b - a);
    let from = 0;
    if (snapshots.length > 0) {
      from = snapshots[0]!;
      await readInto(fs, `${dir}/${from}.snapshot`, map);
    }
    for (let v = from + 1; v <= version; v++) {
      const path = `${dir}/${v}.delta`;
      try {
        await readInto(fs, path, map);
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
    }
    return map;
  }

  /** Writes `<version>.delta` or `.snapshot` from lines made by put() and removal(), durably, replacing any. */
  async write(version: number, kind: 'delta' | 'snapshot', lines: readonly string[]): Promise<void> {
    if (!this.dirMade) {
      await this.fs.mkdirs(this.dir);
      this.dirMade = true;
    }
    const text = lines.length === 0 ? StateLog.FORMAT : `${StateLog.FORMAT}\n${lines.join('\n')}`;
    await this.fs.writeFile(`${this.dir}/${version}.${kind}`, text, { overwrite: true });
  }

  /** Removes files no longer needed to rebuild versions ≥ minVersionToKeep. */
  async purge(minVersionToKeep: number): Promise<void> {
    if (!(await this.fs.exists(this.dir))) return;
    const names = (await this.fs.list(this.dir)).map((s) => s.name);
    const base = versionsOf(names, 'snapshot')
      .filter((v) => v <= minVersionToKeep)
      .sort((a, b) => b - a)[0];
    if (base === undefined) return;
    for (const n of names) {
      const m = /^(\d+)\.(delta|snapshot)$/.exec(n);
      if (m && Number(m[1]) < base) await this.fs.delete(`${this.dir}/${n}`);
    }
  }
}

function checkedKey(key: string): string {
  if (key.includes('\t') || key.includes('\n')) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `state key ${JSON.stringify(key.slice(0, 60))} contains a tab or a newline; encode keys (as JSON, say) first`,
    );
  }
  return key;
}

function versionsOf(names: readonly string[], kind: 'delta' | 'snapshot'): number[] {
  const re = kind === 'snapshot' ? /^(\d+)\.snapshot$/ : /^(\d+)\.delta$/;
  const out: number[] = [];
  for (const n of names) {
    const m = re.exec(n);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/** Applies one delta or snapshot file to `map`, in either format. */
async function readInto(fs: FileSystem, path: string, map: Map<string, unknown>): Promise<void> {
  const text = Buffer.from(await fs.readFile(path)).toString('utf8');
  const lines = text.split('\n');
  const format = lines[0];
  if (format !== 'v1' && format !== StateLog.FORMAT) {
    throw new EddyError(
      'CORRUPT_DATA',
      `${fs.uri(path)} starts with ${JSON.stringify(format?.slice(0, 20))}, not a version line (v1 or ` +
        `${StateLog.FORMAT}); the state is damaged or from a newer Eddy`,
    );
  }
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    try {
      if (format === 'v1') {
        const entry = JSON.parse(line) as [string, unknown?];
        if (entry.length === 1) map.delete(entry[0]);
        else map.set(entry[0], entry[1]);
        continue;
      }
      const tab = line.indexOf('\t');
      if (tab < 0) throw new Error('no tab between key and value');
      const key = line.slice(0, tab);
      if (tab === line.length - 1) map.delete(key);
      else map.set(key, JSON.parse(line.slice(tab + 1)));
    } catch (e) {
      throw new EddyError('CORRUPT_DATA', `${fs.uri(path)} line ${i + 1} is not valid state: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
}
