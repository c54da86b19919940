import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../common/paths.js';

const run = promisify(execFile);
const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');

async function eddy(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: home });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-cli-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('eddy CLI (built)', () => {
  it('explains itself', async () => {
    const r = await eddy('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: eddy');
    expect(r.stdout).toContain('demo');
  });
  it('rejects an unknown command with a clear message and a non-zero exit', async () => {
    const r = await eddy('frobnicate');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
  it('rejects a bad flag', async () => {
    const r = await eddy('demo', '--no-such-flag');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown option '--no-such-flag'");
  });
  it('prints its version', async () => {
    const r = await eddy('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
  it('runs the demo to the end', async () => {
    const r = await eddy('demo', '--home', join(home, 'eddy-home'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Demo finished.');
  }, 120_000);
});
