import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEddyError } from '../common/errors.js';
import { listDatasetFiles } from './dataset.js';
import type { FileStatus } from './filesystem.js';
import { readSplitLines } from './line-reader.js';
import { LocalFileSystem } from './local.js';
import { computeSplits } from './splits.js';

const fs = new LocalFileSystem();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-splits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectedLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

async function readAll(files: FileStatus[], maxSplitBytes: number): Promise<string[]> {
  const splits = computeSplits(files, { maxSplitBytes });
  // Read the splits concurrently, as partitions are, then put them back in split order.
  const parts = await Promise.all(
    splits.map(async (s) => {
      const lines: string[] = [];
      for await (const batch of readSplitLines(fs, s)) lines.push(...batch);
      return lines;
    }),
  );
  return parts.flat();
}

let seed = 42;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed % n;
}

function randomText(lines: number, crlf: boolean, trailing: boolean): string {
  const words = ['a', 'bb', 'ccc', 'héllo', '日本語', '', 'x,y,z', '  spaced  '];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = rand(6);
    const parts: string[] = [];
    for (let k = 0; k < n; k++) parts.push(words[rand(words.length)]!);
    out.push(parts.join(' '));
  }
  const sep = crlf ? '\r\n' : '\n';
  return out.join(sep) + (trailing ? sep : '');
}

describe('computeSplits and the split line reader', () => {
  it('reads every line exactly once, for many split sizes, CRLF and missing trailing newlines', async () => {
    let k = 0;
    for (const lines of [0, 1, 2, 7, 40]) {
      for (const crlf of [false, true]) {
        for (const trailing of [false, true]) {
          const text = randomText(lines, crlf, trailing);
          const p = join(dir, `t-${k++}.txt`);
          await fs.writeFile(p, text);
          const st = await fs.stat(p);
          for (const max of [1, 2, 3, 5, 8, 13, 64, 1000]) {
            expect(await readAll([st], max), `lines=${lines} crlf=${crlf} trailing=${trailing} max=${max}`).toEqual(
              expectedLines(text),
            );
          }
        }
      }
    }
  });

  it('handles lines crossing the reader chunk size and split ends (a few MiB)', async () => {
    const long = 'L'.repeat(700_000);
    const text = [long, 'short', long + 'é', '', 'end'].join('\r\n') + '\n' + 'x'.repeat(1_500_000);
    const p = join(dir, 'big.txt');
    await fs.writeFile(p, text);
    const st = await fs.stat(p);
    for (const max of [1_000_000, 700_001, 333_333, 4_000_000]) {
      expect(await readAll([st], max)).toEqual(expectedLines(text));
    }
  });

  it('cuts splits like FileInputFormat: block-sized by default, 10% slop on the tail, none for empty files', () => {
    const f = (length: number, blockSize = 100): FileStatus => ({
      uri: `file:///f${length}`,
      path: `/f${length}`,
      name: `f${length}`,
      isDirectory: false,
      length,
      modificationTime: 0,
      blockSize,
      replication: 1,
    });
    const shape = (files: FileStatus[], max?: number) =>
      computeSplits(files, max === undefined ? {} : { maxSplitBytes: max }).map((s) => [s.path, s.start, s.length]);
    expect(shape([f(250)])).toEqual([
      ['/f250', 0, 100],
      ['/f250', 100, 100],
      ['/f250', 200, 50],
    ]);
    expect(shape([f(210)])).toEqual([
      ['/f210', 0, 100],
      ['/f210', 100, 110],
    ]);
    expect(shape([f(0), f(30)], 10)).toEqual([
      ['/f30', 0, 10],
      ['/f30', 10, 10],
      ['/f30', 20, 10],
    ]);
    expect(shape([f(250)], 1000)).toEqual(shape([f(250)]));
    let err: unknown;
    try {
      computeSplits([f(1)], { maxSplitBytes: 0 });
    } catch (e) {
      err = e;
    }
    expect(isEddyError(err, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('lists a dataset folder as Hadoop does, skipping _ and . names; a single file is a dataset of one', async () => {
    const ds = join(dir, 'ds');
    for (const name of ['part-00001.csv', 'part-00000.csv', '_SUCCESS', '.part-00000.csv.crc', 'k=1/part-0.csv']) {
      await fs.writeFile(join(ds, name), 'a\n');
    }
    await fs.writeFile(join(ds, '_temporary', 'attempt', 'part-9.csv'), 'a\n');
    expect((await listDatasetFiles(fs, ds)).map((s) => s.path.slice(ds.length))).toEqual([
      '/k=1/part-0.csv',
      '/part-00000.csv',
      '/part-00001.csv',
    ]);
    expect((await listDatasetFiles(fs, join(ds, 'part-00000.csv'))).length).toBe(1);
    expect((await listDatasetFiles(fs, join(ds, 'part-*'))).map((s) => s.name)).toEqual([
      'part-00000.csv',
      'part-00001.csv',
    ]);
    await expect(listDatasetFiles(fs, join(ds, 'nothing-*'))).rejects.toThrow(/matches no files/);
    await expect(listDatasetFiles(fs, join(ds, 'missing'))).rejects.toThrow(/does not exist|no such file/i);
  });
});
