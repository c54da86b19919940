import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundledDataset } from '../common/paths.js';
import { Eddy } from '../session.js';

/**
 * `eddy demo` (what `npm start` runs): the tour of the platform on the embedded default, with nothing to set up.
 * Each step prints what it did; the demo exits 0 when every step has passed.
 */

export interface DemoStep {
  title: string;
  run(ctx: DemoContext): Promise<void>;
}

export interface DemoContext {
  eddy: Eddy;
  print(line?: string): void;
}

export const demoSteps: DemoStep[] = [
  {
    title: 'Load the iris dataset shipped with Eddy',
    async run({ print }) {
      const text = await readFile(join(bundledDataset('iris'), 'iris.data'), 'utf8');
      const rows = text.split('\n').filter((l) => l.trim() !== '');
      const perClass = new Map<string, number>();
      for (const r of rows) {
        const label = r.split(',')[4] ?? '';
        perClass.set(label, (perClass.get(label) ?? 0) + 1);
      }
      print(`${rows.length} rows, ${perClass.size} classes`);
      for (const [label, n] of perClass) print(`  ${label.padEnd(16)} ${n}`);
    },
  },
];

export async function runDemo(
  options: { home?: string },
  out: (line: string) => void = (l) => console.log(l),
): Promise<void> {
  const eddy = await Eddy.start(options.home === undefined ? {} : { home: options.home });
  try {
    out(`Eddy demo — home ${eddy.home}`);
    let i = 0;
    for (const step of demoSteps) {
      i++;
      out('');
      out(`[${i}/${demoSteps.length}] ${step.title}`);
      const t0 = performance.now();
      await step.run({ eddy, print: (line = '') => out(`    ${line}`) });
      out(`    done in ${(performance.now() - t0).toFixed(0)} ms`);
    }
    out('');
    out('Demo finished.');
  } finally {
    await eddy.close();
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the end-to-end tour on the embedded default (what `npm start` runs)')
    .option('--home <dir>', 'folder for the embedded store and broker (default: $EDDY_HOME or ./eddy-home)')
    .action(async (opts: { home?: string }) => {
      await runDemo(opts);
    });
}
