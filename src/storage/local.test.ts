import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEddyError } from '../common/errors.js';
import { LocalFileSystem } from './local.js';

let dir: string;
const fs = new LocalFileSystem();
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-local-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
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

describe('LocalFileSystem', () => {
  it('round-trips files of many sizes through create/open, ranged reads and streams', async () => {
    for (const n of [0, 1, 511, 512, 513, 100_000, 1024 * 1024 + 7]) {
      const data = bytes(n, n + 1);
      const p = join(dir, `f-${n}`);
      await fs.writeFile(p, data);
      expect(Buffer.from(await fs.readFile(p)).equals(Buffer.from(data))).toBe(true);
      const f = await fs.open(p);
      expect(f.length).toBe(n);
      const mid = Math.floor(n / 3);
      expect(Buffer.from(await f.read(mid, 1000)).equals(Buffer.from(data.subarray(mid, mid + 1000)))).toBe(true);
      const parts: Uint8Array[] = [];
      for await (const c of f.stream(mid)) parts.push(c);
      expect(Buffer.concat(parts).equals(Buffer.from(data.subarray(mid)))).toBe(true);
      await f.close();
      const st = await fs.stat(p);
      expect(st).toMatchObject({ length: n, isDirectory: false, uri: `file://${p}`, replication: 1 });
      expect((await fs.stat(st.uri)).length).toBe(n);
    }
  });

  it('keeps a file invisible until close, and leaves nothing after abort', async () => {
    const p = join(dir, 'a', 'b', 'out.csv');
    const w = await fs.create(p);
    await w.write(Buffer.from('hello\n'));
    expect(await fs.exists(p)).toBe(false);
    expect((await fs.list(join(dir, 'a', 'b'))).map((s) => s.name)).toEqual([]);
    await w.close();
    expect(Buffer.from(await fs.readFile(p)).toString()).toBe('hello\n');

    const w2 = await fs.create(join(dir, 'a', 'gone.csv'));
    await w2.write(Buffer.from('x'));
    await w2.abort();
    expect(await readdir(join(dir, 'a'))).toEqual(['b']);
  });

  it('refuses to replace without overwrite, replaces with it', async () => {
    const p = join(dir, 'x');
    await fs.writeFile(p, 'one');
    expect(await code(fs.writeFile(p, 'two'))).toBe('ALREADY_EXISTS');
    expect(Buffer.from(await fs.readFile(p)).toString()).toBe('one');
    await fs.writeFile(p, 'three', { overwrite: true });
    expect(Buffer.from(await fs.readFile(p)).toString()).toBe('three');
    expect(await code(fs.create(join(dir, 'no', 'such'), { createParents: false }))).toBe('NOT_FOUND');
  });

  it('a writer killed mid-write leaves no visible file', async () => {
    const target = join(dir, 'killed.bin');
    const modUrl = new URL('./local.ts', import.meta.url).href;
    // The child runs the built module (npm test builds first), as a separate process we can SIGKILL.
    const script = `
      const { LocalFileSystem } = await import(${JSON.stringify(modUrl.replace('/src/storage/local.ts', '/dist/src/storage/local.js'))});
      const w = await new LocalFileSystem().create(${JSON.stringify(target)});
      await w.write(Buffer.alloc(1 << 20, 7));
      process.stdout.write('written\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('written') && resolve());
      child.on('exit', (c) => reject(new Error(`child exited early with ${c}`)));
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(await fs.exists(target)).toBe(false);
    expect((await fs.list(dir)).map((s) => s.name)).toEqual([]);
  });

  it('lists sorted, globs like Hadoop, mkdirs, renames atomically and deletes', async () => {
    await fs.mkdirs(join(dir, 'ds'));
    for (const n of ['part-00001.csv', 'part-00000.csv', '_SUCCESS', 'other.txt']) {
      await fs.writeFile(join(dir, 'ds', n), n);
    }
    expect((await fs.list(join(dir, 'ds'))).map((s) => s.name)).toEqual([
      '_SUCCESS',
      'other.txt',
      'part-00000.csv',
      'part-00001.csv',
    ]);
    expect((await fs.glob(join(dir, 'ds', 'part-*.csv'))).map((s) => s.name)).toEqual([
      'part-00000.csv',
      'part-00001.csv',
    ]);
    expect((await fs.glob(join(dir, '{ds,nope}', 'part-0000[1-9].csv'))).map((s) => s.name)).toEqual([
      'part-00001.csv',
    ]);
    expect((await fs.glob(join(dir, 'd?', '{_S*,other.txt}'))).map((s) => s.name)).toEqual(['_SUCCESS', 'other.txt']);
    expect(await fs.glob(join(dir, 'zz*'))).toEqual([]);

    await fs.writeFile(join(dir, 'f'), 'file');
    expect(await code(fs.mkdirs(join(dir, 'f', 'sub')))).toBe('ALREADY_EXISTS');
    expect(await code(fs.rename(join(dir, 'f'), join(dir, 'ds', 'other.txt')))).toBe('ALREADY_EXISTS');
    expect(await code(fs.rename(join(dir, 'ds'), join(dir, 'ds', 'inner')))).toBe('INVALID_ARGUMENT');
    await fs.rename(join(dir, 'f'), join(dir, 'g'));
    expect(await fs.exists(join(dir, 'f'))).toBe(false);
    expect(Buffer.from(await fs.readFile(join(dir, 'g'))).toString()).toBe('file');
    await fs.rename(join(dir, 'ds'), join(dir, 'ds2'));
    expect(await fs.exists(join(dir, 'ds2', '_SUCCESS'))).toBe(true);

    expect(await code(fs.delete(join(dir, 'ds2')))).toBe('ILLEGAL_STATE');
    expect(await fs.delete(join(dir, 'ds2'), true)).toBe(true);
    expect(await fs.delete(join(dir, 'ds2'), true)).toBe(false);
    expect(await code(fs.stat(join(dir, 'ds2')))).toBe('NOT_FOUND');
  });

  it('appends, and abort of an append restores the old length', async () => {
    const p = join(dir, 'log');
    await fs.writeFile(p, 'a');
    const w = await fs.append(p);
    await w.write(Buffer.from('b'));
    await w.close();
    const w2 = await fs.append(p);
    await w2.write(Buffer.from('zzz'));
    await w2.abort();
    expect(Buffer.from(await fs.readFile(p)).toString()).toBe('ab');
  });

  it('reports block locations on 128 MiB boundaries and rejects bad paths', async () => {
    const p = join(dir, 'small');
    await writeFile(p, 'abc');
    expect(await fs.blockLocations(p, 0, 3)).toEqual([{ offset: 0, length: 3, hosts: ['localhost'] }]);
    expect(await code(fs.stat('/../etc'))).toBe('INVALID_ARGUMENT');
    expect(await code(fs.stat(`${dir}/a\0b`))).toBe('INVALID_ARGUMENT');
    expect(await code(fs.stat('relative/path'))).toBe('INVALID_ARGUMENT');
    expect(await code(fs.delete('/'))).toBe('INVALID_ARGUMENT');
  });
});
