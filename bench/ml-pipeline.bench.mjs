// ML pipeline benchmark: the seed example's shape at scale — CSV on disk → VectorAssembler → StringIndexer →
// DecisionTreeClassifier (maxDepth 5) fit, then transform + accuracy — beside the same steps in pandas +
// scikit-learn (/usr/bin/python3), and beside Eddy's own tree fitted on typed arrays already in memory (the cost
// of the DataFrame layer). Same file, same run. Run after `npm run build`:  npm run bench -- ml-pipeline
//
// Data: ROWS rows (default 300,000) of 4 numeric features and a string label among 3 species from a seeded
// rule with noise, written as a headerless CSV to a temp folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DecisionTreeClassifier,
  Eddy,
  MulticlassClassificationEvaluator,
  Pipeline,
  StringIndexer,
  VectorAssembler,
} from '../dist/src/index.js';
import { seededRandom as mulberry32 } from '../dist/src/common/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROWS = Number(process.env.ROWS ?? 300_000);
const SPECIES = ['setosa', 'versicolor', 'virginica'];

function generate(dir) {
  const r = mulberry32(7);
  const lines = [];
  const cols = [0, 1, 2, 3].map(() => new Float64Array(ROWS));
  const labels = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    const x = [0, 1, 2, 3].map(() => Math.round(r() * 1000) / 100);
    let k = x[2] + 0.5 * x[3] < 6 ? 0 : x[0] > 5 ? 1 : 2;
    if (r() < 0.05) k = Math.floor(r() * 3);
    x.forEach((v, f) => (cols[f][i] = v));
    labels[i] = k;
    lines.push(`${x.join(',')},${SPECIES[k]}`);
  }
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'part-0.csv'), lines.join('\n') + '\n');
  return { cols, labels };
}

async function eddyPipeline(dir) {
  const eddy = await Eddy.start({ home: join(dir, 'home'), broker: false, dfs: false });
  try {
    const t0 = performance.now();
    // Cached after the first read, as pandas holds its frame: each later pass starts from memory.
    const df = (await eddy.read.option('inferSchema', true).csv(join(dir, 'data'))).cache();
    const model = await new Pipeline({
      stages: [
        new VectorAssembler({ inputCols: ['_c0', '_c1', '_c2', '_c3'], outputCol: 'features' }),
        new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
        new DecisionTreeClassifier({ maxDepth: 5 }),
      ],
    }).fit(df);
    const fit = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const acc = await new MulticlassClassificationEvaluator({ metricName: 'accuracy' }).evaluate(model.transform(df));
    return { fit, predict: (performance.now() - t1) / 1000, acc };
  } finally {
    await eddy.close();
  }
}

async function eddyArrays({ cols, labels }) {
  const t0 = performance.now();
  const model = await new DecisionTreeClassifier({ maxDepth: 5 }).fitPartitions([{ features: cols, labels }], {
    parallelism: 1,
  });
  const fit = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const p = model.predictColumns(cols);
  let right = 0;
  for (let i = 0; i < ROWS; i++) if (p[i] === labels[i]) right++;
  return { fit, predict: (performance.now() - t1) / 1000, acc: right / ROWS };
}

const PY = `
import json, sys, time
try:
    import pandas as pd
    from sklearn.tree import DecisionTreeClassifier
except ImportError as e:
    print(json.dumps({"error": str(e)})); sys.exit(0)
t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1], header=None)
x = df[[0, 1, 2, 3]].to_numpy()
y, _ = pd.factorize(df[4])
m = DecisionTreeClassifier(max_depth=5, random_state=0).fit(x, y)
fit = time.perf_counter() - t0
t1 = time.perf_counter()
acc = float((m.predict(x) == y).mean())
print(json.dumps({"fit": fit, "predict": time.perf_counter() - t1, "acc": acc}))
`;

function sklearn(dir) {
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', PY, join(dir, 'data', 'part-0.csv')], { encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    return { error: String(e.message ?? e).split('\n')[0] };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-mlpipe-'));
try {
  const arrays = generate(dir);
  const rows = [
    ['Eddy Pipeline (CSV → assemble → index → tree)', await eddyPipeline(dir)],
    ['pandas + scikit-learn (same steps)', sklearn(dir)],
    ['Eddy tree on in-memory arrays (no DataFrame)', await eddyArrays(arrays)],
  ];
  console.log(
    `ML pipeline, ${ROWS.toLocaleString('en-US')} rows × 4 features, 3 classes, maxDepth 5 (shared 2-core machine)`,
  );
  console.log(
    `${'engine'.padEnd(48)} ${'read+fit s'.padStart(10)} ${'predict s'.padStart(10)} ${'accuracy'.padStart(9)}`,
  );
  for (const [name, r] of rows) {
    if (r.error) console.log(`${name.padEnd(48)} unavailable: ${r.error}`);
    else
      console.log(
        `${name.padEnd(48)} ${r.fit.toFixed(2).padStart(10)} ${r.predict.toFixed(2).padStart(10)} ${r.acc.toFixed(4).padStart(9)}`,
      );
  }
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(
    join(here, 'results', 'ml-pipeline.json'),
    JSON.stringify({ rows: ROWS, results: Object.fromEntries(rows) }, null, 2),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
