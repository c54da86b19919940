import { EddyError, describeValue } from '../common/errors.js';
import type { FileStatus } from './filesystem.js';

/** One partition of input: bytes [start, start+length) of one file. Readers own the lines that START in it. */
export interface InputSplit {
  uri: string;
  path: string;
  start: number;
  length: number;
  /** Length of the whole file, so a reader knows how far past its end it may read to finish a line. */
  fileLength: number;
}

export interface SplitOptions {
  /** Upper bound of a split (Hadoop's mapreduce.input.fileinputformat.split.maxsize); default: the block size. */
  maxSplitBytes?: number;
  /** Lower bound (split.minsize); default 1. */
  minSplitBytes?: number;
}

/** Hadoop's SPLIT_SLOP: the last piece of a file may be up to 10% larger than the split size. */
const SPLIT_SLOP = 1.1;

/**
 * Cuts files into splits as Hadoop's FileInputFormat does: splitSize = max(min, min(max, blockSize)), so with
 * the defaults every split is one block and splits start on block boundaries; a file's tail of up to 1.1×
 * splitSize stays one split. Empty files give no split.
 */
export function computeSplits(files: FileStatus[], options: SplitOptions = {}): InputSplit[] {
  const max = options.maxSplitBytes ?? Number.POSITIVE_INFINITY;
  const min = options.minSplitBytes ?? 1;
  if (!(max >= 1) || (Number.isFinite(max) && !Number.isSafeInteger(max))) {
    throw new EddyError('INVALID_ARGUMENT', `maxSplitBytes ${describeValue(max)} must be a whole number ≥ 1`);
  }
  if (!Number.isSafeInteger(min) || min < 1) {
    throw new EddyError('INVALID_ARGUMENT', `minSplitBytes ${describeValue(min)} must be a whole number ≥ 1`);
  }
  const out: InputSplit[] = [];
  for (const f of files) {
    if (f.isDirectory) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${describeValue(f.uri)} is a directory; list a dataset's files with listDatasetFiles first`,
      );
    }
    if (f.length === 0) continue;
    const splitSize = Math.max(min, Math.min(max, f.blockSize > 0 ? f.blockSize : f.length));
    let start = 0;
    while ((f.length - start) / splitSize > SPLIT_SLOP) {
      out.push({ uri: f.uri, path: f.path, start, length: splitSize, fileLength: f.length });
      start += splitSize;
    }
    out.push({ uri: f.uri, path: f.path, start, length: f.length - start, fileLength: f.length });
  }
  return out;
}
