import { EddyError, describeValue } from '../common/errors.js';

/**
 * Absolute, normalised paths inside one file system ("/a/b"). Every FileSystem method funnels its arguments
 * through normalizePath, so `..` can never climb above "/" and a NUL byte never reaches the operating system.
 */

/** HDFS's default dfs.namenode.fs-limits.max-component-length. */
export const MAX_NAME_LENGTH = 255;

export function normalizePath(path: string, what = 'path'): string {
  if (typeof path !== 'string') {
    throw new EddyError('INVALID_ARGUMENT', `${what} ${describeValue(path)} is not a string`);
  }
  if (path.includes('\0')) {
    throw new EddyError('INVALID_ARGUMENT', `${what} ${describeValue(path)} contains a NUL byte; remove it`);
  }
  if (!path.startsWith('/')) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${what} ${describeValue(path)} is not absolute within its file system; start it with "/"`,
    );
  }
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `${what} ${describeValue(path)} climbs above the root with ".."; name a path inside the file system`,
        );
      }
      out.pop();
      continue;
    }
    if (Buffer.byteLength(part) > MAX_NAME_LENGTH) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${what} ${describeValue(path)} has a component longer than ${MAX_NAME_LENGTH} bytes; shorten it`,
      );
    }
    out.push(part);
  }
  return '/' + out.join('/');
}

/** The components of a normalised path: "/" → [], "/a/b" → ["a", "b"]. */
export function pathComponents(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** True if `path` is `ancestor` or lies below it. */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === '/' || path === ancestor || path.startsWith(ancestor + '/');
}
