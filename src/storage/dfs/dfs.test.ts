import { spawn } from 'node:child_process';
import { cp, mkdtemp, open as openFile, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEddyError } from '../../common/errors.js';
import { packageRoot } from '../../common/paths.js';
import { listDatasetFiles } from '../dataset.js';
import { readSplitLines } from '../line-reader.js';
import { computeSplits } from '../splits.js';
import { DistributedFileSystem } from './distributed-file-system.js';

let dir: string;
const opened: DistributedFileSystem[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-dfs-'));
});
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close();
  await rm(dir, { recursive: true, force: true });
});

async function openStore(root = join(dir, 'dfs'), format = { volumes: 3, replication: 2, blockSize: 1024 }) {
  const d = await DistributedFileSystem.open(root, { format });
  opened.push(d);
  return d;
}

async function closeStore(d: DistributedFileSystem): Promise<void> {
  await d.close();
  opened.splice(opened.indexOf(d), 1);
}

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isEddyError(e)) return e.code;
    throw e;
  }
}

async function replicaFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const v of await readdir(join(root, 'data'))) {
    for (const f of await readdir(join(root, 'data', v))) out.push(`${v}/${f}`);
  }
  return out.sort();
}

describe('dfs', () => {
  it('round-trips files of many sizes across block boundaries, with ranged reads and streams', async () => {
    const d = await openStore();
    for (const n of [0, 1, 511, 512, 513, 1023, 1024, 1025, 2048, 5000, 70_000]) {
      const data = bytes(n, n + 3);
      const w = await d.create(`/rt/f-${n}`);
      // Odd-sized writes, so chunk, buffer and block edges fall in the middle of calls.
      for (let off = 0; off < n; off += 777) await w.write(data.subarray(off, off + 777));
      expect(await d.exists(`/rt/f-${n}`)).toBe(false);
      await w.close();
      const st = await d.stat(`/rt/f-${n}`);
      expect(st).toMatchObject({ length: n, blockSize: 1024, replication: 2, uri: `dfs:///rt/f-${n}` });
      expect(d.blocksOf(`/rt/f-${n}`).length).toBe(Math.ceil(n / 1024));
      expect(d.blocksOf(`/rt/f-${n}`).every((b) => b.volumes.length === 2)).toBe(true);
      expect(Buffer.from(await d.readFile(`/rt/f-${n}`)).equals(data)).toBe(true);
      const f = await d.open(`/rt/f-${n}`);
      for (const [pos, len] of [
        [0, 10],
        [500, 600],
        [1020, 10],
        [Math.floor(n / 2), 3000],
        [n, 5],
      ] as const) {
        expect(Buffer.from(await f.read(pos, len)).equals(data.subarray(pos, pos + len))).toBe(true);
      }
      const parts: Uint8Array[] = [];
      for await (const c of f.stream(7)) parts.push(c);
      expect(Buffer.concat(parts).equals(data.subarray(7))).toBe(true);
      await f.close();
    }
    // A FileStatus's URI is accepted back wherever a path is; another scheme's URI is not.
    expect((await d.stat('dfs:///rt/f-5000')).length).toBe(5000);
    expect((await d.glob('dfs://localhost/rt/f-51?')).map((s) => s.name)).toEqual(['f-511', 'f-512', 'f-513']);
    expect(await code(d.stat('file:///rt/f-5000'))).toBe('INVALID_ARGUMENT');
    const locs = await d.blockLocations('/rt/f-2048', 1000, 100);
    expect(locs.map((l) => [l.offset, l.length])).toEqual([
      [0, 1024],
      [1024, 1024],
    ]);
    expect(locs[0]!.hosts).toHaveLength(2);
  });

  it('cuts a dataset into block-aligned splits whose lines reassemble it exactly', async () => {
    const d = await openStore();
    const lines = Array.from({ length: 700 }, (_, i) => `${i},${'x'.repeat(i % 37)},é`);
    const parts = [lines.slice(0, 300).join('\r\n') + '\r\n', lines.slice(300).join('\n')];
    await d.writeFile('/ds/part-00000.csv', parts[0]!);
    await d.writeFile('/ds/part-00001.csv', parts[1]!);
    await d.writeFile('/ds/_SUCCESS', '');
    const files = await listDatasetFiles(d, 'dfs:///ds');
    expect(files.map((f) => f.name)).toEqual(['part-00000.csv', 'part-00001.csv']);
    const splits = computeSplits(files);
    expect(splits.every((s) => s.start % 1024 === 0)).toBe(true);
    expect(splits.length).toBeGreaterThan(10);
    const read = await Promise.all(
      splits.map(async (s) => {
        const out: string[] = [];
        for await (const batch of readSplitLines(d, s)) out.push(...batch);
        return out;
      }),
    );
    expect(read.flat()).toEqual(lines);
  });

  it('persists the namespace through edits and checkpoints, and across reopen', async () => {
    const root = join(dir, 'dfs');
    let d = await openStore(root);
    await d.mkdirs('/a/b/c');
    await d.writeFile('/a/b/one.txt', 'one');
    await d.writeFile('/a/two.txt', bytes(3000));
    await d.rename('/a/b/one.txt', '/a/b/c/uno.txt');
    await d.writeFile('/a/gone', 'x');
    expect(await d.delete('/a/gone')).toBe(true);
    expect(await code(d.delete('/a'))).toBe('ILLEGAL_STATE');
    // A copy of the folder taken now is what a crash would leave: the ops are only in the edit log.
    await cp(root, join(dir, 'crashed'), { recursive: true, filter: (src) => !src.endsWith('in_use.lock') });
    await closeStore(d);

    for (const r of [root, join(dir, 'crashed')]) {
      d = await openStore(r);
      expect((await d.list('/a')).map((s) => [s.name, s.isDirectory])).toEqual([
        ['b', true],
        ['two.txt', false],
      ]);
      expect(Buffer.from(await d.readFile('/a/b/c/uno.txt')).toString()).toBe('one');
      expect(Buffer.from(await d.readFile('/a/two.txt')).equals(bytes(3000))).toBe(true);
      expect(await d.exists('/a/gone')).toBe(false);
      expect((await d.glob('/a/*/c/*.txt')).map((s) => s.uri)).toEqual(['dfs:///a/b/c/uno.txt']);
      await closeStore(d);
    }
    // The replicas of the deleted file are gone from every volume.
    const files = await replicaFiles(root);
    expect(files.length).toBe(2 * 2 * (1 + 3)); // (data + meta) × replication × blocks (1 for uno, 3 for two)
  });

  it('cuts a torn last edit, and refuses an edit log damaged in the middle', async () => {
    const root = join(dir, 'dfs');
    let d = await DistributedFileSystem.open(root, { format: { volumes: 1 }, checkpointTxns: 1_000_000 });
    await d.writeFile('/x', 'x');
    await d.mkdirs('/y');
    const copy = join(dir, 'copy');
    await cp(root, copy, { recursive: true, filter: (src) => !src.endsWith('in_use.lock') });
    await d.close();

    await appendFile(join(copy, 'name', 'edits'), '0badc0de {"op":"mkdirs","pa');
    d = await DistributedFileSystem.open(copy);
    expect(await d.exists('/y')).toBe(true);
    await d.mkdirs('/z');
    await d.close();
    d = await DistributedFileSystem.open(copy);
    expect((await d.list('/')).map((s) => s.name)).toEqual(['x', 'y', 'z']);
    await d.close();

    // Damage in the middle of the log (an entry followed by others) is corruption, not a torn write.
    const live = join(dir, 'live');
    const d2 = await DistributedFileSystem.open(live, { checkpointTxns: 1_000_000 });
    for (const p of ['/p', '/q', '/r']) await d2.mkdirs(p);
    const damaged = join(dir, 'damaged');
    await cp(live, damaged, { recursive: true, filter: (src) => !src.endsWith('in_use.lock') });
    await d2.close();
    const edits = join(damaged, 'name', 'edits');
    await writeFile(edits, (await readFile(edits, 'utf8')).replace('"/q"', '"/Q"'));
    const e = await DistributedFileSystem.open(damaged).catch((x: unknown) => x);
    expect(isEddyError(e, 'CORRUPT_DATA')).toBe(true);
    expect(String(e)).toContain('corrupt at byte');
    // The refused store is left as it was, lock released: the same error again, not "in use".
    expect(isEddyError(await DistributedFileSystem.open(damaged).catch((x: unknown) => x), 'CORRUPT_DATA')).toBe(true);
  });

  it('a flipped bit in one replica is detected, the read still returns the right bytes, fsck repairs it', async () => {
    const root = join(dir, 'dfs');
    const d = await openStore(root);
    const data = bytes(3000, 9);
    await d.writeFile('/data/file.bin', data);
    const [b0, b1] = d.blocksOf('/data/file.bin');
    const victim = d.volumes.blockFile(b1!.volumes[0]!, b1!.id);
    const fh = await openFile(victim, 'r+');
    const one = Buffer.alloc(1);
    await fh.read(one, 0, 1, 100);
    one[0]! ^= 0x10;
    await fh.write(one, 0, 1, 100);
    await fh.close();
    await rm(d.volumes.blockFile(b0!.volumes[1]!, b0!.id)); // and one replica of block 0 goes missing

    expect(Buffer.from(await d.readFile('/data/file.bin')).equals(data)).toBe(true);
    expect(d.badReplicas.get(b1!.id)?.get(b1!.volumes[0]!)).toMatch(/checksum mismatch in the chunk at byte 0 /);

    const report = await d.fsck('/');
    expect(report.status).toBe('HEALTHY');
    expect(report.badReplicas.map((r) => [r.blockId, r.reason.split(' in the chunk')[0]]).sort()).toEqual(
      [
        [b0!.id, 'replica missing'],
        [b1!.id, 'checksum mismatch'],
      ].sort(),
    );
    expect(report.underReplicatedBlocks).toHaveLength(2);
    const fixed = await d.fsck('/', { repair: true });
    expect(fixed.repairedReplicas).toBe(2);
    const after = await d.fsck('/');
    expect(after.badReplicas).toEqual([]);
    expect(after.underReplicatedBlocks).toEqual([]);
    expect((await readFile(victim)).equals(data.subarray(1024, 2048))).toBe(true);

    // With every replica of a block damaged, reading fails loudly and fsck says CORRUPT.
    for (const v of b1!.volumes) await writeFile(d.volumes.blockFile(v, b1!.id), Buffer.alloc(1024));
    expect(await code(d.readFile('/data/file.bin'))).toBe('CORRUPT_DATA');
    const broken = await d.fsck('/', { repair: true });
    expect(broken.status).toBe('CORRUPT');
    expect(broken.corruptBlocks.map((b) => b.blockId)).toEqual([b1!.id]);
  });

  it('a writer killed mid-write leaves no visible file and a namespace that loads', async () => {
    const root = join(dir, 'dfs');
    const d = await openStore(root);
    await d.writeFile('/kept.txt', 'kept');
    await closeStore(d);
    const mod = join(packageRoot(), 'dist', 'src', 'storage', 'dfs', 'distributed-file-system.js');
    const script = `
      const { DistributedFileSystem } = await import(${JSON.stringify(mod)});
      const d = await DistributedFileSystem.open(${JSON.stringify(root)});
      await d.mkdirs('/in-progress');
      const w = await d.create('/in-progress/big.bin');
      await w.write(Buffer.alloc(10_000, 1));
      process.stdout.write('written\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('written') && resolve());
      child.on('exit', (c) => reject(new Error(`child exited early with ${c}`)));
    });
    // While the child lives, it owns the store.
    const held = await DistributedFileSystem.open(root).then(
      async (x) => {
        await x.close();
        return 'opened';
      },
      (e: unknown) => (isEddyError(e) ? e.message : String(e)),
    );
    expect(held).toContain(`in use by process ${child.pid}`);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect((await replicaFiles(root)).length).toBeGreaterThan(4); // the child's partial blocks are on disk

    const d2 = await openStore(root);
    expect(await d2.exists('/in-progress')).toBe(true);
    expect(await d2.exists('/in-progress/big.bin')).toBe(false);
    expect(Buffer.from(await d2.readFile('/kept.txt')).toString()).toBe('kept');
    expect((await replicaFiles(root)).length).toBe(4); // the orphans were removed: kept.txt's 2 replicas + metas
    expect((await d2.fsck('/')).status).toBe('HEALTHY');
  });

  it('refuses to re-create a store whose VERSION is lost while blocks remain', async () => {
    const root = join(dir, 'dfs');
    const d = await openStore(root);
    await d.writeFile('/precious', 'data');
    await closeStore(d);
    await rm(join(root, 'name', 'VERSION'));
    const e = await DistributedFileSystem.open(root).catch((x: unknown) => x);
    expect(isEddyError(e, 'CORRUPT_DATA')).toBe(true);
    expect((await replicaFiles(root)).length).toBe(4);
  });

  it('owns its folder: a second open in this process is refused', async () => {
    const d = await openStore();
    const e = await DistributedFileSystem.open(d.root).catch((x: unknown) => x);
    expect(isEddyError(e, 'ILLEGAL_STATE')).toBe(true);
    expect(String(e)).toContain('already open in this process');
  });

  it('appends copy-on-write, overwrites, sets replication, and refuses bad arguments', async () => {
    const root = join(dir, 'dfs');
    const d = await openStore(root);
    await d.writeFile('/log', bytes(1500, 1));
    const w = await d.append('/log');
    await w.write(bytes(1000, 2));
    expect((await d.stat('/log')).length).toBe(1500);
    await w.close();
    expect(Buffer.from(await d.readFile('/log')).equals(Buffer.concat([bytes(1500, 1), bytes(1000, 2)]))).toBe(true);
    expect(d.blocksOf('/log').map((b) => b.length)).toEqual([1024, 1024, 452]);

    const aborted = await d.append('/log');
    await aborted.write(bytes(5000, 3));
    await aborted.abort();
    expect((await d.stat('/log')).length).toBe(2500);

    await d.writeFile('/log', 'short', { overwrite: true });
    expect(Buffer.from(await d.readFile('/log')).toString()).toBe('short');
    expect((await replicaFiles(root)).length).toBe(4);

    expect(await d.setReplication('/', 3)).toBe(1);
    expect((await replicaFiles(root)).length).toBe(6);
    expect((await d.stat('/log')).replication).toBe(3);
    await d.setReplication('/log', 1);
    expect((await replicaFiles(root)).length).toBe(2);

    expect(await code(d.setReplication('/log', 4))).toBe('INVALID_ARGUMENT');
    expect(await code(d.create('/r4', { replication: 4 }))).toBe('INVALID_ARGUMENT');
    expect(await code(d.create('/bs', { blockSize: 1000 }))).toBe('INVALID_ARGUMENT');
    expect(await code(d.stat('/../etc/passwd'))).toBe('INVALID_ARGUMENT');
    expect(await code(d.mkdirs('/a:b'))).toBe('INVALID_ARGUMENT');
    expect(await code(d.writeFile('/log', 'again'))).toBe('ALREADY_EXISTS');
    expect(await code(d.mkdirs('/log/sub'))).toBe('ALREADY_EXISTS');
    expect(await code(d.create('/log/sub/deeper'))).toBe('INVALID_ARGUMENT');
    expect(await code(d.rename('/nope', '/x'))).toBe('NOT_FOUND');
    expect(await code(d.rename('/log', '/missing/dir/log'))).toBe('NOT_FOUND');
    const first = await d.create('/busy');
    expect(await code(d.create('/busy'))).toBe('ALREADY_EXISTS');
    await first.abort();
    expect(await d.exists('/busy')).toBe(false);
    expect(Buffer.from(await d.readFile('/log')).toString()).toBe('short');
  });

  it('keeps the blocks of a deleted or overwritten file until its open readers close', async () => {
    const root = join(dir, 'dfs');
    const d = await openStore(root);
    const data = bytes(5000, 11);
    await d.writeFile('/f', data);
    const reader = await d.open('/f');
    await d.writeFile('/f', 'new', { overwrite: true });
    await d.delete('/f');
    expect(Buffer.from(await reader.read(0, 5000)).equals(data)).toBe(true);
    expect((await replicaFiles(root)).length).toBe(5 * 2 * 2);
    await reader.close();
    expect(await replicaFiles(root)).toEqual([]);
  });

  it('a failed write leaves the namespace and existing files intact', async () => {
    const root = join(dir, 'dfs');
    const d = await openStore(root, { volumes: 2, replication: 2, blockSize: 1024 });
    await d.writeFile('/keep', bytes(2000, 5));
    const w = await d.create('/fails');
    await w.write(bytes(1500, 6));
    // The next block cannot be placed: a volume folder has become a file.
    await rm(d.volumes.dir(1), { recursive: true });
    await writeFile(d.volumes.dir(1), 'not a folder');
    const e = await w
      .write(bytes(2000, 7))
      .then(() => w.close())
      .catch((x: unknown) => x);
    expect(isEddyError(e)).toBe(true);
    expect(await d.exists('/fails')).toBe(false);
    expect(Buffer.from(await d.readFile('/keep')).equals(bytes(2000, 5))).toBe(true);
    await rm(d.volumes.dir(1));
    // fsck puts back the replicas that were in the lost volume.
    expect((await d.fsck('/', { repair: true })).repairedReplicas).toBe(2);
    const healthy = await d.fsck('/');
    expect([healthy.status, healthy.badReplicas.length]).toEqual(['HEALTHY', 0]);
  });
});
