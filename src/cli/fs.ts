import type { Command } from 'commander';
import { resolve } from 'node:path';
import { EddyError } from '../common/errors.js';
import { FsShell } from './fs-shell.js';
import { VERBS, type VerbArgs, type VerbSpec } from './fs-verbs.js';

/**
 * `eddy fs`: hadoop fs's verbs over dfs:// and file://. The verbs are single-dash words (-ls, -put), which
 * commander cannot express, so this command takes its arguments raw and parses them here.
 */

export function fsHelp(): string {
  return [
    'Usage: eddy fs [--home DIR] <verb> [verb options] [args]',
    '',
    'A Hadoop-style file system shell over the dfs store (dfs://) and the local disk (file://).',
    'Plain paths name dfs paths, as with fs.defaultFS (relative ones start at /); write file:///abs/path for local',
    'files. -put sources and -get destinations are local paths. The store is <home>/dfs; a store used before',
    '-format is created with single-node defaults (1 volume, replication 1, 128 MiB blocks).',
    '',
    'Verbs:',
    ...VERBS.map((v) => `  ${v.usage}\n      ${v.help}`),
    '',
    'Options:',
    '  --home DIR\n      the Eddy home holding the store (default: $EDDY_HOME, else ./eddy-home)',
    '  -h, --help\n      show this help',
    '',
    'Exit status: 0 on success, 1 if any path failed (or fsck found corruption), 2 on a usage error.',
    '',
  ].join('\n');
}

function usageError(message: string, verb?: VerbSpec): EddyError {
  const usage = verb ? `\nUsage: eddy fs [--home DIR] ${verb.usage}` : '\n(run "eddy fs --help" for usage)';
  return new EddyError('USAGE', `${message}${usage}`);
}

/** Splits the raw arguments into home, verb and the verb's flags, valued options and operands. */
export function parseFsArgs(argv: string[]): { home?: string; help: boolean; verb?: VerbSpec; args: VerbArgs } {
  let home: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === '--home') {
      home = argv[++i];
      if (home === undefined) throw usageError('--home needs a folder');
    } else if (t.startsWith('--home=')) home = t.slice('--home='.length);
    else if (t === '-h' || t === '--help' || t === '-help') return { home, help: true, args: emptyArgs() };
    else break;
  }
  const name = argv[i];
  if (name === undefined) return { home, help: true, args: emptyArgs() };
  const verb = VERBS.find((v) => v.name === name) ?? VERBS.find((v) => v.name === aliasOf(name));
  if (!verb) throw usageError(`${name}: Unknown command`);
  const args = emptyArgs();
  let operandsOnly = false;
  for (i++; i < argv.length; i++) {
    const t = argv[i]!;
    if (operandsOnly || !t.startsWith('-') || t === '-') {
      args.operands.push(t);
    } else if (t === '--') {
      operandsOnly = true;
    } else if (t === '--home') {
      home = argv[++i];
      if (home === undefined) throw usageError('--home needs a folder', verb);
    } else if (verb.valued?.includes(t.split('=')[0]!)) {
      const [k, inline] = t.includes('=') ? [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)] : [t, argv[++i]];
      if (inline === undefined) throw usageError(`${verb.name}: ${k} needs a value`, verb);
      args.values.set(k, inline);
    } else if (verb.flags?.includes(t)) {
      args.flags.add(t);
    } else if (verb.name === '-stat' && t.includes('%')) {
      args.operands.push(t);
    } else {
      throw usageError(`${verb.name}: Illegal option ${t}`, verb);
    }
  }
  if (args.operands.length < verb.minOperands) throw usageError(`${verb.name}: not enough arguments`, verb);
  if (verb.maxOperands !== undefined && args.operands.length > verb.maxOperands) {
    throw usageError(`${verb.name}: too many arguments`, verb);
  }
  return { home, help: false, verb, args };
}

function aliasOf(name: string): string {
  return { '-copyFromLocal': '-put', '-copyToLocal': '-get', '-dir': '-ls' }[name] ?? name;
}

function emptyArgs(): VerbArgs {
  return { flags: new Set(), values: new Map(), operands: [] };
}

/** Runs one `eddy fs` invocation; returns the exit status. */
export async function runFs(argv: string[]): Promise<number> {
  const parsed = parseFsArgs(argv);
  if (parsed.help || !parsed.verb) {
    process.stdout.write(fsHelp());
    return 0;
  }
  const home = resolve(parsed.home ?? (process.env['EDDY_HOME'] || 'eddy-home'));
  const shell = new FsShell(home);
  try {
    await parsed.verb.run(shell, parsed.args);
  } finally {
    await shell.close();
  }
  return shell.failures.length > 0 ? 1 : 0;
}

export function registerFs(program: Command): void {
  program
    .command('fs')
    .description(
      'Hadoop-style file system shell: -ls, -put, -get, -cat, -rm, -mv, -du, -stat, -setrep, -fsck, -format …',
    )
    .helpOption(false)
    .showHelpAfterError(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[verb-and-args...]', 'see "eddy fs --help"')
    .action(async (_args: string[], _opts: unknown, cmd: Command) => {
      const code = await runFs(cmd.args);
      if (code !== 0) {
        // The failures are already on stderr; leave with the status only.
        cmd.configureOutput({ outputError: () => {} });
        cmd.error('', { exitCode: code, code: 'eddy.fs.failed' });
      }
    });
}
