import { EddyError, describeValue } from './errors.js';

/**
 * Byte sizes as Hadoop and Kafka configuration write them: "128m", "128 MiB", "64k", "1g", "1048576".
 * Binary multiples throughout (k = 1024), as HDFS's dfs.blocksize does.
 */
const MULT: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

export function parseSize(input: string | number, what = 'size'): number {
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= 0) return input;
    throw new EddyError('INVALID_ARGUMENT', `${what} ${describeValue(input)} must be a whole number of bytes`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const mult = m ? MULT[m[2]!.toLowerCase()] : undefined;
  if (!m || mult === undefined) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${what} ${describeValue(input)} is not a size; write e.g. "128m", "64 KiB" or "1048576"`,
    );
  }
  const bytes = Math.round(Number(m[1]) * mult);
  if (!Number.isSafeInteger(bytes))
    throw new EddyError('INVALID_ARGUMENT', `${what} ${describeValue(input)} is too large`);
  return bytes;
}

/** Human-readable size as `hadoop fs -du -h` prints it: 1 decimal, binary units. */
export function formatSize(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? String(bytes) : `${v.toFixed(1)} ${units[i]}`;
}
