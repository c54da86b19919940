import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../common/random.js';
import { LocalFileSystem } from '../../storage/local.js';
import { StateLines, StateLog } from './state-log.js';

let dir: string;
const fs = new LocalFileSystem();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-state-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('state log', () => {
  it('reads back lines built as bytes, past the first buffer, with UTF-8 keys and every whole number', async () => {
    const random = seededRandom(3);
    const lines = new StateLines();
    const expected = new Map<string, unknown>();
    for (let i = 0; i < 5_000; i++) {
      const key = JSON.stringify([`wörd-${i}`, i % 7]);
      const n = i % 3 === 0 ? Math.floor(random() * Number.MAX_SAFE_INTEGER) : i;
      lines.newline().raw(Buffer.from(key, 'utf8')).tab().byte(0x5b).integer(n).byte(0x2c).text('"ü"').byte(0x5d);
      expected.set(key, [n, 'ü']);
    }
    // A removal of a key written earlier in the same file wins.
    lines
      .newline()
      .text(JSON.stringify(['wörd-0', 0]))
      .tab();
    expected.delete(JSON.stringify(['wörd-0', 0]));
    const log = new StateLog(fs, dir);
    await log.write(1, 'delta', lines);
    expect(await log.read(1)).toEqual(expected);
    expect(() => lines.integer(-1)).toThrow(/only safe whole numbers/);
    expect(() => lines.integer(0.5)).toThrow(/only safe whole numbers/);
  });

  it('reads older v1 files and refuses damaged ones, naming the file and line', async () => {
    await writeFile(join(dir, '1.delta'), 'v1\n["a",1]\n["b",{"x":2}]');
    await writeFile(join(dir, '2.delta'), 'v2\nb\t\nc\t[3]');
    const log = new StateLog(fs, dir);
    expect(await log.read(2)).toEqual(
      new Map<string, unknown>([
        ['a', 1],
        ['c', [3]],
      ]),
    );
    await writeFile(join(dir, '3.delta'), 'v2\nno tab here');
    await expect(log.read(3)).rejects.toThrow(/3\.delta line 2 is not valid state: no tab/);
    await writeFile(join(dir, '3.delta'), 'v2\n');
    await writeFile(join(dir, '4.delta'), 'v9\n');
    await expect(new StateLog(fs, dir).read(4)).rejects.toThrow(/4\.delta starts with "v9", not a version line/);
    expect(() => StateLog.put('a\tb', '1')).toThrow(/contains a tab or a newline/);
    expect(await readFile(join(dir, '2.delta'), 'utf8')).toBe('v2\nb\t\nc\t[3]');
  });
});
