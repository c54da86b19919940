import { EddyError, describeValue, isEddyError } from '../common/errors.js';
import type { FileStatus, FileSystem } from '../storage/filesystem.js';
import { joinPath } from '../storage/fs-path.js';
import type { ShellPath } from './fs-shell.js';

// Moving bytes between file systems for -put and -get: streamed, and visible only when complete.

export async function statOrNull(fs: FileSystem, path: string): Promise<FileStatus | null> {
  try {
    return await fs.stat(path);
  } catch (e) {
    if (isEddyError(e, 'NOT_FOUND')) return null;
    throw e;
  }
}

/** Copies one file between any two file systems, streaming; the target appears only when complete. */
export async function copyFile(src: ShellPath, dst: ShellPath, overwrite: boolean): Promise<void> {
  const input = await src.fs.open(src.path);
  try {
    const out = await dst.fs.create(dst.path, { overwrite });
    try {
      for await (const chunk of input.stream()) await out.write(chunk);
    } catch (e) {
      await out.abort();
      throw e;
    }
    await out.close();
  } finally {
    await input.close();
  }
}

export async function copyTree(src: ShellPath, dst: ShellPath, overwrite: boolean): Promise<void> {
  const st = await src.fs.stat(src.path);
  if (!st.isDirectory) return copyFile(src, dst, overwrite);
  await dst.fs.mkdirs(dst.path);
  for (const child of await src.fs.list(src.path)) {
    await copyTree({ ...src, path: child.path }, { ...dst, path: joinPath(dst.path, child.name) }, overwrite);
  }
}

/** Where a copy of `name` lands: inside `dst` if it is a directory, else at `dst` itself. */
export async function target(dst: ShellPath, name: string, many: boolean): Promise<ShellPath> {
  const st = await statOrNull(dst.fs, dst.path);
  if (st?.isDirectory) return { ...dst, path: joinPath(dst.path, name) };
  if (many) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${describeValue(dst.show(dst.path))}: is not a directory (several sources need one)`,
    );
  }
  return dst;
}

export function existsError(p: string): EddyError {
  return new EddyError('ALREADY_EXISTS', `${describeValue(p)}: File exists (use -f to overwrite)`);
}

export async function readStdin(dst: ShellPath, overwrite: boolean): Promise<void> {
  const out = await dst.fs.create(dst.path, { overwrite });
  try {
    for await (const chunk of process.stdin) await out.write(chunk as Buffer);
  } catch (e) {
    await out.abort();
    throw e;
  }
  await out.close();
}
