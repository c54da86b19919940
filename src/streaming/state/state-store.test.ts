import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileSystem } from '../../storage/local.js';
import { StateStore, type StateCodec } from './state-store.js';

let dir: string;
const fs = new LocalFileSystem();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-state-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('state store in memory between batches', () => {
  it('a batch changes the map in place and writes the keys it changed as its delta', async () => {
    const s0 = await StateStore.load(fs, dir, 0);
    s0.put('a', 1);
    s0.put('b', 2);
    expect(s0.size).toBe(2);
    expect(await s0.commit()).toBe(1);
    const s1 = await StateStore.load(fs, dir, 1, { reuse: s0 });
    expect(s1.continued).toBe(true);
    s1.put('a', 10);
    s1.remove('b');
    s1.put('c', 3);
    s1.remove('c'); // added and removed in one batch: written as removed, which replays to the same state
    s1.remove('zzz'); // absent: nothing to do
    expect([s1.get('a'), s1.has('b'), s1.has('c'), s1.size]).toEqual([10, false, false, 1]);
    expect([...s1.entries()]).toEqual([['a', 10]]);
    expect(s1.numUpdated).toBe(3);
    await s1.commit();
    expect(s1.numUpdated).toBe(3);
    expect(await readFile(join(dir, '2.delta'), 'utf8')).toBe('v2\na\t10\nb\t\nc\t');
    // Reused and read from files, version 2 is the same.
    const fromFiles = await StateStore.load(fs, dir, 2);
    const reused = await StateStore.load(fs, dir, 2, { reuse: s1 });
    expect(fromFiles.continued).toBe(false);
    expect(reused.continued).toBe(true);
    expect(new Map(reused.entries())).toEqual(new Map(fromFiles.entries()));
  });

  it('a batch that fails before its commit leaves the committed version as it was', async () => {
    const s0 = await StateStore.load(fs, dir, 0);
    s0.put('a', 1);
    await s0.commit();
    const failing = await StateStore.load(fs, dir, 1, { reuse: s0 });
    failing.put('a', 99);
    failing.put('b', 5);
    // Never committed, but it changed the map it took from s0: s0 is not reused again, and version 1 is read from
    // its files, intact.
    const again = await StateStore.load(fs, dir, 1, { reuse: s0 });
    expect(again.continued).toBe(false);
    expect([...again.entries()]).toEqual([['a', 1]]);
    expect([...(await StateStore.load(fs, dir, 1)).entries()]).toEqual([['a', 1]]);
    // A store is reused only for the version right after the one it committed.
    const s1 = await StateStore.load(fs, dir, 1);
    s1.put('b', 2);
    await s1.commit();
    const notNext = await StateStore.load(fs, dir, 1, { reuse: s1 });
    expect(notNext.continued).toBe(false);
    expect([...notNext.entries()]).toEqual([['a', 1]]);
  });

  it('keeps live values in memory and their JSON in files through a codec', async () => {
    interface Pair {
      n: bigint;
    }
    const codec: StateCodec<Pair> = {
      toJson: (v) => JSON.stringify({ n: v.n.toString() }),
      fromJson: (j) => ({ n: BigInt((j as { n: string }).n) }),
    };
    let store: StateStore<Pair> | null = null;
    for (let v = 0; v < 12; v++) {
      store = await StateStore.load(fs, dir, v, { codec, reuse: store, snapshotInterval: 5 });
      const prev = store.get('k')?.n ?? 0n;
      store.put('k', { n: prev + 2n ** 60n });
      await store.commit();
    }
    expect(store!.get('k')).toEqual({ n: 12n * 2n ** 60n });
    expect(await readFile(join(dir, '10.snapshot'), 'utf8')).toBe(`v2\nk\t{"n":"${10n * 2n ** 60n}"}`);
    const reloaded = await StateStore.load(fs, dir, 12, { codec });
    expect(reloaded.get('k')).toEqual({ n: 12n * 2n ** 60n });
  });
});
