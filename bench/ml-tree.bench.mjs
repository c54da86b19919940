// Decision-tree benchmark: Eddy's DecisionTreeClassifier (maxDepth 10, maxBins 32, 2 worker threads) beside
// scikit-learn's DecisionTreeClassifier and XGBoost `hist` with one tree (n_jobs=2) via /usr/bin/python3, and
// ml-cart on a 10,000-row slice — same data, same run. Run after `npm run build`:  npm run bench -- ml-tree
//
// Data: 1,000,000 training rows + 100,000 held-out rows, 20 numeric features (float32-exact, so both sides read
// identical numbers), binary label from a nonlinear rule with 5% label noise, from a seeded PRNG. Written to a
// temp file that the Python side reads.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DecisionTreeClassifier } from '../dist/src/index.js';
import { seededRandom as mulberry32 } from '../dist/src/common/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const TRAIN = Number(process.env.ROWS ?? 1_000_000);
const TEST = 100_000;
// ml-cart grows its tree with an exhaustive search over row arrays: 10,000 rows take about a minute.
const CART_ROWS = Number(process.env.CART_ROWS ?? 10_000);
const F = 20;
const N = TRAIN + TEST;

function generate() {
  const r = mulberry32(20261124);
  const x = new Float32Array(N * F); // row-major, as numpy reads it
  const y = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const o = i * F;
    for (let f = 0; f < F; f++) x[o + f] = r() * 2 - 1;
    const s =
      Math.sin(3 * x[o]) +
      x[o + 1] * x[o + 2] * 2 +
      (x[o + 3] > 0.2 ? 0.6 : -0.6) +
      x[o + 4] * x[o + 4] -
      0.35 +
      0.5 * x[o + 5];
    let label = s > 0 ? 1 : 0;
    if (r() < 0.05) label = 1 - label;
    y[i] = label;
  }
  return { x, y };
}

function columns(x, from, to) {
  const n = to - from;
  const cols = Array.from({ length: F }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const o = (from + i) * F;
    for (let f = 0; f < F; f++) cols[f][i] = x[o + f];
  }
  return cols;
}

function accuracy(pred, y, from) {
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === y[from + i]) ok++;
  return ok / pred.length;
}

async function eddy(x, y, parallelism) {
  const trainCols = columns(x, 0, TRAIN);
  const labels = Float64Array.from(y.subarray(0, TRAIN));
  // Eight partitions, as a DataFrame of eight part files would hand them over.
  const parts = [];
  const P = 8;
  for (let p = 0; p < P; p++) {
    const s = Math.floor((p * TRAIN) / P);
    const e = Math.floor(((p + 1) * TRAIN) / P);
    parts.push({ features: trainCols.map((c) => c.subarray(s, e)), labels: labels.subarray(s, e) });
  }
  const dt = new DecisionTreeClassifier({ maxDepth: 10, maxBins: 32 });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const model = await dt.fitPartitions(parts, { parallelism });
  const fit = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const fitCpu = (cu.user + cu.system) / 1e6;
  const testCols = columns(x, TRAIN, N);
  const acc = accuracy(model.predictColumns(testCols), y, TRAIN);
  let best = Infinity;
  const out = new Float64Array(TRAIN);
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    model.tree.predictColumns(trainCols, TRAIN, out);
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return { fit, fitCpu, acc, predictRowsPerSec: TRAIN / best, nodes: model.numNodes, depth: model.depth };
}

async function mlCart(x, y) {
  let Cart;
  try {
    ({ DecisionTreeClassifier: Cart } = await import('ml-cart'));
  } catch {
    return null;
  }
  const n = CART_ROWS;
  const rows = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * F, (i + 1) * F)));
  const labels = Array.from(y.subarray(0, n));
  const cart = new Cart({ gainFunction: 'gini', maxDepth: 10, minNumSamples: 1 });
  const t0 = performance.now();
  cart.train(rows, labels);
  const fit = (performance.now() - t0) / 1000;
  const test = Array.from({ length: TEST }, (_, i) => Array.from(x.subarray((TRAIN + i) * F, (TRAIN + i + 1) * F)));
  const t1 = performance.now();
  const pred = cart.predict(test);
  const pt = (performance.now() - t1) / 1000;
  // Eddy on the same 10,000 rows, for a like-for-like line.
  const small = await new DecisionTreeClassifier({ maxDepth: 10 }).fitPartitions(
    [{ features: columns(x, 0, n), labels: Float64Array.from(labels) }],
    { parallelism: 1 },
  );
  const t2 = performance.now();
  await new DecisionTreeClassifier({ maxDepth: 10 }).fitPartitions(
    [{ features: columns(x, 0, n), labels: Float64Array.from(labels) }],
    { parallelism: 1 },
  );
  const eddyFit = (performance.now() - t2) / 1000;
  return {
    fit,
    acc: accuracy(pred, y, TRAIN),
    predictRowsPerSec: TEST / pt,
    eddyFit,
    eddyAcc: accuracy(small.predictColumns(columns(x, TRAIN, N)), y, TRAIN),
  };
}

function python(dataFile) {
  const script = join(here, 'ml-tree.py');
  try {
    const out = execFileSync('/usr/bin/python3', [script, dataFile, String(TRAIN), String(TEST), String(F)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    console.error(`python side failed: ${e.message}`);
    return {};
  }
}

const tGen = performance.now();
const { x, y } = generate();
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-tree-'));
const dataFile = join(dir, 'data.bin');
writeFileSync(dataFile, Buffer.concat([Buffer.from(x.buffer), Buffer.from(y.buffer)]));
console.log(`generated ${N} rows × ${F} features in ${((performance.now() - tGen) / 1000).toFixed(1)} s → ${dataFile}`);

try {
  const e2 = await eddy(x, y, 2);
  const e1 = await eddy(x, y, 1);
  const py = python(dataFile);
  const cart = await mlCart(x, y);
  const rows = [
    ['Eddy DecisionTreeClassifier (2 threads)', TRAIN, e2.fit, e2.fitCpu, e2.acc, e2.predictRowsPerSec],
    ['Eddy DecisionTreeClassifier (1 thread)', TRAIN, e1.fit, e1.fitCpu, e1.acc, e1.predictRowsPerSec],
  ];
  const sk = py.sklearn;
  const xg = py.xgboost;
  if (sk) rows.push(['scikit-learn DecisionTreeClassifier', TRAIN, sk.fit, sk.fitCpu, sk.acc, sk.predictRowsPerSec]);
  if (xg) rows.push(['XGBoost hist, 1 tree, n_jobs=2', TRAIN, xg.fit, xg.fitCpu, xg.acc, xg.predictRowsPerSec]);
  if (cart) {
    rows.push([`ml-cart (${CART_ROWS}-row slice)`, CART_ROWS, cart.fit, NaN, cart.acc, cart.predictRowsPerSec]);
    rows.push([`Eddy (${CART_ROWS}-row slice, 1 thread)`, CART_ROWS, cart.eddyFit, NaN, cart.eddyAcc, NaN]);
  }
  const num = (v, digits) => (Number.isNaN(v) ? '-' : v.toFixed(digits));
  console.log('');
  console.log(`maxDepth 10, maxBins 32; accuracy on ${TEST} held-out rows; Eddy predicts on one thread`);
  console.log('fit CPU s: CPU time of all threads, steadier than wall time while other processes share the cores');
  console.log(
    `${'model'.padEnd(42)} ${'train rows'.padStart(10)} ${'fit s'.padStart(8)} ${'fit CPU s'.padStart(9)} ` +
      `${'accuracy'.padStart(9)} ${'predict rows/s'.padStart(15)}`,
  );
  for (const [name, n, fit, cpu, acc, pps] of rows) {
    console.log(
      `${name.padEnd(42)} ${String(n).padStart(10)} ${num(fit, 3).padStart(8)} ${num(cpu, 3).padStart(9)} ` +
        `${(acc * 100).toFixed(2).padStart(8)}% ${(Number.isNaN(pps) ? '-' : `${(pps / 1e6).toFixed(1)} M`).padStart(15)}`,
    );
  }
  console.log('');
  console.log(`Eddy tree: depth ${e2.depth}, ${e2.nodes} nodes`);
  if (sk) {
    console.log(
      `fit speed-up vs scikit-learn: ${(sk.fit / e2.fit).toFixed(1)}× wall, ${(sk.fitCpu / e2.fitCpu).toFixed(1)}× CPU; ` +
        `accuracy gap ${((e2.acc - sk.acc) * 100).toFixed(2)} points`,
    );
  }
  if (xg) {
    console.log(
      `fit vs XGBoost hist (2 threads): ${(e2.fit / xg.fit).toFixed(2)}× its wall time, ` +
        `${(e2.fitCpu / xg.fitCpu).toFixed(2)}× its CPU time`,
    );
  }
  const resultDir = join(here, 'results');
  mkdirSync(resultDir, { recursive: true });
  writeFileSync(
    join(resultDir, 'ml-tree.json'),
    JSON.stringify({ rows: TRAIN, test: TEST, features: F, eddy2: e2, eddy1: e1, ...py, mlCart: cart }, null, 2),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
