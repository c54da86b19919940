import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder of Eddy's own package.json, found from this module's location (works from src/ and dist/src/). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'eddy') return (root = dir);
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find Eddy's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The version in Eddy's package.json, written into saved models and checkpoints. */
export function eddyVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** A dataset shipped with the package, e.g. bundledDataset('iris') → <root>/datasets/iris. */
export function bundledDataset(name: string): string {
  return join(packageRoot(), 'datasets', name);
}
