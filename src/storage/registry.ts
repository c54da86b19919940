import { EddyError, describeValue } from '../common/errors.js';
import type { FileSystem } from './filesystem.js';
import { hasScheme, normalizePath, parseUri } from './fs-path.js';
import { LocalFileSystem } from './local.js';

export interface ResolvedPath {
  fs: FileSystem;
  /** Absolute, normalised path within `fs`. */
  path: string;
}

export interface FileSystemRegistryOptions {
  /** Folder that relative plain paths resolve against (default: process.cwd() at the time of each call). */
  cwd?: string;
}

/**
 * File systems by URI scheme, as Hadoop's FileSystem.get(uri) picks them. `resolve` accepts `dfs:///a/b`,
 * `dfs:/a/b`, `file:///abs/path` and plain paths (a relative one resolves against the working directory as a
 * local file). Paths are taken literally, as Hadoop's Path does: no percent-decoding.
 * `file` is always registered; `dfs` is registered by the session once its store is open.
 */
export class FileSystemRegistry {
  private readonly byScheme = new Map<string, FileSystem>();
  private readonly cwd: string | undefined;

  constructor(options: FileSystemRegistryOptions = {}) {
    this.cwd = options.cwd;
    this.register(new LocalFileSystem());
  }

  /** Adds a file system under its scheme; ALREADY_EXISTS if the scheme is taken (unless `replace`). */
  register(fs: FileSystem, options: { replace?: boolean } = {}): void {
    const scheme = fs.scheme.toLowerCase();
    if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
      throw new EddyError('INVALID_ARGUMENT', `file system scheme ${describeValue(fs.scheme)} is not a URI scheme`);
    }
    if (this.byScheme.has(scheme) && !options.replace) {
      throw new EddyError('ALREADY_EXISTS', `a file system is already registered for scheme "${scheme}://"`);
    }
    this.byScheme.set(scheme, fs);
  }

  /** Removes a scheme's file system (without closing it). */
  unregister(scheme: string): FileSystem | undefined {
    const key = scheme.toLowerCase();
    const fs = this.byScheme.get(key);
    this.byScheme.delete(key);
    return fs;
  }

  get schemes(): string[] {
    return [...this.byScheme.keys()].sort();
  }

  /** The file system of a scheme; NOT_FOUND naming the registered ones if there is none. */
  get(scheme: string): FileSystem {
    const fs = this.byScheme.get(scheme.toLowerCase());
    if (!fs) {
      throw new EddyError(
        'NOT_FOUND',
        `no file system for scheme "${scheme}://"; registered schemes: ${this.schemes.map((s) => `${s}://`).join(', ')}`,
      );
    }
    return fs;
  }

  resolve(pathOrUri: string): ResolvedPath {
    if (typeof pathOrUri !== 'string' || pathOrUri === '') {
      throw new EddyError('INVALID_ARGUMENT', `path ${describeValue(pathOrUri)} is empty; give a path or URI`);
    }
    if (pathOrUri.includes('\0')) {
      throw new EddyError('INVALID_ARGUMENT', `path ${describeValue(pathOrUri)} contains a NUL byte; remove it`);
    }
    if (!hasScheme(pathOrUri)) {
      // A plain path is local; a relative one resolves against the working directory. Joining by hand (not
      // path.resolve, which clamps at "/") lets normalizePath refuse a ".." that climbs above the root.
      const abs = pathOrUri.startsWith('/') ? pathOrUri : `${this.cwd ?? process.cwd()}/${pathOrUri}`;
      return { fs: this.get('file'), path: normalizePath(abs, `path ${describeValue(pathOrUri)}`) };
    }
    const fs = this.get(pathOrUri.slice(0, pathOrUri.indexOf(':')));
    return { fs, path: parseUri(pathOrUri).path };
  }

  /** The fully qualified URI of a path or URI: "data/x" → "file:///cwd/data/x". */
  qualify(pathOrUri: string): string {
    const { fs, path } = this.resolve(pathOrUri);
    return fs.uri(path);
  }

  /** Closes every registered file system (the store's lock is released). */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const fs of this.byScheme.values()) {
      try {
        await fs.close();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}
