import { execFile, spawn } from 'node:child_process';
import { mkdtemp, open, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../common/paths.js';

const run = promisify(execFile);
const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function eddy(args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: work,
      env: { ...process.env, EDDY_HOME: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function fs(...args: string[]): Promise<Result> {
  return eddy(['fs', '--home', home, ...args]);
}

function withStdin(args: string[], input: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

let work: string;
let home: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'eddy-fs-cli-'));
  home = join(work, 'home');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const LS_LINE =
  /^([-d]rw[-x]r-[-x]r-[-x]) +(-|\d+) (\S+) supergroup +(\d+(?:\.\d [KMGTP])?) (\d{4}-\d\d-\d\d) (\d\d:\d\d) (\S+)$/;

describe('eddy fs (built CLI)', () => {
  it('lists every verb and flag in --help', async () => {
    const r = await eddy(['fs', '--help']);
    expect(r.code).toBe(0);
    for (const v of [
      '-format',
      '-mkdir',
      '-put',
      '-get',
      '-ls',
      '-cat',
      '-rm',
      '-mv',
      '-du',
      '-stat',
      '-setrep',
      '-fsck',
    ]) {
      expect(r.stdout).toContain(`  ${v} `);
    }
    for (const f of [
      '--home DIR',
      '--volumes N',
      '--replication R',
      '--block-size SIZE',
      '-p]',
      '-R]',
      '-r|-R]',
      '-h]',
      '-s]',
    ]) {
      expect(r.stdout).toContain(f);
    }
    expect((await eddy(['--help'])).stdout).toContain('fs [verb-and-args...]');
  });

  it('formats a store, refusing replication above the volume count and re-formatting without -force', async () => {
    const bad = await fs('-format', '--volumes', '2', '--replication', '3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('replication 3 is more than the store');
    const ok = await fs('-format', '--volumes', '3', '--replication', '2', '--block-size', '1k');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('3 volume(s), replication 2, block size 1.0 K');
    expect((await readdir(join(home, 'dfs', 'data'))).sort()).toEqual(['vol-0', 'vol-1', 'vol-2']);
    const again = await fs('-format');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('runs every verb with hadoop fs output shapes', async () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i}`).join('\n') + '\n';
    await writeFile(join(work, 'nums.txt'), text);
    await mkdir(join(work, 'tree', 'sub'), { recursive: true });
    await writeFile(join(work, 'tree', 'a.csv'), 'a\n');
    await writeFile(join(work, 'tree', 'sub', 'b.csv'), 'b\n');

    expect((await fs('-mkdir', '/x/y')).stderr).toContain('No such file or directory');
    expect((await fs('-mkdir', '-p', '/x/y')).code).toBe(0);
    expect((await fs('-mkdir', '/x/y')).stderr).toContain('File exists');
    expect((await fs('-put', 'nums.txt', '/x')).code).toBe(0);
    expect((await fs('-put', 'nums.txt', '/x')).stderr).toContain('File exists');
    expect((await fs('-put', '-f', 'nums.txt', '/x')).code).toBe(0);
    expect((await fs('-put', 'tree', '/x')).code).toBe(0);
    expect((await withStdin(['fs', '--home', home, '-put', '-', '/x/stdin.txt'], 'from stdin\n')).code).toBe(0);

    const ls = await fs('-ls', '/x');
    expect(ls.code).toBe(0);
    const lines = ls.stdout.trim().split('\n');
    expect(lines[0]).toBe('Found 4 items');
    const rows = lines.slice(1).map((l) => LS_LINE.exec(l));
    expect(rows.every((m) => m !== null)).toBe(true);
    expect(rows.map((m) => [m![1]![0], m![2], m![4], m![7]])).toEqual([
      ['-', '2', String(text.length), '/x/nums.txt'],
      ['-', '2', '11', '/x/stdin.txt'],
      ['d', '-', '0', '/x/tree'],
      ['d', '-', '0', '/x/y'],
    ]);
    const lsr = await fs('-ls', '-R', 'dfs:///x/tree');
    expect(
      lsr.stdout
        .trim()
        .split('\n')
        .map((l) => LS_LINE.exec(l)?.[7]),
    ).toEqual(['dfs:///x/tree/a.csv', 'dfs:///x/tree/sub', 'dfs:///x/tree/sub/b.csv']);
    expect((await fs('-ls', '-h', '/x/nums.txt')).stdout).toMatch(/ 2 \S+ supergroup 3\.4 K .* \/x\/nums\.txt\n$/);

    expect((await fs('-cat', '/x/nums.txt')).stdout).toBe(text);
    expect((await fs('-cat', '/x/tree/a.csv', 'dfs:///x/tree/sub/b.csv')).stdout).toBe('a\nb\n');

    const du = await fs('-du', '/x');
    expect(du.stdout.split('\n')[0]).toMatch(new RegExp(`^${text.length} +${text.length * 2} +/x/nums\\.txt$`));
    expect((await fs('-du', '-s', '-h', '/x/tree')).stdout).toMatch(/^4 +8 +\/x\/tree\n$/);

    expect((await fs('-stat', '%n %b %r %o %F', '/x/nums.txt')).stdout).toBe(
      `nums.txt ${text.length} 2 1024 regular file\n`,
    );
    expect((await fs('-stat', '/x')).stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$/);

    expect((await fs('-setrep', '3', '/x/tree')).stdout).toBe(
      'Replication 3 set: /x/tree/a.csv\nReplication 3 set: /x/tree/sub/b.csv\n',
    );
    expect((await fs('-setrep', '4', '/x')).stderr).toContain('more than the store');
    expect((await fs('-stat', '%r', '/x/tree/sub/b.csv')).stdout).toBe('3\n');

    expect((await fs('-mv', '/x/stdin.txt', '/x/y')).code).toBe(0);
    expect((await fs('-cat', '/x/y/stdin.txt')).stdout).toBe('from stdin\n');
    expect((await fs('-mv', '/x/y/stdin.txt', '/x/renamed.txt')).code).toBe(0);

    expect((await fs('-get', '/x/nums.txt', 'back.txt')).code).toBe(0);
    expect(await readFile(join(work, 'back.txt'), 'utf8')).toBe(text);
    expect((await fs('-get', '/x/nums.txt', 'back.txt')).stderr).toContain('File exists');
    expect((await fs('-get', '/x/tree', 'tree-back')).code).toBe(0);
    expect(await readFile(join(work, 'tree-back', 'sub', 'b.csv'), 'utf8')).toBe('b\n');

    const rmDir = await fs('-rm', '/x/tree');
    expect([rmDir.code, rmDir.stderr]).toEqual([1, '-rm: "/x/tree": Is a directory (use -r)\n']);
    expect((await fs('-rm', '-r', '/x/tree')).stdout).toBe('Deleted /x/tree\n');
    expect((await fs('-rm', '/x/missing')).stderr).toContain('No such file or directory');
    expect((await fs('-rm', '-f', '/x/missing')).code).toBe(0);
    expect((await fs('-ls', '/x')).stdout).not.toContain('tree');
  });

  it('fsck reports a damaged replica, repairs it from a good copy, and exits 1 when a block is lost', async () => {
    await fs('-put', '-f', 'nums.txt', '/f.txt');
    const healthy = await fs('-fsck', '/', '-files', '-blocks');
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toContain("The filesystem under path '/' is HEALTHY");
    expect(healthy.stdout).toMatch(/\/f\.txt \d+ bytes, 4 block\(s\): OK/);
    const blk = /0\. (blk_\d+) len=1024 Live_repl=2 \[(vol-\d)/.exec(healthy.stdout)!;
    const replica = join(home, 'dfs', 'data', blk[2]!, blk[1]!);
    const fh = await open(replica, 'r+');
    await fh.write(Buffer.from('X'), 0, 1, 10);
    await fh.close();

    expect((await fs('-cat', '/f.txt')).stdout).toBe(await readFile(join(work, 'nums.txt'), 'utf8'));
    const check = await fs('-fsck', '/', '-norepair');
    expect(check.stdout).toContain(`blk_${blk[1]!.slice(4)} replica on ${blk[2]}: checksum mismatch`);
    expect(check.stdout).toContain(' Bad replicas:\t1');
    const fix = await fs('-fsck');
    expect(fix.stdout).toContain('re-replicated from a good copy');
    expect(fix.stdout).toContain(' Re-replicated replicas:\t1');
    expect((await fs('-fsck')).stdout).toContain(' Bad replicas:\t0');

    for (const v of ['vol-0', 'vol-1', 'vol-2']) await rm(join(home, 'dfs', 'data', v, blk[1]!), { force: true });
    const lost = await fs('-fsck');
    expect(lost.code).toBe(1);
    expect(lost.stdout).toContain("The filesystem under path '/' is CORRUPT");
    expect((await fs('-cat', '/f.txt')).stderr).toContain('has no good replica');
    await fs('-rm', '/f.txt');
  });

  it('takes the home from EDDY_HOME or ./eddy-home, creates a default store, and rejects bad paths and verbs', async () => {
    const env = await eddy(['fs', '-mkdir', '-p', '/from-env'], { EDDY_HOME: join(work, 'envhome') });
    expect(env.code).toBe(0);
    expect((await readdir(join(work, 'envhome', 'dfs', 'data'))).sort()).toEqual(['vol-0']);
    expect((await eddy(['fs', '-put', 'nums.txt', '/n.txt'])).code).toBe(0);
    expect((await eddy(['fs', '-stat', '%r %o', '/n.txt'])).stdout).toBe('1 134217728\n');
    expect((await readdir(join(work, 'eddy-home', 'dfs'))).sort()).toEqual(['data', 'name']);

    const climb = await fs('-ls', '/../etc');
    expect([climb.code, climb.stderr]).toEqual([1, expect.stringContaining('climbs above the root')]);
    const unknown = await fs('-frobnicate');
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('-frobnicate: Unknown command')]);
    const flag = await fs('-ls', '-z');
    expect([flag.code, flag.stderr]).toEqual([2, expect.stringContaining('Illegal option -z')]);
    expect((await fs('-ls', 's3://bucket/x')).stderr).toContain('no file system for scheme "s3://"');
    expect((await fs('-mkdir', '-p', 'file:///' + join(work, 'local-dir').slice(1))).code).toBe(0);
    expect((await readdir(work)).includes('local-dir')).toBe(true);
  });
});
