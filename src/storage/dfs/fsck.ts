import { EddyError, describeValue } from '../../common/errors.js';
import { joinPath } from '../fs-path.js';
import type { Namespace, Node } from './namespace.js';
import type { Volumes } from './volumes.js';

export interface FsckOptions {
  /** Re-replicate damaged, missing and under-replicated blocks from a good replica (default false). */
  repair?: boolean;
}

export interface ReplicaIssue {
  path: string;
  blockId: number;
  volume: string;
  /** "replica missing", "checksum mismatch at byte …", … */
  reason: string;
  repaired: boolean;
}

export interface BlockIssue {
  path: string;
  blockId: number;
  length: number;
  /** Good replicas found, and how many the file asks for. */
  live: number;
  expected: number;
  repaired: boolean;
}

export interface FsckReport {
  path: string;
  /** HEALTHY when every block has at least one good replica after the run (HDFS's definition). */
  status: 'HEALTHY' | 'CORRUPT';
  volumes: number;
  totalSize: number;
  files: number;
  directories: number;
  blocks: number;
  /** Replicas that are missing or fail their checks (before any repair). */
  badReplicas: ReplicaIssue[];
  /** Blocks with fewer good replicas than their file's replication (before any repair). */
  underReplicatedBlocks: BlockIssue[];
  /** Blocks with no good replica at all: their files cannot be read in full. */
  corruptBlocks: BlockIssue[];
  /** Replicas written by the repair. */
  repairedReplicas: number;
}

export interface FsckContext {
  ns: Namespace;
  volumes: Volumes;
  uri(path: string): string;
  setLocations(path: string, blockId: number, volumes: number[]): Promise<void>;
  reportBad(path: string, blockId: number, volume: number, reason: string): void;
  clearBad(blockId: number, volume: number): void;
}

/** Reads and verifies every replica of every block below `path`; with `repair`, copies good replicas over. */
export async function runFsck(ctx: FsckContext, path: string, options: FsckOptions): Promise<FsckReport> {
  const top = ctx.ns.lookup(path);
  if (!top) throw new EddyError('NOT_FOUND', `fsck: ${describeValue(ctx.uri(path))} does not exist`);
  const report: FsckReport = {
    path,
    status: 'HEALTHY',
    volumes: ctx.volumes.count,
    totalSize: 0,
    files: 0,
    directories: 0,
    blocks: 0,
    badReplicas: [],
    underReplicatedBlocks: [],
    corruptBlocks: [],
    repairedReplicas: 0,
  };
  const files: [string, Node][] = [];
  const walk = (p: string, n: Node): void => {
    if (n.kind === 'file') {
      files.push([p, n]);
      return;
    }
    report.directories++;
    for (const name of [...n.children.keys()].sort()) walk(joinPath(p, name), n.children.get(name)!);
  };
  walk(path, top);

  for (const [p, f] of files) {
    if (f.kind !== 'file') continue;
    report.files++;
    for (const b of [...f.blocks]) {
      report.blocks++;
      report.totalSize += b.length;
      const good: number[] = [];
      const bad: { vol: number; issue: ReplicaIssue }[] = [];
      for (const v of b.volumes) {
        const st = await ctx.volumes.verifyReplica(v, b.id, b.length);
        if (st.ok) {
          good.push(v);
          continue;
        }
        const issue: ReplicaIssue = {
          path: p,
          blockId: b.id,
          volume: ctx.volumes.name(v),
          reason: st.reason,
          repaired: false,
        };
        report.badReplicas.push(issue);
        bad.push({ vol: v, issue });
        ctx.reportBad(p, b.id, v, st.reason);
      }
      const blockIssue: BlockIssue = {
        path: p,
        blockId: b.id,
        length: b.length,
        live: good.length,
        expected: f.replication,
        repaired: false,
      };
      if (good.length === 0) {
        report.corruptBlocks.push(blockIssue);
        continue;
      }
      if (good.length < f.replication) report.underReplicatedBlocks.push(blockIssue);
      if (!options.repair || (bad.length === 0 && b.volumes.length >= f.replication)) continue;
      const source = good[0]!;
      for (const { vol, issue } of bad) {
        await ctx.volumes.copyReplica(source, vol, b.id);
        ctx.clearBad(b.id, vol);
        issue.repaired = true;
        report.repairedReplicas++;
      }
      const extra = ctx.volumes.placement(b.id, f.replication - b.volumes.length, b.volumes);
      for (const v of extra) {
        await ctx.volumes.copyReplica(source, v, b.id);
        report.repairedReplicas++;
      }
      if (extra.length > 0) await ctx.setLocations(p, b.id, [...b.volumes, ...extra]);
      blockIssue.repaired = true;
    }
  }
  report.status = report.corruptBlocks.length > 0 ? 'CORRUPT' : 'HEALTHY';
  return report;
}
