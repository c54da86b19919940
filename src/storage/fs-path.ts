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

const URI_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):(\/.*)?$/s;
const SCHEME_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** True if the string starts with a URI scheme ("dfs:", "file:"). */
export function hasScheme(s: string): boolean {
  return SCHEME_RE.test(s);
}

/**
 * Splits "scheme://[localhost]/path" (or "scheme:/path") into its scheme (lower case) and normalised path, as
 * Hadoop's Path does: taken literally, no percent-decoding. A host other than localhost is refused, since every
 * Eddy file system is local to the process.
 */
export function parseUri(uri: string): { scheme: string; path: string } {
  if (uri.includes('\0')) {
    throw new EddyError('INVALID_ARGUMENT', `path ${describeValue(uri)} contains a NUL byte; remove it`);
  }
  const m = URI_RE.exec(uri);
  if (!m) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${describeValue(uri)} is a URI with a relative path; write e.g. "dfs:///dir/file", or "./${uri}" for a local file of that name`,
    );
  }
  const scheme = m[1]!.toLowerCase();
  let rest = m[2] ?? '';
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '/' : rest.slice(slash);
    if (authority !== '' && authority.toLowerCase() !== 'localhost') {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${describeValue(uri)} names the host "${authority}"; Eddy's ${scheme} file system is local, write "${scheme}://${rest}"`,
      );
    }
  }
  return { scheme, path: normalizePath(rest, `path of ${describeValue(uri)}`) };
}

/**
 * The path inside a file system of scheme `scheme` for an argument that is either a path ("/a/b") or a URI of
 * that same scheme ("dfs:///a/b"), so FileStatus.uri can be handed straight back to the file system.
 */
export function pathIn(scheme: string, p: string, what = 'path'): string {
  if (typeof p === 'string' && hasScheme(p)) {
    const u = parseUri(p);
    if (u.scheme !== scheme) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${describeValue(p)} is not a ${scheme}:// path; resolve it through the file system registry (eddy.fs.resolve)`,
      );
    }
    return u.path;
  }
  return normalizePath(p, what);
}
