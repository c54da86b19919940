import { formatSize } from '../common/size.js';
import type { DistributedFileSystem } from '../storage/dfs/distributed-file-system.js';
import type { FsckReport } from '../storage/dfs/fsck.js';
import type { FileStatus, FileSystem } from '../storage/filesystem.js';
import { lsDate, permissionString, statDate, type FsShell, type ShellPath } from './fs-shell.js';

/** The output shapes of hadoop fs / hdfs fsck: -ls lines, -stat formats, the fsck report. */

export async function lsLines(shell: FsShell, sp: ShellPath, entries: FileStatus[], human: boolean): Promise<void> {
  const size = (n: number): string => (human ? formatSize(n) : String(n));
  const repl = (st: FileStatus): string => (st.isDirectory ? '-' : String(st.replication));
  const wRepl = Math.max(3, ...entries.map((e) => repl(e).length));
  const wSize = Math.max(0, ...entries.map((e) => size(e.length).length));
  const lines = entries.map(
    (e) =>
      `${permissionString(e)} ${repl(e).padStart(wRepl)} ${shell.user} ${shell.group} ${size(e.length).padStart(wSize)} ${lsDate(e.modificationTime)} ${sp.show(e.path)}\n`,
  );
  await shell.out(lines.join(''));
}

export /** Every file at or below `path`, in name order. */
async function filesBelow(fs: FileSystem, path: string): Promise<string[]> {
  const st = await fs.stat(path);
  if (!st.isDirectory) return [st.path];
  const out: string[] = [];
  for (const child of await fs.list(path)) out.push(...(await filesBelow(fs, child.path)));
  return out;
}

export async function fsckText(
  r: FsckReport,
  dfs: DistributedFileSystem,
  showFiles: boolean,
  showBlocks: boolean,
): Promise<string> {
  const lines: string[] = [`FSCK started for path ${r.path} at ${new Date().toString()}`];
  if (showFiles) {
    for (const st of await filesBelow(dfs, r.path)) {
      const blocks = dfs.blocksOf(st);
      const issues = r.corruptBlocks.filter((b) => b.path === st).length;
      lines.push(
        `${st} ${blocks.reduce((n, b) => n + b.length, 0)} bytes, ${blocks.length} block(s): ${issues ? 'CORRUPT' : 'OK'}`,
      );
      if (showBlocks) {
        blocks.forEach((b, i) =>
          lines.push(
            `${i}. blk_${b.id} len=${b.length} Live_repl=${b.volumes.length} [${b.volumes.map((v) => dfs.volumes.name(v)).join(', ')}]`,
          ),
        );
      }
    }
  }
  for (const x of r.badReplicas) {
    lines.push(
      `${x.path}: blk_${x.blockId} replica on ${x.volume}: ${x.reason}${x.repaired ? ' — re-replicated from a good copy' : ''}`,
    );
  }
  for (const b of r.underReplicatedBlocks) {
    lines.push(
      `${b.path}: Under replicated blk_${b.blockId}. Target Replicas is ${b.expected} but found ${b.live} live replica(s)${b.repaired ? ' — repaired' : ''}.`,
    );
  }
  for (const b of r.corruptBlocks)
    lines.push(`${b.path}: CORRUPT blk_${b.blockId}: no good replica left (MISSING ${b.length} B)`);
  const pct = (n: number): string => (r.blocks === 0 ? '0.0' : ((100 * n) / r.blocks).toFixed(1));
  lines.push(
    '',
    `Status: ${r.status}`,
    ` Number of volumes:\t${r.volumes}`,
    ` Total size:\t${r.totalSize} B`,
    ` Total dirs:\t${r.directories}`,
    ` Total files:\t${r.files}`,
    ` Total blocks (validated):\t${r.blocks}${r.blocks ? ` (avg. block size ${Math.round(r.totalSize / r.blocks)} B)` : ''}`,
    ` Under-replicated blocks:\t${r.underReplicatedBlocks.length} (${pct(r.underReplicatedBlocks.length)} %)`,
    ` Corrupt blocks:\t${r.corruptBlocks.length}`,
    ` Bad replicas:\t${r.badReplicas.length}`,
    ` Re-replicated replicas:\t${r.repairedReplicas}`,
    ` Default replication factor:\t${dfs.config.replication}`,
    '',
    `The filesystem under path '${r.path}' is ${r.status}`,
  );
  return lines.join('\n') + '\n';
}

export function statFormat(fmt: string, st: FileStatus, shell: FsShell): string {
  return fmt.replace(/%(.)/g, (m, c: string) => {
    switch (c) {
      case 'b':
        return String(st.length);
      case 'F':
        return st.isDirectory ? 'directory' : 'regular file';
      case 'g':
        return shell.group;
      case 'n':
        return st.name;
      case 'o':
        return String(st.blockSize);
      case 'r':
        return String(st.replication);
      case 'u':
        return shell.user;
      case 'y':
        return statDate(st.modificationTime);
      case 'Y':
        return String(st.modificationTime);
      case 'a':
        return st.isDirectory ? '755' : '644';
      case 'A':
        return permissionString(st).slice(1);
      case '%':
        return '%';
      default:
        return m;
    }
  });
}
