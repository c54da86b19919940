import { EddyError, describeValue } from '../../common/errors.js';
import { baseName, isWithin, parentPath, pathComponents } from '../fs-path.js';

/**
 * The dfs namespace, as HDFS's FSDirectory holds it: a tree of directories and files, each file a list of
 * blocks with its block size and replication, every node with a modification time. Mutations arrive as edit
 * ops (the same records the edit log stores), are validated by prepare() without side effects, and applied by
 * the returned function only after the op is durable in the log, so memory never runs ahead of disk.
 */

export interface BlockRecord {
  id: number;
  length: number;
  /** Volume indexes holding a replica, preferred first. */
  volumes: number[];
}

export interface DirNode {
  kind: 'dir';
  mtime: number;
  children: Map<string, Node>;
}

export interface FileNode {
  kind: 'file';
  mtime: number;
  blockSize: number;
  replication: number;
  blocks: BlockRecord[];
}

export type Node = DirNode | FileNode;

export type EditOp =
  | { op: 'mkdirs'; path: string; mtime: number }
  | {
      op: 'addFile';
      path: string;
      mtime: number;
      blockSize: number;
      replication: number;
      blocks: BlockRecord[];
      overwrite: boolean;
    }
  | { op: 'updateBlocks'; path: string; mtime: number; blocks: BlockRecord[]; expectIds: number[] }
  | { op: 'rename'; from: string; to: string; mtime: number }
  | { op: 'delete'; path: string; recursive: boolean; mtime: number }
  | { op: 'setReplication'; path: string; replication: number; blocks: BlockRecord[]; expectIds: number[] }
  | { op: 'setLocations'; path: string; blockId: number; volumes: number[] };

/** A replica the namespace no longer references once an op is applied: its files can be deleted. */
export interface FreedReplica {
  id: number;
  volume: number;
}

export function fileLength(f: FileNode): number {
  let n = 0;
  for (const b of f.blocks) n += b.length;
  return n;
}

export class Namespace {
  root: DirNode = { kind: 'dir', mtime: Date.now(), children: new Map() };

  constructor(private readonly uriOf: (path: string) => string) {}

  lookup(path: string): Node | undefined {
    let node: Node = this.root;
    for (const name of pathComponents(path)) {
      if (node.kind !== 'dir') return undefined;
      const next = node.children.get(name);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  /** Every file below (or at) `path`, depth first in name order. */
  *files(path: string): Generator<[string, FileNode]> {
    const node = this.lookup(path);
    if (node) yield* filesBelow(node, path);
  }

  /** Block ids referenced anywhere, with the volumes that should hold them. */
  referencedReplicas(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const [, f] of this.files('/')) for (const b of f.blocks) out.set(b.id, b.volumes);
    return out;
  }

  /**
   * Validates `op` against the current tree and returns the function that applies it, which returns the
   * replicas the op dropped (deleted or replaced files, lowered replication, moved replicas).
   */
  prepare(op: EditOp): () => FreedReplica[] {
    switch (op.op) {
      case 'mkdirs': {
        const missing = this.missingDirs(op.path);
        return () => {
          this.createDirs(missing, op.mtime);
          return [];
        };
      }
      case 'addFile': {
        const existing = this.lookup(op.path);
        if (existing?.kind === 'dir') {
          throw new EddyError('ALREADY_EXISTS', `cannot create ${this.q(op.path)}: it is a directory`);
        }
        if (existing && !op.overwrite) {
          throw new EddyError(
            'ALREADY_EXISTS',
            `${this.q(op.path)} already exists; delete it first or write with overwrite: true`,
          );
        }
        const missing = this.missingDirs(parentPath(op.path));
        return () => {
          const parent = this.createDirs(missing, op.mtime);
          parent.children.set(baseName(op.path), {
            kind: 'file',
            mtime: op.mtime,
            blockSize: op.blockSize,
            replication: op.replication,
            blocks: op.blocks.map(copyBlock),
          });
          parent.mtime = op.mtime;
          return existing?.kind === 'file' ? replicasOf(existing.blocks) : [];
        };
      }
      case 'updateBlocks': {
        const f = this.fileAsExpected(op.path, op.expectIds);
        return () => {
          const freed = droppedReplicas(f.blocks, op.blocks);
          f.blocks = op.blocks.map(copyBlock);
          f.mtime = op.mtime;
          return freed;
        };
      }
      case 'setReplication': {
        const f = this.fileAsExpected(op.path, op.expectIds);
        return () => {
          const freed = droppedReplicas(f.blocks, op.blocks);
          f.replication = op.replication;
          f.blocks = op.blocks.map(copyBlock);
          return freed;
        };
      }
      case 'setLocations': {
        const f = this.file(op.path);
        const b = f.blocks.find((x) => x.id === op.blockId);
        if (!b) throw new EddyError('NOT_FOUND', `${this.q(op.path)} has no block blk_${op.blockId}`);
        return () => {
          const freed = b.volumes.filter((v) => !op.volumes.includes(v)).map((volume) => ({ id: b.id, volume }));
          b.volumes = [...op.volumes];
          return freed;
        };
      }
      case 'rename': {
        const node = this.lookup(op.from);
        if (!node) throw new EddyError('NOT_FOUND', `cannot rename ${this.q(op.from)}: it does not exist`);
        if (op.from === '/' || op.to === '/') throw new EddyError('INVALID_ARGUMENT', 'cannot rename the root "/"');
        if (this.lookup(op.to)) {
          throw new EddyError('ALREADY_EXISTS', `cannot rename to ${this.q(op.to)}: it exists`);
        }
        if (node.kind === 'dir' && isWithin(op.to, op.from)) {
          throw new EddyError('INVALID_ARGUMENT', `cannot move ${this.q(op.from)} into itself (${this.q(op.to)})`);
        }
        const dst = this.lookup(parentPath(op.to));
        if (dst?.kind !== 'dir') {
          throw new EddyError(
            'NOT_FOUND',
            `cannot rename to ${this.q(op.to)}: its parent directory does not exist; create it first`,
          );
        }
        const src = this.lookup(parentPath(op.from)) as DirNode;
        return () => {
          src.children.delete(baseName(op.from));
          dst.children.set(baseName(op.to), node);
          src.mtime = op.mtime;
          dst.mtime = op.mtime;
          return [];
        };
      }
      case 'delete': {
        if (op.path === '/') throw new EddyError('INVALID_ARGUMENT', 'refusing to delete the root "/"');
        const node = this.lookup(op.path);
        if (!node) throw new EddyError('NOT_FOUND', `cannot delete ${this.q(op.path)}: it does not exist`);
        if (node.kind === 'dir' && node.children.size > 0 && !op.recursive) {
          throw new EddyError(
            'ILLEGAL_STATE',
            `directory ${this.q(op.path)} is not empty; delete it recursively to remove its contents`,
          );
        }
        const parent = this.lookup(parentPath(op.path)) as DirNode;
        return () => {
          parent.children.delete(baseName(op.path));
          parent.mtime = op.mtime;
          const freed: FreedReplica[] = [];
          for (const [, f] of filesBelow(node)) freed.push(...replicasOf(f.blocks));
          return freed;
        };
      }
    }
  }

  /** The file at `path`, provided its blocks are still the ones the caller based its change on. */
  private fileAsExpected(path: string, expectIds: number[]): FileNode {
    const f = this.file(path);
    if (f.blocks.length !== expectIds.length || f.blocks.some((b, i) => b.id !== expectIds[i])) {
      throw new EddyError('ILLEGAL_STATE', `${this.q(path)} changed while it was being updated; retry`);
    }
    return f;
  }

  private file(path: string): FileNode {
    const node = this.lookup(path);
    if (!node) throw new EddyError('NOT_FOUND', `${this.q(path)} does not exist`);
    if (node.kind !== 'file') throw new EddyError('INVALID_ARGUMENT', `${this.q(path)} is a directory, not a file`);
    return node;
  }

  /** The names to create below the deepest existing directory of `path`; a file in the way is an error. */
  private missingDirs(path: string): { parent: DirNode; names: string[] } {
    let node: DirNode = this.root;
    const parts = pathComponents(path);
    let i = 0;
    for (; i < parts.length; i++) {
      const next = node.children.get(parts[i]!);
      if (!next) break;
      if (next.kind !== 'dir') {
        const at = '/' + parts.slice(0, i + 1).join('/');
        throw new EddyError('ALREADY_EXISTS', `cannot create directory ${this.q(path)}: ${this.q(at)} is a file`);
      }
      node = next;
    }
    return { parent: node, names: parts.slice(i) };
  }

  private createDirs(missing: { parent: DirNode; names: string[] }, mtime: number): DirNode {
    let node = missing.parent;
    for (const name of missing.names) {
      const next: DirNode = { kind: 'dir', mtime, children: new Map() };
      node.children.set(name, next);
      node.mtime = mtime;
      node = next;
    }
    return node;
  }

  private q(path: string): string {
    return describeValue(this.uriOf(path));
  }

  // --- the fsimage form: plain JSON, children sorted so images of equal trees are equal bytes ---

  toJSON(): unknown {
    return nodeToJson(this.root);
  }

  static fromJSON(json: unknown, uriOf: (path: string) => string): Namespace {
    const ns = new Namespace(uriOf);
    const root = nodeFromJson(json);
    if (root.kind !== 'dir') throw new EddyError('CORRUPT_DATA', 'the fsimage root is not a directory');
    ns.root = root;
    return ns;
  }
}

function* filesBelow(node: Node, path = ''): Generator<[string, FileNode]> {
  if (node.kind === 'file') {
    yield [path, node];
    return;
  }
  for (const name of [...node.children.keys()].sort()) {
    yield* filesBelow(node.children.get(name)!, path === '/' ? `/${name}` : `${path}/${name}`);
  }
}

function replicasOf(blocks: BlockRecord[]): FreedReplica[] {
  return blocks.flatMap((b) => b.volumes.map((volume) => ({ id: b.id, volume })));
}

/** Replicas in `before` that `after` no longer lists. */
function droppedReplicas(before: BlockRecord[], after: BlockRecord[]): FreedReplica[] {
  const kept = new Set(after.flatMap((b) => b.volumes.map((v) => `${b.id}/${v}`)));
  return replicasOf(before).filter((r) => !kept.has(`${r.id}/${r.volume}`));
}

function copyBlock(b: BlockRecord): BlockRecord {
  return { id: b.id, length: b.length, volumes: [...b.volumes] };
}

type JsonNode =
  | { t: 'd'; m: number; c: Record<string, JsonNode> }
  | { t: 'f'; m: number; bs: number; r: number; b: [number, number, number[]][] };

function nodeToJson(n: Node): JsonNode {
  if (n.kind === 'file') {
    return {
      t: 'f',
      m: n.mtime,
      bs: n.blockSize,
      r: n.replication,
      b: n.blocks.map((b) => [b.id, b.length, b.volumes]),
    };
  }
  const c: Record<string, JsonNode> = {};
  for (const name of [...n.children.keys()].sort()) c[name] = nodeToJson(n.children.get(name)!);
  return { t: 'd', m: n.mtime, c };
}

function nodeFromJson(j: unknown): Node {
  const o = j as JsonNode;
  if (o?.t === 'f' && Array.isArray(o.b)) {
    return {
      kind: 'file',
      mtime: o.m,
      blockSize: o.bs,
      replication: o.r,
      blocks: o.b.map(([id, length, volumes]) => ({ id, length, volumes: [...volumes] })),
    };
  }
  if (o?.t === 'd' && typeof o.c === 'object' && o.c !== null) {
    const children = new Map<string, Node>();
    for (const [name, child] of Object.entries(o.c)) children.set(name, nodeFromJson(child));
    return { kind: 'dir', mtime: o.m, children };
  }
  throw new EddyError('CORRUPT_DATA', `the fsimage holds a malformed node ${describeValue(j)}`);
}
