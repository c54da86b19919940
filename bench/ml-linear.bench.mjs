// LogisticRegression and MultilayerPerceptronClassifier (TensorFlow.js) beside scikit-learn's LogisticRegression
// (lbfgs, no penalty) and MLPClassifier (lbfgs, logistic activation, alpha 0) via /usr/bin/python3, on the same
// data in the same run. Run after `npm run build`:  npm run bench -- ml-linear
//
// Data, from a seeded PRNG, float32-exact so both sides read identical numbers:
//   binomial     100,000 + 20,000 rows, 20 features on mixed scales, labels drawn from a logistic model
//   multinomial  100,000 + 20,000 rows, 10 features, 3 classes drawn from a softmax model
//   mlp           20,000 +  5,000 rows, 10 features, a nonlinear (XOR-like) rule: layers [10, 16, 2], 100 iterations
// Eddy fits through the DataFrame API (fit(df)), so the time includes reading the vectors out of the DataFrame.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  LogisticRegression,
  MultilayerPerceptronClassifier,
  Vectors,
  createDataFrame,
  tfBackendName,
  tfReady,
} from '../dist/src/index.js';
import { FileSystemRegistry } from '../dist/src/storage/registry.js';
import { seededRandom as mulberry32 } from '../dist/src/common/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const registry = new FileSystemRegistry();
const env = { resolvePath: (p) => registry.resolve(p) };
const SCALE = Number(process.env.SCALE ?? 1);
const HIDDEN = 16;

function gaussian(r) {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** n rows × f features (row-major float32) and labels from `label(row, r)`. */
function generate(seed, n, f, scale, label) {
  const r = mulberry32(seed);
  const x = new Float32Array(n * f);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) x[i * f + j] = gaussian(r) * scale(j);
    y[i] = label(x.subarray(i * f, (i + 1) * f), r);
  }
  return { x, y, f };
}

function dataFrame(d, from, to) {
  const rows = [];
  for (let i = from; i < to; i++) rows.push([Vectors.dense(Array.from(d.x.subarray(i * d.f, (i + 1) * d.f))), d.y[i]]);
  return createDataFrame(env, rows, 'features VECTOR, label DOUBLE', { numPartitions: 4 });
}

async function eddyFit(make, d, train, test) {
  const trainDf = dataFrame(d, 0, train).cache();
  const testDf = dataFrame(d, train, train + test);
  await trainDf.count();
  const t = performance.now();
  const c = process.cpuUsage();
  const model = await make().fit(trainDf);
  const fit = (performance.now() - t) / 1000;
  const u = process.cpuUsage(c);
  const rows = await model.transform(testDf).select('label', 'prediction').collect();
  const acc = rows.filter((r) => r.label === r.prediction).length / rows.length;
  return { model, d, train, fit, fitCpu: (u.user + u.system) / 1e6, acc, iterations: model.summary.totalIterations };
}

const N = Math.round(100_000 * SCALE);
const NT = Math.round(20_000 * SCALE);
const M = Math.round(20_000 * SCALE);
const MT = Math.round(5_000 * SCALE);
const trueW = Array.from({ length: 20 }, (_, j) => ((j % 5) - 2) * 0.4);
const binomial = generate(
  1,
  N + NT,
  20,
  (j) => [1, 10, 0.1, 100][j % 4],
  (row, r) => {
    let m = 0.3;
    for (let j = 0; j < 20; j++) m += (trueW[j] * row[j]) / [1, 10, 0.1, 100][j % 4];
    return r() < 1 / (1 + Math.exp(-m)) ? 1 : 0;
  },
);
const classW = [0, 1, 2].map((k) => Array.from({ length: 10 }, (_, j) => Math.sin(k * 10 + j)));
const multinomial = generate(
  2,
  N + NT,
  10,
  () => 1,
  (row, r) => {
    const m = classW.map((w) => w.reduce((s, v, j) => s + v * row[j], 0));
    const e = m.map(Math.exp);
    const u = r() * (e[0] + e[1] + e[2]);
    return u < e[0] ? 0 : u < e[0] + e[1] ? 1 : 2;
  },
);
const xorish = generate(
  3,
  M + MT,
  10,
  () => 1,
  (row, r) => (row[0] > 0 !== row[1] > 0 ? (r() < 0.95 ? 1 : 0) : r() < 0.95 ? 0 : 1),
);

const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-linear-'));
try {
  const files = [];
  for (const [name, d, train, test] of [
    ['binomial', binomial, N, NT],
    ['multinomial', multinomial, N, NT],
    ['mlp', xorish, M, MT],
  ]) {
    const file = join(dir, `${name}.bin`);
    writeFileSync(file, Buffer.concat([Buffer.from(d.x.buffer), Buffer.from(d.y.buffer)]));
    files.push(file, String(train), String(test), String(d.f));
  }
  let py = {};
  try {
    const out = execFileSync('/usr/bin/python3', [join(here, 'ml-linear.py'), ...files, String(HIDDEN)], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    py = JSON.parse(out.trim().split('\n').at(-1));
  } catch (e) {
    console.log(`scikit-learn side failed: ${e.message}`);
  }

  // TensorFlow.js loads on first use; load it before the clock starts and report the load on its own line.
  const tLoad = performance.now();
  await tfReady();
  const loadSeconds = (performance.now() - tLoad) / 1000;
  const lrB = await eddyFit(() => new LogisticRegression({ maxIter: 1000, tol: 1e-10 }), binomial, N, NT);
  const lrM = await eddyFit(() => new LogisticRegression({ maxIter: 1000, tol: 1e-10 }), multinomial, N, NT);
  const mlp = await eddyFit(
    () => new MultilayerPerceptronClassifier({ layers: [10, HIDDEN, 2], seed: 1, maxIter: 100 }),
    xorish,
    M,
    MT,
  );
  // The same fit with the whole training set in one block: the result is the same function, fewer, larger kernels.
  const mlpOneBlock = await eddyFit(
    () => new MultilayerPerceptronClassifier({ layers: [10, HIDDEN, 2], seed: 1, maxIter: 100, blockSize: M }),
    xorish,
    M,
    MT,
  );

  /**
   * How far a solution is from the optimum: the largest gradient entry of the mean log-loss with respect to
   * standardized coefficients and intercepts, in double precision on the training rows (0 at the MLE).
   */
  function gradientNorm(d, train, coef, intercept) {
    const K = intercept.length;
    const f = d.f;
    const grad = new Float64Array(K * (f + 1));
    const std = new Float64Array(f);
    for (let j = 0; j < f; j++) {
      let s = 0;
      let ss = 0;
      for (let i = 0; i < train; i++) s += d.x[i * f + j];
      const mu = s / train;
      for (let i = 0; i < train; i++) ss += (d.x[i * f + j] - mu) ** 2;
      std[j] = Math.sqrt(ss / (train - 1));
    }
    const m = new Float64Array(K);
    for (let i = 0; i < train; i++) {
      for (let k = 0; k < K; k++) {
        let v = intercept[k];
        for (let j = 0; j < f; j++) v += coef[k][j] * d.x[i * f + j];
        m[k] = v;
      }
      const r = new Float64Array(K);
      if (K === 1) r[0] = 1 / (1 + Math.exp(-m[0])) - d.y[i];
      else {
        const mx = Math.max(...m);
        const e = Array.from(m, (v) => Math.exp(v - mx));
        const z = e.reduce((a, b) => a + b, 0);
        for (let k = 0; k < K; k++) r[k] = e[k] / z - (d.y[i] === k ? 1 : 0);
      }
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < f; j++) grad[k * (f + 1) + j] += (r[k] * d.x[i * f + j]) / std[j];
        grad[k * (f + 1) + f] += r[k];
      }
    }
    return Math.max(...Array.from(grad, (g) => Math.abs(g / train)));
  }
  const eddyGrad = (r) => {
    const M = r.model.coefficientMatrix;
    return gradientNorm(r.d, r.train, M.toArray(), Array.from(r.model.interceptVector.values));
  };

  /** Largest coefficient difference relative to the largest coefficient (sklearn's multinomial is centered too). */
  function coefGap(model, sk) {
    if (sk === undefined) return NaN;
    const K = model.isMultinomial ? model.numClasses : 1;
    const ours = model.coefficientMatrix;
    let gap = 0;
    let size = 0;
    for (let k = 0; k < K; k++) {
      const skRow = sk.coef[k];
      const mean = model.isMultinomial ? skRow.map((_, j) => sk.coef.reduce((s, r) => s + r[j], 0) / K) : null;
      for (let j = 0; j < ours.numCols; j++) {
        const theirs = skRow[j] - (mean ? mean[j] : 0);
        gap = Math.max(gap, Math.abs(ours.get(k, j) - theirs));
        size = Math.max(size, Math.abs(theirs));
      }
    }
    return gap / size;
  }

  console.log('');
  console.log(
    `TensorFlow.js backend: ${tfBackendName()} (loaded in ${loadSeconds.toFixed(2)} s, not counted below); ` +
      'other processes may share the cores (numbers pessimistic)',
  );
  console.log('fit CPU s: CPU time of the process, steadier than wall time on a shared machine');
  const pad = (s, n) => String(s).padEnd(n);
  console.log(
    `${pad('task', 28)}${pad('rows', 9)}${pad('fit s', 9)}${pad('fit CPU s', 11)}${pad('iters', 7)}${pad('test acc', 10)}coef gap`,
  );
  const line = (task, rows, r, gap = '', grad = '') =>
    console.log(
      `${pad(task, 28)}${pad(rows, 9)}${pad(r.fit.toFixed(2), 9)}${pad(r.fitCpu.toFixed(2), 11)}${pad(r.iterations ?? '', 7)}${pad(r.acc.toFixed(4), 10)}${pad(gap, 10)}${grad}`,
    );
  const e = (v) => (Number.isFinite(v) ? v.toExponential(1) : '');
  lrB.grad = eddyGrad(lrB);
  lrM.grad = eddyGrad(lrM);
  if (py.binomial) py.binomial.grad = gradientNorm(binomial, N, py.binomial.coef, py.binomial.intercept);
  if (py.multinomial) py.multinomial.grad = gradientNorm(multinomial, N, py.multinomial.coef, py.multinomial.intercept);
  line('Eddy LR binomial', N, lrB, e(coefGap(lrB.model, py.binomial)), e(lrB.grad));
  if (py.binomial) line('sklearn LR binomial', N, py.binomial, '', e(py.binomial.grad));
  line('Eddy LR multinomial', N, lrM, e(coefGap(lrM.model, py.multinomial)), e(lrM.grad));
  if (py.multinomial) line('sklearn LR multinomial', N, py.multinomial, '', e(py.multinomial.grad));
  line(`Eddy MLP [10,${HIDDEN},2]`, M, mlp);
  line(`Eddy MLP, blockSize ${M}`, M, mlpOneBlock);
  if (py.mlp) line(`sklearn MLP (${HIDDEN},) lbfgs`, M, py.mlp);
  console.log('coef gap: max |Eddy − scikit-learn| / max |scikit-learn| over the coefficients (both aim at the MLE)');
  console.log('max |grad|: largest gradient entry of the mean log-loss (standardized scale, float64) at the solution');

  const resultDir = join(here, 'results');
  mkdirSync(resultDir, { recursive: true });
  const strip = ({ model: _m, d: _d, ...rest }) => rest;
  writeFileSync(
    join(resultDir, 'ml-linear.json'),
    JSON.stringify(
      {
        backend: tfBackendName(),
        rows: { lr: N, mlp: M },
        eddy: { lrB: strip(lrB), lrM: strip(lrM), mlp: strip(mlp), mlpOneBlock: strip(mlpOneBlock) },
        sklearn: py,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
