import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { EddyError, describeValue } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';
import { ioError } from '../io-error.js';
import { NameSystem } from './name-system.js';
import {
  MAX_VOLUMES,
  makeConfig,
  readConfig,
  writeConfig,
  type FormatOptions,
  type StoreConfig,
} from './store-config.js';
import { Volumes } from './volumes.js';

const log = getLogger('dfs');

/** The on-disk layout of a store folder: name/ (VERSION, fsimage, edits), data/vol-N/, in_use.lock. */

/** Deletes replicas no file references: leftovers of writers that crashed or of deletes cut short. */
export async function removeOrphans(root: string, names: NameSystem, volumes: Volumes): Promise<void> {
  const referenced = names.ns.referencedReplicas();
  let removed = 0;
  for (const f of await volumes.scan()) {
    if (f.id !== undefined) {
      names.nextBlockId = Math.max(names.nextBlockId, f.id + 1);
      if (referenced.get(f.id)?.includes(f.vol)) continue;
    }
    await fsp.rm(f.file, { force: true, recursive: true });
    removed++;
  }
  if (removed > 0) log.info(`removed ${removed} unreferenced files from the volumes of ${root}`);
}

/** HDFS's DFSUtil.isValidName: no ":" in a name, as it would read as a URI scheme. */
export function checkNames(p: string): void {
  for (const name of p.split('/')) {
    if (name.includes(':')) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `dfs path ${describeValue(p)} has ":" in the name ${describeValue(name)}; dfs names cannot contain ":"`,
      );
    }
  }
}

export async function mkdirOrFail(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError(e, 'create store folder', dir);
  }
}

/** Lays out an empty store; VERSION goes last, so a store without it was never fully formatted. */
export async function writeStore(root: string, config: StoreConfig): Promise<void> {
  const nameDir = join(root, 'name');
  await fsp.rm(join(root, 'name', 'VERSION'), { force: true });
  await fsp.rm(nameDir, { recursive: true, force: true });
  await fsp.rm(join(root, 'data'), { recursive: true, force: true });
  await NameSystem.format(nameDir);
  await new Volumes(join(root, 'data'), config.volumes).init();
  await writeConfig(nameDir, config);
}

/** The store's settings; a folder holding no store gets one (if `create`), laid out with `format`. */
export async function configOrCreate(root: string, create: boolean, format: FormatOptions): Promise<StoreConfig> {
  const existing = await readConfig(join(root, 'name'));
  if (existing) return existing;
  if (!create) throw new EddyError('NOT_FOUND', `no dfs store in ${describeValue(root)}; format one first`);
  // A store whose VERSION is gone but whose volumes hold blocks is damaged, not new: never wipe it.
  const blocks = (await new Volumes(join(root, 'data'), MAX_VOLUMES).scan()).filter((f) => f.id !== undefined);
  if (blocks.length > 0) {
    throw new EddyError(
      'CORRUPT_DATA',
      `${describeValue(join(root, 'name', 'VERSION'))} is missing but the store holds ${blocks.length} block files; restore name/ from a backup, or run "eddy fs -format -force" to erase the store`,
    );
  }
  const config = makeConfig(format);
  await writeStore(root, config);
  return config;
}
