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

  /**
   * Writes `<version>.delta` or `.snapshot` durably, replacing any: from lines made by put() and removal(), or
   * from a StateLines an operator filled.
   */
  async write(version: number, kind: 'delta' | 'snapshot', lines: readonly string[] | StateLines): Promise<void> {
    if (!this.dirMade) {
      await this.fs.mkdirs(this.dir);
      this.dirMade = true;
    }
    const body =
      lines instanceof StateLines
        ? lines.bytes()
        : lines.length === 0
          ? StateLog.FORMAT
          : `${StateLog.FORMAT}\n${lines.join('\n')}`;
    await this.fs.writeFile(`${this.dir}/${version}.${kind}`, body, { overwrite: true });
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

const TAB = 0x09;
const NEWLINE = 0x0a;

/**
 * The lines of a state file built as bytes, for operators that write a line per changed group: the JSON of key
 * values an operator has encoded once (`Buffer.from(json)`) is copied in, so no string is made per line. Keys
 * must be JSON text (no raw tab or newline, by JSON's grammar): they are not checked again.
 */
export class StateLines {
  private buf = Buffer.allocUnsafe(1 << 16);
  private n = 0;

  constructor() {
    this.text(StateLog.FORMAT);
  }

  /** The file's bytes so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.n);
  }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(next, 0, 0, this.n);
    this.buf = next;
  }

  /** Starts a new line. */
  newline(): this {
    this.byte(NEWLINE);
    return this;
  }

  /** Ends a line's key: a value follows (or nothing, for a removal). */
  tab(): this {
    this.byte(TAB);
    return this;
  }

  byte(b: number): this {
    this.room(1);
    this.buf[this.n++] = b;
    return this;
  }

  /** UTF-8 bytes already encoded (a key value's JSON, say). */
  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buf.set(bytes, this.n);
    this.n += bytes.length;
    return this;
  }

  /** A string, as UTF-8. */
  text(s: string): this {
    this.room(s.length * 3);
    this.n += this.buf.write(s, this.n, 'utf8');
    return this;
  }

  /** A whole number ≥ 0 (a safe integer) as JSON, without making a string for it. */
  integer(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new EddyError('INTERNAL', `StateLines.integer(${v}): only safe whole numbers ≥ 0 are written this way`);
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    this.room(digits);
    let end = this.n + digits;
    this.n = end;
    let x = v;
    do {
      this.buf[--end] = 0x30 + (x % 10);
      x = Math.floor(x / 10);
    } while (x > 0);
    return this;
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
