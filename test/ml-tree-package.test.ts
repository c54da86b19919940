import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/common/paths.js';

const run = promisify(execFile);

// The worker threads run the kernel from its compiled source text; this checks that path in the built package
// (tsc output), not only under vitest's transform.
describe('decision trees from the built package', () => {
  it('train in worker threads exactly as in the main thread', async () => {
    const script = join(packageRoot(), 'test', `.ml-tree-${process.pid}.mjs`);
    await writeFile(
      script,
      `import { DecisionTreeClassifier, RandomForestRegressor } from 'eddy';
const parts = [];
let s = 7;
const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
for (let p = 0; p < 4; p++) {
  const n = 3000;
  const f = [0, 1, 2].map(() => Float64Array.from({ length: n }, rnd));
  const labels = Float64Array.from({ length: n }, (_, i) => (f[0][i] + f[1][i] * f[2][i] > 0.7 ? 1 : 0));
  parts.push({ features: f, labels });
}
const dt = new DecisionTreeClassifier({ maxDepth: 6, uid: 'x' });
const a = await dt.fitPartitions(parts, { parallelism: 1, chunkRows: 3000 });
const b = await dt.fitPartitions(parts, { parallelism: 2, chunkRows: 3000 });
const rf = new RandomForestRegressor({ numTrees: 3, seed: 3, uid: 'y' });
const regParts = parts.map((p) => ({ features: p.features, labels: p.features[0].map((v, i) => v * 2 + p.labels[i]) }));
const c = await rf.fitPartitions(regParts, { parallelism: 1, chunkRows: 3000 });
const d = await rf.fitPartitions(regParts, { parallelism: 2, chunkRows: 3000 });
console.log(JSON.stringify({ nodes: a.numNodes, same: a.toDebugString === b.toDebugString, sameForest: c.toDebugString === d.toDebugString }));
`,
    );
    try {
      const { stdout } = await run(process.execPath, [script]);
      const result = JSON.parse(stdout.trim()) as { nodes: number; same: boolean; sameForest: boolean };
      expect(result.nodes).toBeGreaterThan(10);
      expect(result.same).toBe(true);
      expect(result.sameForest).toBe(true);
    } finally {
      await rm(script, { force: true });
    }
  });
});
