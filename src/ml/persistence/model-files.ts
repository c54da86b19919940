import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EddyError, toEddyError } from '../../common/errors.js';

/** A saved model as relative file names ("metadata.json", "data/nodes.bin") → bytes. */
export type ModelFiles = Map<string, Uint8Array>;

export interface ModelWriteOptions {
  /** Replace an existing model at the path (Spark's write.overwrite()). Default false. */
  overwrite?: boolean;
}

/** Where a model's files go; the integrator routes this to the FileSystem registry (dfs://, file://). */
export type ModelWriter = (path: string, files: ModelFiles, options?: ModelWriteOptions) => Promise<void>;
/** Reads one file of a saved model; NOT_FOUND when it is missing. */
export type ModelReader = (path: string, name: string) => Promise<Uint8Array>;

/**
 * Writes a model folder on the local disk atomically: everything goes to a sibling temp folder first, which is
 * renamed into place only when complete, so a crash never leaves a half-written model where a model was.
 */
export const writeLocalModelFiles: ModelWriter = async (path, files, options = {}) => {
  const target = resolve(path);
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (exists && options.overwrite !== true) {
    throw new EddyError(
      'ALREADY_EXISTS',
      `cannot save the model: ${target} already exists; pass { overwrite: true } to replace it or choose another path`,
    );
  }
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    for (const [name, bytes] of files) {
      const file = join(tmp, name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, bytes);
    }
    await mkdir(dirname(target), { recursive: true });
    if (exists) {
      const old = `${tmp}.old`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw toEddyError(e, 'IO_ERROR', `cannot save the model to ${target}`);
  }
};

export const readLocalModelFile: ModelReader = async (path, name) => {
  const file = join(resolve(path), name);
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new EddyError(
        'NOT_FOUND',
        `cannot load the model: ${file} does not exist; is ${path} a saved model folder?`,
        {
          cause: e,
        },
      );
    }
    throw toEddyError(e, 'IO_ERROR', `cannot load the model: reading ${file} failed`);
  }
};
