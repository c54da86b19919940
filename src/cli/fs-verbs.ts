import { basename } from 'node:path';
import { EddyError, describeValue, isEddyError } from '../common/errors.js';
import { formatSize, parseSize } from '../common/size.js';
import { DistributedFileSystem } from '../storage/dfs/distributed-file-system.js';
import { checkReplication } from '../storage/dfs/store-config.js';
import type { FileStatus, FileSystem } from '../storage/filesystem.js';
import { baseName, isWithin, joinPath, parentPath } from '../storage/fs-path.js';
import { filesBelow, fsckText, lsLines, statFormat } from './fs-output.js';
import type { FsShell, ShellPath } from './fs-shell.js';

export interface VerbArgs {
  flags: Set<string>;
  values: Map<string, string>;
  operands: string[];
}

export interface VerbSpec {
  name: string;
  usage: string;
  help: string;
  flags?: string[];
  valued?: string[];
  minOperands: number;
  maxOperands?: number;
  run(shell: FsShell, args: VerbArgs): Promise<void>;
}

/** Runs `fn` for each operand, reporting failures per operand (hadoop fs carries on with the rest). */
async function each(shell: FsShell, verb: string, operands: string[], fn: (arg: string) => Promise<void>) {
  for (const arg of operands) {
    try {
      await fn(arg);
    } catch (e) {
      await shell.fail(verb, e);
    }
  }
}

async function statOrNull(fs: FileSystem, path: string): Promise<FileStatus | null> {
  try {
    return await fs.stat(path);
  } catch (e) {
    if (isEddyError(e, 'NOT_FOUND')) return null;
    throw e;
  }
}

/** Copies one file between any two file systems, streaming; the target appears only when complete. */
async function copyFile(src: ShellPath, dst: ShellPath, overwrite: boolean): Promise<void> {
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

async function copyTree(src: ShellPath, dst: ShellPath, overwrite: boolean): Promise<void> {
  const st = await src.fs.stat(src.path);
  if (!st.isDirectory) return copyFile(src, dst, overwrite);
  await dst.fs.mkdirs(dst.path);
  for (const child of await src.fs.list(src.path)) {
    await copyTree({ ...src, path: child.path }, { ...dst, path: joinPath(dst.path, child.name) }, overwrite);
  }
}

/** Where a copy of `name` lands: inside `dst` if it is a directory, else at `dst` itself. */
async function target(dst: ShellPath, name: string, many: boolean): Promise<ShellPath> {
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

function existsError(p: string): EddyError {
  return new EddyError('ALREADY_EXISTS', `${describeValue(p)}: File exists (use -f to overwrite)`);
}

async function readStdin(dst: ShellPath, overwrite: boolean): Promise<void> {
  const out = await dst.fs.create(dst.path, { overwrite });
  try {
    for await (const chunk of process.stdin) await out.write(chunk as Buffer);
  } catch (e) {
    await out.abort();
    throw e;
  }
  await out.close();
}

async function summary(fs: FileSystem, st: FileStatus): Promise<{ length: number; consumed: number }> {
  if (!st.isDirectory) return { length: st.length, consumed: st.length * Math.max(1, st.replication) };
  let length = 0;
  let consumed = 0;
  for (const child of await fs.list(st.path)) {
    const s = await summary(fs, child);
    length += s.length;
    consumed += s.consumed;
  }
  return { length, consumed };
}

async function lsRecursive(sp: ShellPath, dir: string, out: FileStatus[]): Promise<FileStatus[]> {
  for (const e of await sp.fs.list(dir)) {
    out.push(e);
    if (e.isDirectory) await lsRecursive(sp, e.path, out);
  }
  return out;
}

export const VERBS: VerbSpec[] = [
  {
    name: '-format',
    usage: '-format [--volumes N] [--replication R] [--block-size SIZE] [-force]',
    help: 'create the dfs store in <home>/dfs (as hdfs namenode -format); -force erases an existing one',
    flags: ['-force'],
    valued: ['--volumes', '--replication', '--block-size'],
    minOperands: 0,
    maxOperands: 0,
    async run(shell, a) {
      const int = (k: string): number | undefined => {
        const v = a.values.get(k);
        if (v === undefined) return undefined;
        if (!/^\d+$/.test(v))
          throw new EddyError('INVALID_ARGUMENT', `${k} ${describeValue(v)} must be a whole number`);
        return Number(v);
      };
      const volumes = int('--volumes');
      const replication = int('--replication');
      const bs = a.values.get('--block-size');
      const config = await DistributedFileSystem.format(shell.storeDir, {
        ...(volumes === undefined ? {} : { volumes }),
        ...(replication === undefined ? {} : { replication }),
        ...(bs === undefined ? {} : { blockSize: parseSize(bs, 'block size') }),
        force: a.flags.has('-force'),
      });
      await shell.out(
        `Formatted dfs store ${shell.storeDir}: ${config.volumes} volume(s), replication ${config.replication}, block size ${formatSize(config.blockSize)}\n`,
      );
    },
  },
  {
    name: '-mkdir',
    usage: '-mkdir [-p] PATH...',
    help: 'create directories; -p: create parents and do not fail if it exists',
    flags: ['-p'],
    minOperands: 1,
    async run(shell, a) {
      await each(shell, '-mkdir', a.operands, async (arg) => {
        const sp = await shell.resolve(arg);
        if (!a.flags.has('-p')) {
          const st = await statOrNull(sp.fs, sp.path);
          if (st) throw new EddyError('ALREADY_EXISTS', `${describeValue(arg)}: File exists`);
          const parent = await statOrNull(sp.fs, parentPath(sp.path));
          if (!parent) {
            throw new EddyError(
              'NOT_FOUND',
              `${describeValue(sp.show(parentPath(sp.path)))}: No such file or directory (use -p)`,
            );
          }
        }
        await sp.fs.mkdirs(sp.path);
      });
    },
  },
  {
    name: '-put',
    usage: '-put [-f] LOCAL... DEST',
    help: 'copy local files or folders ("-" reads stdin) to DEST; -f overwrites',
    flags: ['-f'],
    minOperands: 2,
    async run(shell, a) {
      const dst = await shell.resolve(a.operands[a.operands.length - 1]!);
      const sources = a.operands.slice(0, -1);
      await each(shell, '-put', sources, async (arg) => {
        if (arg === '-') {
          const t = await target(dst, 'stdin', sources.length > 1);
          if (t === dst && !a.flags.has('-f') && (await statOrNull(t.fs, t.path))) throw existsError(t.show(t.path));
          return readStdin(t, a.flags.has('-f'));
        }
        const src = shell.resolveLocal(arg);
        const t = await target(dst, basename(src.path), sources.length > 1);
        if (!a.flags.has('-f') && (await statOrNull(t.fs, t.path))) throw existsError(t.show(t.path));
        await copyTree(src, t, a.flags.has('-f'));
      });
    },
  },
  {
    name: '-get',
    usage: '-get [-f] SRC... LOCALDEST',
    help: 'copy files or folders to the local disk; -f overwrites',
    flags: ['-f'],
    minOperands: 2,
    async run(shell, a) {
      const dst = shell.resolveLocal(a.operands[a.operands.length - 1]!);
      const sources = a.operands.slice(0, -1);
      await each(shell, '-get', sources, async (arg) => {
        const src = await shell.resolve(arg);
        await src.fs.stat(src.path);
        const t = await target(dst, baseName(src.path) || 'root', sources.length > 1);
        if (!a.flags.has('-f') && (await statOrNull(t.fs, t.path))) throw existsError(t.show(t.path));
        await copyTree(src, t, a.flags.has('-f'));
      });
    },
  },
  {
    name: '-ls',
    usage: '-ls [-R] [-h] [PATH...]',
    help: 'list: permissions, replication, owner, group, size, date, time, path; -R recursive, -h human sizes',
    flags: ['-R', '-h'],
    minOperands: 0,
    async run(shell, a) {
      await each(shell, '-ls', a.operands.length ? a.operands : ['/'], async (arg) => {
        const sp = await shell.resolve(arg);
        const st = await sp.fs.stat(sp.path);
        if (!st.isDirectory) return lsLines(shell, sp, [st], a.flags.has('-h'));
        if (a.flags.has('-R')) return lsLines(shell, sp, await lsRecursive(sp, sp.path, []), a.flags.has('-h'));
        const entries = await sp.fs.list(sp.path);
        if (entries.length > 0) await shell.out(`Found ${entries.length} items\n`);
        await lsLines(shell, sp, entries, a.flags.has('-h'));
      });
    },
  },
  {
    name: '-cat',
    usage: '-cat PATH...',
    help: 'write files to stdout',
    minOperands: 1,
    async run(shell, a) {
      await each(shell, '-cat', a.operands, async (arg) => {
        const sp = await shell.resolve(arg);
        const f = await sp.fs.open(sp.path);
        try {
          for await (const chunk of f.stream()) await shell.out(chunk);
        } finally {
          await f.close();
        }
      });
    },
  },
  {
    name: '-rm',
    usage: '-rm [-r|-R] [-f] PATH...',
    help: 'delete files; -r deletes folders with their contents, -f ignores missing paths',
    flags: ['-r', '-R', '-f', '-skipTrash'],
    minOperands: 1,
    async run(shell, a) {
      const recursive = a.flags.has('-r') || a.flags.has('-R');
      await each(shell, '-rm', a.operands, async (arg) => {
        const sp = await shell.resolve(arg);
        const st = await statOrNull(sp.fs, sp.path);
        if (!st) {
          if (a.flags.has('-f')) return;
          throw new EddyError('NOT_FOUND', `${describeValue(arg)}: No such file or directory`);
        }
        if (st.isDirectory && !recursive) {
          throw new EddyError('INVALID_ARGUMENT', `${describeValue(arg)}: Is a directory (use -r)`);
        }
        await sp.fs.delete(sp.path, recursive);
        await shell.out(`Deleted ${sp.show(sp.path)}\n`);
      });
    },
  },
  {
    name: '-mv',
    usage: '-mv SRC... DEST',
    help: 'move (rename) within one file system; into DEST if it is a folder',
    minOperands: 2,
    async run(shell, a) {
      const dst = await shell.resolve(a.operands[a.operands.length - 1]!);
      const sources = a.operands.slice(0, -1);
      await each(shell, '-mv', sources, async (arg) => {
        const src = await shell.resolve(arg);
        if (src.fs !== dst.fs) {
          throw new EddyError(
            'UNSUPPORTED',
            `cannot move ${describeValue(arg)} across file systems; use -put/-get then -rm`,
          );
        }
        const t = await target(dst, baseName(src.path), sources.length > 1);
        if (isWithin(t.path, src.path) && t.path !== src.path) {
          throw new EddyError('INVALID_ARGUMENT', `cannot move ${describeValue(arg)} to a subdirectory of itself`);
        }
        await src.fs.rename(src.path, t.path);
      });
    },
  },
  {
    name: '-du',
    usage: '-du [-s] [-h] PATH...',
    help: 'space used: size, disk space consumed by all replicas, path; -s one line per PATH, -h human sizes',
    flags: ['-s', '-h'],
    minOperands: 0,
    async run(shell, a) {
      const size = (n: number): string => (a.flags.has('-h') ? formatSize(n) : String(n));
      await each(shell, '-du', a.operands.length ? a.operands : ['/'], async (arg) => {
        const sp = await shell.resolve(arg);
        const st = await sp.fs.stat(sp.path);
        const items = st.isDirectory && !a.flags.has('-s') ? await sp.fs.list(sp.path) : [st];
        const rows: [string, string, string][] = [];
        for (const it of items) {
          const s = await summary(sp.fs, it);
          rows.push([size(s.length), size(s.consumed), sp.show(it.path)]);
        }
        const w0 = Math.max(0, ...rows.map((r) => r[0].length));
        const w1 = Math.max(0, ...rows.map((r) => r[1].length));
        await shell.out(rows.map((r) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}\n`).join(''));
      });
    },
  },
  {
    name: '-stat',
    usage: '-stat [FORMAT] PATH...',
    help: 'print %b size, %F type, %g group, %n name, %o block size, %r replication, %u owner, %y/%Y date (default %y)',
    minOperands: 1,
    async run(shell, a) {
      let fmt = '%y';
      let paths = a.operands;
      if (a.operands.length > 1 && a.operands[0]!.includes('%')) {
        fmt = a.operands[0]!;
        paths = a.operands.slice(1);
      }
      await each(shell, '-stat', paths, async (arg) => {
        const sp = await shell.resolve(arg);
        await shell.out(statFormat(fmt, await sp.fs.stat(sp.path), shell) + '\n');
      });
    },
  },
  {
    name: '-setrep',
    usage: '-setrep [-w] R PATH...',
    help: 'set the replication of files (every file below a folder); -w is accepted (copies finish before exit)',
    flags: ['-w', '-R'],
    minOperands: 2,
    async run(shell, a) {
      const r = a.operands[0]!;
      if (!/^\d+$/.test(r))
        throw new EddyError('USAGE', `-setrep: replication ${describeValue(r)} must be a whole number`);
      await each(shell, '-setrep', a.operands.slice(1), async (arg) => {
        const sp = await shell.resolve(arg);
        if (!(sp.fs instanceof DistributedFileSystem)) {
          throw new EddyError('UNSUPPORTED', `${describeValue(arg)}: replication applies to dfs:// paths only`);
        }
        const dfs = sp.fs;
        checkReplication(Number(r), dfs.config.volumes);
        await dfs.stat(sp.path);
        for (const file of await filesBelow(dfs, sp.path)) {
          await dfs.setReplication(file, Number(r));
          await shell.out(`Replication ${r} set: ${sp.show(file)}\n`);
        }
      });
    },
  },
  {
    name: '-fsck',
    usage: '-fsck [PATH] [-files] [-blocks] [-norepair]',
    help: 'check every replica below PATH (default /) and re-replicate bad ones from a good copy; exit 1 if CORRUPT',
    flags: ['-files', '-blocks', '-norepair'],
    minOperands: 0,
    maxOperands: 1,
    async run(shell, a) {
      const sp = await shell.resolve(a.operands[0] ?? '/');
      if (!(sp.fs instanceof DistributedFileSystem)) {
        throw new EddyError('UNSUPPORTED', 'fsck checks dfs:// paths only');
      }
      const report = await sp.fs.fsck(sp.path, { repair: !a.flags.has('-norepair') });
      await shell.out(
        await fsckText(report, sp.fs, a.flags.has('-files') || a.flags.has('-blocks'), a.flags.has('-blocks')),
      );
      if (report.status !== 'HEALTHY') {
        shell.failures.push(new EddyError('CORRUPT_DATA', `the filesystem under ${sp.path} is CORRUPT`));
      }
    },
  },
];
