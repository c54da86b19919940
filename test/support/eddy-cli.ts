import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/common/paths.js';

/** Runs the built `eddy` CLI (dist/, so `npm run build` first, as `npm test` does) and collects its output. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');

export function eddyCli(args: string[], options: { input?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
