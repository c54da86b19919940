import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/common/paths.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-pkg-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the built package', () => {
  it("is importable as 'eddy' from inside the checkout (package self-reference)", async () => {
    const script = join(packageRoot(), 'test', `.self-import-${process.pid}.mjs`);
    await writeFile(script, "const m = await import('eddy'); console.log(typeof m.Eddy.start, typeof m.EddyError);\n");
    try {
      const { stdout } = await run(process.execPath, [script]);
      expect(stdout.trim()).toBe('function function');
    } finally {
      await rm(script, { force: true });
    }
  });
  it('is importable by name from another project that installed the checkout (npm install <folder> links it)', async () => {
    await mkdir(join(dir, 'node_modules'), { recursive: true });
    await symlink(packageRoot(), join(dir, 'node_modules', 'eddy'), 'dir');
    const script = join(dir, 'use.mjs');
    await writeFile(
      script,
      "import { Eddy } from 'eddy';\n" +
        'const e = await Eddy.start({ home: process.argv[2] }); console.log(e.home === process.argv[2]); await e.close();\n',
    );
    const { stdout } = await run(process.execPath, [script, join(dir, 'home')]);
    expect(stdout.trim()).toBe('true');
  });
});
