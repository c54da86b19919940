import { EddyError } from '../../common/errors.js';

/** A smooth objective: its value and gradient at x (the gradient array may be reused by the caller). */
export type DiffFunction = (x: Float64Array) => { value: number; gradient: Float64Array };

export interface LbfgsOptions {
  /** Iterations at most (Spark's maxIter). */
  maxIter: number;
  /** Convergence tolerance, relative, as Breeze's (Spark's tol). */
  tol: number;
  /** Correction pairs kept (Breeze's m; Spark uses 10). */
  memory?: number;
  /**
   * L1 weights per coordinate: the objective becomes f(x) + Σ l1[i]·|x[i]| and the method OWL-QN. A 0 leaves a
   * coordinate (an intercept) unpenalized.
   */
  l1?: Float64Array;
  /**
   * Relative precision of f (0 for an exact double-precision objective). A step that changes f by less than
   * this cannot be judged: the search ends there instead of halving the step on noise.
   */
  relativeNoise?: number;
}

export type StopReason =
  | 'converged: function values'
  | 'converged: gradient'
  | 'converged: objective precision'
  | 'max iterations'
  | 'line search failed';

export interface LbfgsResult {
  x: Float64Array;
  /** The objective (including the L1 term) at the start and after each iteration, as Spark's objectiveHistory. */
  objectiveHistory: number[];
  iterations: number;
  reason: StopReason;
}

// How many past objective values the convergence test looks back over (Breeze's historyLength).
const HISTORY = 10;
const ARMIJO = 1e-4;
const MAX_BACKTRACKS = 30;
const CURVATURE = 0.9;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

function l1Term(x: Float64Array, l1: Float64Array | undefined): number {
  if (l1 === undefined) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += l1[i]! * Math.abs(x[i]!);
  return s;
}

/**
 * The pseudo-gradient of f + Σ l1|x| (Andrew & Gao 2007): the gradient where |x| is differentiable, else the
 * one-sided derivative that points downhill, or 0 when x = 0 is optimal along that coordinate.
 */
function pseudoGradient(x: Float64Array, g: Float64Array, l1: Float64Array | undefined): Float64Array {
  if (l1 === undefined) return g.slice();
  const pg = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = l1[i]!;
    if (c === 0) pg[i] = g[i]!;
    else if (x[i]! > 0) pg[i] = g[i]! + c;
    else if (x[i]! < 0) pg[i] = g[i]! - c;
    else if (g[i]! + c < 0) pg[i] = g[i]! + c;
    else if (g[i]! - c > 0) pg[i] = g[i]! - c;
    else pg[i] = 0;
  }
  return pg;
}

/**
 * Minimizes f (plus an optional L1 term) with limited-memory BFGS — OWL-QN when `l1` is given — as Breeze's
 * LBFGS/OWLQN that Spark's LogisticRegression uses: two-loop recursion for the direction, a backtracking line
 * search satisfying Armijo's condition (projected onto the current orthant for OWL-QN), and Breeze's stopping
 * rules (objective no longer improving by tol relative to the start over the last 10 iterations, or a gradient
 * norm below tol·|f|).
 */
export function minimizeLbfgs(f: DiffFunction, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const { maxIter, tol, l1 } = options;
  const m = options.memory ?? 10;
  const noise = options.relativeNoise ?? 0;
  if (l1 !== undefined && l1.length !== x0.length) {
    throw new EddyError('INTERNAL', `L1 weights have ${l1.length} entries for ${x0.length} coordinates`);
  }
  let x: Float64Array = x0.slice();
  const { value, gradient } = f(x);
  let g: Float64Array = gradient.slice();
  let fx = value + l1Term(x, l1);
  const initial = Math.abs(fx);
  const history = [fx];
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let reason: StopReason = 'max iterations';
  let iter = 0;
  while (iter < maxIter) {
    const pg = pseudoGradient(x, g, l1);
    if (norm(pg) <= Math.max(tol * Math.abs(fx), 1e-8)) {
      reason = 'converged: gradient';
      break;
    }
    // Two-loop recursion: d = -H pg.
    const d = pg.slice();
    const alpha = new Array<number>(S.length);
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(S[k]!, d);
      const yk = Y[k]!;
      for (let i = 0; i < d.length; i++) d[i] = d[i]! - alpha[k]! * yk[i]!;
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let i = 0; i < d.length; i++) d[i] = d[i]! * gamma;
    }
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k]! * dot(Y[k]!, d);
      const sk = S[k]!;
      for (let i = 0; i < d.length; i++) d[i] = d[i]! + (alpha[k]! - beta) * sk[i]!;
    }
    for (let i = 0; i < d.length; i++) d[i] = -d[i]!;
    if (l1 !== undefined) {
      // OWL-QN keeps the direction in the orthant the pseudo-gradient points to.
      for (let i = 0; i < d.length; i++) if (d[i]! * pg[i]! >= 0) d[i] = 0;
    }
    let slope = dot(d, pg);
    if (!(slope < 0)) {
      // Not a descent direction (curvature information gone stale): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < d.length; i++) d[i] = -pg[i]!;
      slope = dot(d, pg);
    }
    // The orthant OWL-QN may not leave during this step.
    const orthant =
      l1 === undefined ? undefined : Float64Array.from(x, (xi, i) => (xi !== 0 ? Math.sign(xi) : -Math.sign(pg[i]!)));
    let step = S.length === 0 ? Math.min(1, 1 / norm(d)) : 1;
    let accepted: { x: Float64Array; f: number; g: Float64Array } | undefined;
    let atPrecision = false;
    for (let k = 0; k < MAX_BACKTRACKS; k++) {
      const xn = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        let v = x[i]! + step * d[i]!;
        if (orthant !== undefined && l1![i] !== 0 && Math.sign(v) !== orthant[i]) v = 0;
        xn[i] = v;
      }
      const r = f(xn);
      const fn = r.value + l1Term(xn, l1);
      let decrease = 0;
      for (let i = 0; i < x.length; i++) decrease += pg[i]! * (xn[i]! - x[i]!);
      if (Number.isFinite(fn) && fn <= fx + ARMIJO * decrease) {
        accepted = { x: xn, f: fn, g: r.gradient.slice() };
        break;
      }
      // Near the optimum a float32 objective stops resolving decreases: a step that does not raise f and
      // flattens the slope along d (Wolfe's curvature condition) is progress the objective cannot show.
      if (fn <= fx) {
        const pgn = pseudoGradient(xn, r.gradient, l1);
        if (Math.abs(dot(pgn, d)) <= CURVATURE * Math.abs(slope)) {
          accepted = { x: xn, f: fn, g: r.gradient.slice() };
          break;
        }
      }
      if (Math.abs(fn - fx) <= noise * Math.abs(fx)) {
        atPrecision = true;
        break;
      }
      step *= 0.5;
    }
    if (accepted === undefined) {
      reason = atPrecision ? 'converged: objective precision' : 'line search failed';
      break;
    }
    const s = new Float64Array(x.length);
    const y = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      s[i] = accepted.x[i]! - x[i]!;
      y[i] = accepted.g[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * norm(s) * norm(y)) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    x = accepted.x;
    g = accepted.g;
    fx = accepted.f;
    history.push(fx);
    iter++;
    const recent = history.slice(-HISTORY - 1, -1);
    if (recent.length >= 2 && Math.abs(fx - Math.max(...recent)) <= tol * initial) {
      reason = 'converged: function values';
      break;
    }
  }
  return { x, objectiveHistory: history, iterations: iter, reason };
}
