// Independent reference solutions in plain double-precision JavaScript for the logistic regression tests.

/** Solves A x = b by Gaussian elimination with partial pivoting (A is row-major n × n). */
export function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k] = M[r]![k]! - f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

/** Weighted mean and unbiased weighted standard deviation of column j. */
export function columnStd(X: number[][], w: number[], j: number): number {
  const W = w.reduce((a, b) => a + b, 0);
  const W2 = w.reduce((a, b) => a + b * b, 0);
  const mu = X.reduce((s, row, i) => s + w[i]! * row[j]!, 0) / W;
  const ss = X.reduce((s, row, i) => s + w[i]! * (row[j]! - mu) ** 2, 0);
  return Math.sqrt(ss / (W - W2 / W));
}

/**
 * Newton's method on the binomial objective (1/Σw) Σ wᵢ[log(1 + e^mᵢ) − yᵢmᵢ] + (λ/2) Σ cⱼ βⱼ², m = Xβ + b,
 * where cⱼ = σⱼ² penalizes standardized coefficients (Spark's standardization) and cⱼ = 1 the original ones.
 * Returns [β..., b].
 */
export function newtonLogistic(
  X: number[][],
  y: number[],
  w: number[],
  lambda: number,
  standardization: boolean,
): number[] {
  const d = X[0]!.length;
  const W = w.reduce((a, b) => a + b, 0);
  const c = Array.from({ length: d }, (_, j) => (standardization ? columnStd(X, w, j) ** 2 : 1));
  let beta = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < 100; it++) {
    const g = new Array<number>(d + 1).fill(0);
    const H = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    X.forEach((row, i) => {
      const xi = [...row, 1];
      const m = xi.reduce((s, v, k) => s + v * beta[k]!, 0);
      const p = 1 / (1 + Math.exp(-m));
      for (let a = 0; a <= d; a++) {
        g[a] = g[a]! + (w[i]! * (p - y[i]!) * xi[a]!) / W;
        for (let b = 0; b <= d; b++) H[a]![b] = H[a]![b]! + (w[i]! * p * (1 - p) * xi[a]! * xi[b]!) / W;
      }
    });
    for (let j = 0; j < d; j++) {
      g[j] = g[j]! + lambda * c[j]! * beta[j]!;
      H[j]![j] = H[j]![j]! + lambda * c[j]!;
    }
    const step = solve(H, g);
    beta = beta.map((v, k) => v - step[k]!);
    if (Math.max(...step.map(Math.abs)) < 1e-13) break;
  }
  return beta;
}

/** A deterministic generator for test data (an LCG; quality is irrelevant here). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
