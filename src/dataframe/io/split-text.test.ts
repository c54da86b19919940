import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSplitLines } from '../../storage/line-reader.js';
import { LocalFileSystem } from '../../storage/local.js';
import { computeSplits } from '../../storage/splits.js';
import { splitLines } from './split-text.js';

let dir: string;
const fs = new LocalFileSystem();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-split-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function all(it: AsyncIterable<string[]>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of it) out.push(...b);
  return out;
}

describe('splitLines', () => {
  it('reads exactly the lines storage readSplitLines reads, for every split size (CRLF, UTF-8, no final newline)', async () => {
    const lines = Array.from(
      { length: 60 },
      (_, i) => `${i}:${'é✓'.repeat(i % 7)}${i % 5 === 0 ? '' : 'x'.repeat(i % 13)}`,
    );
    const text = lines.map((l, i) => (i % 4 === 0 ? `${l}\r\n` : `${l}\n`)).join('') + 'last line';
    const path = join(dir, 'f.txt');
    await writeFile(path, text);
    const st = await fs.stat(path);
    for (const size of [2, 7, 64, 999, st.length]) {
      const splits = computeSplits([st], { maxSplitBytes: size });
      const ours: string[] = [];
      const theirs: string[] = [];
      for (const s of splits) {
        const a = await all(splitLines(fs, s));
        const b = await all(readSplitLines(fs, s));
        expect(a, `split ${s.start}+${s.length} of size ${size}`).toEqual(b);
        ours.push(...a);
        theirs.push(...b);
      }
      expect(ours).toEqual([...lines, 'last line']);
    }
  });
});
