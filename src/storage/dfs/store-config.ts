import { randomUUID } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError, describeValue } from '../../common/errors.js';
import { parseSize } from '../../common/size.js';
import { ioError } from '../io-error.js';
import { BYTES_PER_CHECKSUM } from './block-meta.js';

/** What `-format` fixes for the life of a store (HDFS's VERSION file plus the defaults of hdfs-site.xml). */
export interface StoreConfig {
  layoutVersion: number;
  storeId: string;
  created: string;
  /** Number of volume folders (datanodes) under data/. */
  volumes: number;
  /** Default replication of new files (dfs.replication). */
  replication: number;
  /** Default block size of new files (dfs.blocksize). */
  blockSize: number;
}

export interface FormatOptions {
  volumes?: number;
  /** Default min(3, volumes). */
  replication?: number;
  /** Bytes or a size string ("128m"); default 128 MiB. */
  blockSize?: number | string;
}

export const LAYOUT_VERSION = 1;
export const DEFAULT_BLOCK_SIZE = 128 * 1024 * 1024;
export const MAX_VOLUMES = 64;

export function makeConfig(options: FormatOptions): StoreConfig {
  const volumes = options.volumes ?? 1;
  if (!Number.isSafeInteger(volumes) || volumes < 1 || volumes > MAX_VOLUMES) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `volumes ${describeValue(volumes)} must be a whole number from 1 to ${MAX_VOLUMES}`,
    );
  }
  const replication = options.replication ?? Math.min(3, volumes);
  checkReplication(replication, volumes);
  const blockSize = checkBlockSize(parseSize(options.blockSize ?? DEFAULT_BLOCK_SIZE, 'block size'));
  return {
    layoutVersion: LAYOUT_VERSION,
    storeId: randomUUID(),
    created: new Date().toISOString(),
    volumes,
    replication,
    blockSize,
  };
}

export function checkReplication(replication: number, volumes: number): number {
  if (!Number.isSafeInteger(replication) || replication < 1) {
    throw new EddyError('INVALID_ARGUMENT', `replication ${describeValue(replication)} must be a whole number ≥ 1`);
  }
  if (replication > volumes) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `replication ${replication} is more than the store's ${volumes} volume${volumes === 1 ? '' : 's'}: each replica needs its own volume; use at most ${volumes}, or format the store with more volumes`,
    );
  }
  return replication;
}

export function checkBlockSize(blockSize: number): number {
  if (!Number.isSafeInteger(blockSize) || blockSize < BYTES_PER_CHECKSUM || blockSize % BYTES_PER_CHECKSUM !== 0) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `block size ${describeValue(blockSize)} must be a positive multiple of ${BYTES_PER_CHECKSUM} bytes (the checksum chunk), e.g. "128m"`,
    );
  }
  return blockSize;
}

export async function writeConfig(nameDir: string, config: StoreConfig): Promise<void> {
  const file = join(nameDir, 'VERSION');
  try {
    await fsp.writeFile(`${file}.tmp`, JSON.stringify(config, null, 2) + '\n');
    const fh = await fsp.open(`${file}.tmp`, 'r+');
    await fh.sync();
    await fh.close();
    await fsp.rename(`${file}.tmp`, file);
  } catch (e) {
    throw ioError(e, 'write', file);
  }
}

/** The store's VERSION, or undefined if the folder was never formatted. */
export async function readConfig(nameDir: string): Promise<StoreConfig | undefined> {
  const file = join(nameDir, 'VERSION');
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(e, 'read', file);
  }
  let c: StoreConfig;
  try {
    c = JSON.parse(text) as StoreConfig;
  } catch (e) {
    throw new EddyError('CORRUPT_DATA', `${file} is not valid JSON; restore it or re-format the store`, { cause: e });
  }
  if (c.layoutVersion !== LAYOUT_VERSION) {
    throw new EddyError(
      'UNSUPPORTED',
      `${file} has layout version ${describeValue(c.layoutVersion)}; this Eddy reads version ${LAYOUT_VERSION}`,
    );
  }
  if (!(c.volumes >= 1) || !(c.replication >= 1) || !(c.blockSize >= BYTES_PER_CHECKSUM)) {
    throw new EddyError('CORRUPT_DATA', `${file} holds impossible settings ${describeValue(c)}`);
  }
  return c;
}
