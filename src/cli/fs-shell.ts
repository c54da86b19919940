import { userInfo } from 'node:os';
import { join, resolve as resolveLocal } from 'node:path';
import { EddyError, describeValue } from '../common/errors.js';
import { DistributedFileSystem } from '../storage/dfs/distributed-file-system.js';
import type { FileStatus, FileSystem } from '../storage/filesystem.js';
import { normalizePath } from '../storage/fs-path.js';
import { FileSystemRegistry } from '../storage/registry.js';

/** A path argument resolved for the shell: where it lives and how to print paths below it. */
export interface ShellPath {
  fs: FileSystem;
  path: string;
  /** Prints a path of the same file system the way the user wrote this argument (URI or plain). */
  show(p: string): string;
}

/**
 * What every `eddy fs` verb works with: the store folder, the file systems (dfs opened on first use, so local
 * work never takes the store's lock), and stdout/stderr with back-pressure.
 */
export class FsShell {
  readonly registry = new FileSystemRegistry();
  private dfsStore: DistributedFileSystem | undefined;
  readonly user = safeUser();
  readonly group = 'supergroup';
  failures: EddyError[] = [];

  constructor(readonly home: string) {}

  get storeDir(): string {
    return join(this.home, 'dfs');
  }

  async dfs(): Promise<DistributedFileSystem> {
    if (!this.dfsStore) {
      this.dfsStore = await DistributedFileSystem.open(this.storeDir);
      this.registry.register(this.dfsStore);
    }
    return this.dfsStore;
  }

  /**
   * Resolves a path as `hadoop fs` does with fs.defaultFS = dfs: URIs name their file system, plain paths name
   * dfs paths (a relative one is taken from "/").
   */
  async resolve(arg: string): Promise<ShellPath> {
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(arg)) {
      if (/^dfs:/i.test(arg)) await this.dfs();
      const r = this.registry.resolve(arg);
      return { ...r, show: (p) => r.fs.uri(p) };
    }
    if (arg.includes('\0')) throw new EddyError('INVALID_ARGUMENT', `path ${describeValue(arg)} contains a NUL byte`);
    const fs = await this.dfs();
    return { fs, path: normalizePath(arg.startsWith('/') ? arg : `/${arg}`, 'path'), show: (p) => p };
  }

  /** A local path argument (-put sources, -get destinations): plain paths are local, relative to the cwd. */
  resolveLocal(arg: string): ShellPath {
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(arg)) {
      const r = this.registry.resolve(arg);
      if (r.fs.scheme !== 'file') {
        throw new EddyError('INVALID_ARGUMENT', `${describeValue(arg)} is not a local path; give a local file here`);
      }
      return { ...r, show: (p) => r.fs.uri(p) };
    }
    const r = this.registry.resolve(resolveLocal(arg));
    return { ...r, show: (p) => p };
  }

  async out(text: string | Uint8Array): Promise<void> {
    await write(process.stdout, text);
  }

  async err(text: string): Promise<void> {
    await write(process.stderr, text);
  }

  /** Reports one failed argument and carries on, as hadoop fs does; the exit code becomes non-zero. */
  async fail(verb: string, e: unknown): Promise<void> {
    const err = e instanceof EddyError ? e : new EddyError('IO_ERROR', e instanceof Error ? e.message : String(e));
    this.failures.push(err);
    await this.err(`${verb}: ${err.message}\n`);
  }

  async close(): Promise<void> {
    await this.registry.close();
  }
}

function write(stream: NodeJS.WriteStream, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = stream.write(data, (e) => (e ? reject(e) : undefined));
    if (ok) resolve();
    else stream.once('drain', resolve);
  });
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'eddy');
  }
}

/** hadoop fs shows HDFS's default permissions (umask 022): Eddy's store keeps no owners or modes. */
export function permissionString(st: FileStatus): string {
  return st.isDirectory ? 'drwxr-xr-x' : '-rw-r--r--';
}

/** "yyyy-MM-dd HH:mm" in local time, as -ls prints. */
export function lsDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** "yyyy-MM-dd HH:mm:ss" in UTC, as -stat %y prints. */
export function statDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
