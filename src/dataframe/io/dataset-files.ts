import { availableParallelism } from 'node:os';
import { EddyError, describeValue } from '../../common/errors.js';
import type { FileStatus, FileSystem } from '../../storage/filesystem.js';
import { listDatasetFiles } from '../../storage/dataset.js';
import { readFileSinkLog } from './sink-log.js';
import { computeSplits, type InputSplit } from '../../storage/splits.js';
import { inferFieldType, mergeInferred } from './csv.js';
import { StringType, type DataType, type StructField } from '../types.js';
import { castValue } from '../cast.js';

const OPEN_COST_BYTES = 4 * 1024 * 1024;

/** Spark's marker for a null partition value in a `col=value` folder name. */
export const DEFAULT_PARTITION_NAME = '__HIVE_DEFAULT_PARTITION__';

export interface DatasetFile {
  status: FileStatus;
  /** Internal values of the partition columns for this file, in partitionFields order. */
  partitionValues: unknown[];
}

export interface Dataset {
  files: DatasetFile[];
  /** Columns discovered from `col=value/` folders, typed as Spark infers them (int, long, double or string). */
  partitionFields: StructField[];
}

const ESCAPED = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '{', '}', '[', ']', '^']);

/** Escapes a partition value for a folder name as Hive does (%XX for characters that paths cannot hold). */
export function escapePathName(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    out += code < 0x20 || code === 0x7f || ESCAPED.has(c) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : c;
  }
  return out;
}

export function unescapePathName(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * A dataset folder may carry its own README or LICENSE (datasets/iris does); those describe the data and are
 * not part of it. Spark would read them as records; Eddy skips them.
 */
function isDocumentation(name: string): boolean {
  return /^(readme|license|licence|notice)(\.[a-z]+)?$/i.test(name) || /\.md$/i.test(name);
}

/**
 * Lists a dataset's data files and discovers its partition columns from the folders between the root and
 * each file. Every file must sit at the same depth of `col=value` folders, as Spark requires.
 */
export async function listDataset(fs: FileSystem, root: string): Promise<Dataset> {
  let statuses = (await listDatasetFiles(fs, root)).filter((st) => !isDocumentation(st.name));
  // The output of a streaming file sink is read through its log: unlisted files are leftovers of a crashed batch.
  const logged = await readFileSinkLog(fs, root);
  if (logged) statuses = statuses.filter((st) => logged.has(st.uri) || logged.has(st.path));
  const rootPrefix = root.endsWith('/') ? root : `${root}/`;
  let names: string[] | null = null;
  const raw: (string | null)[][] = [];
  for (const st of statuses) {
    const rel = st.path.startsWith(rootPrefix) ? st.path.slice(rootPrefix.length) : st.name;
    const dirs = rel.split('/').slice(0, -1);
    const pairs = dirs.map((d) => {
      const eq = d.indexOf('=');
      return eq > 0 ? ([unescapePathName(d.slice(0, eq)), unescapePathName(d.slice(eq + 1))] as const) : null;
    });
    const cols = pairs.every((p) => p !== null) ? pairs.map((p) => p![0]) : [];
    if (names === null) names = cols;
    else if (names.join('/') !== cols.join('/')) {
      throw new EddyError(
        'CORRUPT_DATA',
        `conflicting partition folders in ${describeValue(fs.uri(root))}: [${names.join(', ')}] and [${cols.join(', ')}] (at ${describeValue(st.uri)}); every file must sit under the same col=value folders`,
      );
    }
    raw.push(pairs.every((p) => p !== null) ? pairs.map((p) => (p![1] === DEFAULT_PARTITION_NAME ? null : p![1])) : []);
  }
  const partNames = names ?? [];
  const types: DataType[] = partNames.map((_, j) => {
    let t: DataType | null = null;
    for (const r of raw) {
      const v = r[j];
      if (v === null || v === undefined) continue;
      const ft = inferFieldType(v);
      t = mergeInferred(t, ft.kind === 'int' || ft.kind === 'long' || ft.kind === 'double' ? ft : StringType);
    }
    return t ?? StringType;
  });
  return {
    partitionFields: partNames.map((name, j) => ({ name, dataType: types[j]!, nullable: true })),
    files: statuses.map((status, i) => ({
      status,
      partitionValues: partNames.map((_, j) => {
        const v = raw[i]![j] ?? null;
        return v === null ? null : castValue(v, StringType, types[j]!);
      }),
    })),
  };
}

export interface DatasetSplit extends InputSplit {
  partitionValues: unknown[];
}

/** Input splits of the dataset's files: a file larger than maxPartitionBytes is read by several partitions. */
export function datasetSplits(ds: Dataset, maxPartitionBytes: number | undefined, splittable: boolean): DatasetSplit[] {
  const out: DatasetSplit[] = [];
  // Spark's FilePartition.maxSplitBytes: spread the input over the cores, but no split under openCostInBytes
  // (4 MB) and none over a block (maxPartitionBytes, 128 MB by default).
  const total = ds.files.reduce((n, f) => n + f.status.length, 0);
  const perCore = Math.max(OPEN_COST_BYTES, Math.ceil(total / availableParallelism()));
  const maxSplit = maxPartitionBytes ?? perCore;
  for (const f of ds.files) {
    const splits = splittable
      ? computeSplits([f.status], { maxSplitBytes: maxSplit })
      : f.status.length === 0
        ? []
        : [{ uri: f.status.uri, path: f.status.path, start: 0, length: f.status.length, fileLength: f.status.length }];
    for (const s of splits) out.push({ ...s, partitionValues: f.partitionValues });
  }
  return out;
}
