import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy, isEddyError } from '../src/index.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-session-fs-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('Eddy session file systems', () => {
  it('exposes dfs:// and file:// through eddy.fs, keeps dfs data across sessions, and owns the store while open', async () => {
    const eddy = await Eddy.start({ home });
    try {
      const { fs, path } = eddy.fs.resolve('dfs:///datasets/words/part-00000.txt');
      expect(fs.scheme).toBe('dfs');
      await fs.writeFile(path, 'to be or not to be\n');
      const local = eddy.fs.resolve(join(home, 'local.txt'));
      await local.fs.writeFile(local.path, 'local');
      expect(eddy.fs.qualify(join(home, 'local.txt'))).toBe(`file://${home}/local.txt`);
      const second = await Eddy.start({ home }).catch((e: unknown) => e);
      expect(isEddyError(second, 'ILLEGAL_STATE')).toBe(true);
    } finally {
      await eddy.close();
    }
    const again = await Eddy.start({ home });
    try {
      const { fs, path } = again.fs.resolve('dfs:///datasets/words/part-00000.txt');
      expect(Buffer.from(await fs.readFile(path)).toString()).toBe('to be or not to be\n');
      expect((await again.dfs.fsck('/')).status).toBe('HEALTHY');
    } finally {
      await again.close();
    }
    await expect(again.dfs.list('/')).rejects.toThrow(/closed/);
  });
});
