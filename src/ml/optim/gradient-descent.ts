import type { DiffFunction } from './lbfgs.js';

export interface GradientDescentOptions {
  maxIter: number;
  /** Step size of the first iteration; iteration t uses stepSize / √t, as Spark's SimpleUpdater. */
  stepSize: number;
  /** Stops when ‖x_t − x_(t−1)‖ < tol · max(‖x_t‖, 1), Spark's GradientDescent convergence test. */
  tol: number;
}

export interface GradientDescentResult {
  x: Float64Array;
  objectiveHistory: number[];
  iterations: number;
}

/** Full-batch gradient descent as Spark's GradientDescent with miniBatchFraction 1 (the MLP's "gd" solver). */
export function minimizeGradientDescent(
  f: DiffFunction,
  x0: Float64Array,
  options: GradientDescentOptions,
): GradientDescentResult {
  const x = x0.slice();
  const history: number[] = [];
  let iter = 0;
  while (iter < options.maxIter) {
    const { value, gradient } = f(x);
    history.push(value);
    iter++;
    const step = options.stepSize / Math.sqrt(iter);
    let moved = 0;
    let size = 0;
    for (let i = 0; i < x.length; i++) {
      const delta = step * gradient[i]!;
      x[i] = x[i]! - delta;
      moved += delta * delta;
      size += x[i]! * x[i]!;
    }
    if (Math.sqrt(moved) < options.tol * Math.max(Math.sqrt(size), 1)) break;
  }
  return { x, objectiveHistory: history, iterations: iter };
}
