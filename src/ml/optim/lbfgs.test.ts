import { describe, expect, it } from 'vitest';
import { minimizeGradientDescent } from './gradient-descent.js';
import { minimizeLbfgs, type DiffFunction } from './lbfgs.js';

// Rosenbrock's valley: minimum 0 at (1, 1), badly conditioned — a standard test for quasi-Newton methods.
const rosenbrock: DiffFunction = (x) => {
  const [a, b] = [x[0]!, x[1]!];
  return {
    value: (1 - a) ** 2 + 100 * (b - a * a) ** 2,
    gradient: Float64Array.of(-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)),
  };
};

/** ½ Σ cᵢ (xᵢ − aᵢ)²: separable, so the L1-penalized minimum has a closed form (soft thresholding). */
function quadratic(a: number[], c: number[]): DiffFunction {
  return (x) => ({
    value: a.reduce((s, ai, i) => s + 0.5 * c[i]! * (x[i]! - ai) ** 2, 0),
    gradient: Float64Array.from(a, (ai, i) => c[i]! * (x[i]! - ai)),
  });
}

describe('minimizeLbfgs', () => {
  it('finds the minimum of Rosenbrock’s function', () => {
    const r = minimizeLbfgs(rosenbrock, Float64Array.of(-1.2, 1), { maxIter: 200, tol: 1e-12 });
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
    expect(r.objectiveHistory[0]).toBeCloseTo(24.2, 10);
    expect(r.objectiveHistory.length).toBe(r.iterations + 1);
    for (let i = 1; i < r.objectiveHistory.length; i++) {
      expect(r.objectiveHistory[i]!).toBeLessThanOrEqual(r.objectiveHistory[i - 1]!);
    }
  });

  it('OWL-QN: soft thresholding, exact zeros, and an unpenalized coordinate', () => {
    const a = [3, -0.5, 0.2, -4, 1];
    const c = [1, 2, 0.5, 1, 3];
    const l1 = Float64Array.of(1, 1.5, 0.2, 1, 0);
    const r = minimizeLbfgs(quadratic(a, c), new Float64Array(5), { maxIter: 100, tol: 1e-12, l1 });
    // argmin ½c(x − a)² + λ|x| = sign(a)·max(|a| − λ/c, 0)
    const expected = a.map((ai, i) => Math.sign(ai) * Math.max(Math.abs(ai) - l1[i]! / c[i]!, 0));
    for (let i = 0; i < 5; i++) expect(r.x[i]).toBeCloseTo(expected[i]!, 9);
    expect(r.x[1]).toBe(0);
    expect(r.x[2]).toBe(0);
    // The reported objective includes the L1 term.
    const atOptimum =
      quadratic(a, c)(Float64Array.from(expected)).value + expected.reduce((s, v, i) => s + l1[i]! * Math.abs(v), 0);
    expect(r.objectiveHistory.at(-1)).toBeCloseTo(atOptimum, 9);
  });

  it('stops at maxIter, and at once when started at the optimum', () => {
    const r = minimizeLbfgs(rosenbrock, Float64Array.of(-1.2, 1), { maxIter: 3, tol: 0 });
    expect(r.iterations).toBe(3);
    expect(r.reason).toBe('max iterations');
    const done = minimizeLbfgs(rosenbrock, Float64Array.of(1, 1), { maxIter: 10, tol: 1e-6 });
    expect(done.iterations).toBe(0);
    expect(done.reason).toBe('converged: gradient');
  });
});

describe('minimizeGradientDescent', () => {
  it('converges on a quadratic with Spark’s step size stepSize / √t', () => {
    const r = minimizeGradientDescent(quadratic([2, -1], [1, 1]), new Float64Array(2), {
      maxIter: 500,
      stepSize: 1,
      tol: 1e-9,
    });
    expect(r.x[0]).toBeCloseTo(2, 6);
    expect(r.x[1]).toBeCloseTo(-1, 6);
    expect(r.iterations).toBeLessThan(500);
  });
});
