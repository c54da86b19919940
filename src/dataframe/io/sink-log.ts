import { EddyError } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';

/**
 * The log a streaming file sink keeps beside its output (Spark's `_spark_metadata`): `<batchId>` files, each a
 * version line then one JSON object per file the batch committed. A folder that has this log is read through
 * it: files not listed (left by a batch that crashed before logging them, and re-written by its re-run) are
 * not data, which is what makes the file sink exactly-once.
 */
export const FILE_SINK_LOG_DIR = '_spark_metadata';

export interface SinkFileStatus {
  path: string;
  size: number;
  isDir: boolean;
  modificationTime: number;
  blockReplication: number;
  blockSize: number;
  action: 'add' | 'delete';
}

/** Writes the log entry of one batch; fails if the batch is already logged (a second writer on the folder). */
export async function writeFileSinkLog(
  fs: FileSystem,
  root: string,
  batchId: number,
  files: SinkFileStatus[],
): Promise<void> {
  const dir = `${root}/${FILE_SINK_LOG_DIR}`;
  await fs.mkdirs(dir);
  const tmp = `${dir}/.${batchId}.tmp`;
  await fs.writeFile(tmp, ['v1', ...files.map((f) => JSON.stringify(f))].join('\n'), { overwrite: true });
  await fs.rename(tmp, `${dir}/${batchId}`);
}

/** The batch ids already logged, ascending. */
export async function loggedBatches(fs: FileSystem, root: string): Promise<number[]> {
  const dir = `${root}/${FILE_SINK_LOG_DIR}`;
  if (!(await fs.exists(dir))) return [];
  return (await fs.list(dir))
    .map((s) => /^(\d+)(\.compact)?$/.exec(s.name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The files the log lists as added (and not deleted), or null when `root` has no sink log. */
export async function readFileSinkLog(fs: FileSystem, root: string): Promise<Set<string> | null> {
  const dir = `${root}/${FILE_SINK_LOG_DIR}`;
  let names: string[];
  try {
    const st = await fs.stat(dir);
    if (!st.isDirectory) return null;
    names = (await fs.list(dir)).map((s) => s.name).filter((n) => /^\d+(\.compact)?$/.test(n));
  } catch {
    return null;
  }
  names.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  const files = new Set<string>();
  for (const n of names) {
    const text = Buffer.from(await fs.readFile(`${dir}/${n}`)).toString('utf8');
    const lines = text.split('\n');
    if (lines[0] !== 'v1') {
      throw new EddyError(
        'CORRUPT_DATA',
        `${fs.uri(`${dir}/${n}`)} starts with ${JSON.stringify(lines[0]?.slice(0, 20))}, not v1; the file sink log is damaged`,
      );
    }
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      const f = JSON.parse(line) as SinkFileStatus;
      if (f.action === 'delete') files.delete(f.path);
      else files.add(f.path);
    }
  }
  return files;
}
