import { EddyError, describeValue } from '../common/errors.js';
import type { FileStatus, FileSystem } from './filesystem.js';
import { hasGlob } from './glob.js';

/**
 * A dataset is a folder of part files (`part-00000.csv` …), or a single file, as Hadoop's FileInputFormat and
 * Spark's file index see it. Names starting with `_` (`_SUCCESS`, `_temporary`, `_metadata`) or `.` (checksum
 * files, in-progress temp files) are not data and are skipped at every level; sub-folders such as Spark's
 * `key=value/` partition folders are descended into.
 */
export function isHiddenName(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.');
}

/**
 * The data files of a dataset, sorted by path. `path` may be a file, a folder, or a glob (`/logs/2024-*`);
 * a path that names nothing is NOT_FOUND (Hadoop's "Input path does not exist").
 */
export async function listDatasetFiles(fs: FileSystem, path: string): Promise<FileStatus[]> {
  const roots = path.split('/').some(hasGlob) ? await fs.glob(path) : [await fs.stat(path)];
  if (roots.length === 0) {
    throw new EddyError('NOT_FOUND', `input pattern ${describeValue(fs.uri(path))} matches no files`);
  }
  const out: FileStatus[] = [];
  for (const root of roots) {
    if (!root.isDirectory) out.push(root);
    else await collect(fs, root.path, out);
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

async function collect(fs: FileSystem, dir: string, out: FileStatus[]): Promise<void> {
  for (const st of await fs.list(dir)) {
    if (isHiddenName(st.name)) continue;
    if (st.isDirectory) await collect(fs, st.path, out);
    else out.push(st);
  }
}
