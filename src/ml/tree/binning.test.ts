import { describe, expect, test } from 'vitest';
import { rng } from '../../../test/support/ml-data.js';
import { binOf, binPartition, findThresholds, padThresholds } from './binning.js';

describe("binning (Spark's findSplits for continuous features)", () => {
  test('few distinct values: every midpoint is a threshold', () => {
    const col = Float64Array.of(3, 1, 2, 2, 5, 1);
    const t = findThresholds([{ features: [col], labels: new Float64Array(6) }], 32, 1);
    expect([...t[0]!]).toEqual([1.5, 2.5, 4]);
  });

  test('infinite values still give ordered thresholds and exact bins', () => {
    const col = Float64Array.of(-Infinity, Infinity, -Infinity, 3, Infinity);
    const t = findThresholds([{ features: [col], labels: new Float64Array(5) }], 32, 1)[0]!;
    expect([...t]).toEqual([-Infinity, Infinity]);
    const only = findThresholds(
      [{ features: [Float64Array.of(-Infinity, Infinity)], labels: new Float64Array(2) }],
      32,
      1,
    );
    expect(only[0]!.length).toBe(0);
    const p = binPartition({ features: [col], labels: new Float64Array(5) }, 0, padThresholds([t]));
    expect([...p.bins]).toEqual([...col].map((v) => binOf(t, v)));
  });

  test('a constant feature has no thresholds', () => {
    const t = findThresholds([{ features: [new Float64Array(10).fill(7)], labels: new Float64Array(10) }], 32, 1);
    expect(t[0]!.length).toBe(0);
  });

  test('many distinct values: at most maxBins - 1 thresholds near equal-count quantiles', () => {
    const n = 1000;
    const col = Float64Array.from({ length: n }, (_, i) => i);
    const t = findThresholds([{ features: [col], labels: new Float64Array(n) }], 5, 1)[0]!;
    expect([...t]).toEqual([199.5, 399.5, 599.5, 799.5]);
  });

  test('weights move quantiles', () => {
    const col = Float64Array.from({ length: 10 }, (_, i) => i);
    const weights = Float64Array.from({ length: 10 }, (_, i) => (i === 0 ? 9 : 1));
    const t = findThresholds([{ features: [col], labels: new Float64Array(10), weights }], 2, 1)[0]!;
    // Half of the weight (18) sits on value 0, so the one threshold is right after it.
    expect([...t]).toEqual([0.5]);
  });

  test('bin b holds values in (t[b-1], t[b]]; NaN goes to the last bin (always right)', () => {
    const t = Float64Array.of(1.5, 2.5, 4);
    expect(binOf(t, 1)).toBe(0);
    expect(binOf(t, 1.5)).toBe(0);
    expect(binOf(t, 1.5000001)).toBe(1);
    expect(binOf(t, 2.5)).toBe(1);
    expect(binOf(t, 4)).toBe(2);
    expect(binOf(t, 4.1)).toBe(3);
    expect(binOf(t, Number.NaN)).toBe(3);
    expect(binOf(t, -Infinity)).toBe(0);
  });

  test('binPartition lays out bins row-major', () => {
    const p = binPartition(
      { features: [Float64Array.of(1, 5), Float64Array.of(9, 0)], labels: Float64Array.of(0, 1) },
      0,
      padThresholds([Float64Array.of(2), Float64Array.of(1, 5)]),
    );
    expect([...p.bins]).toEqual([0, 2, 1, 0]);
  });

  test('the branch-free binRows agrees with binary search, at thresholds, infinities and NaN', () => {
    const r = rng(9);
    for (const numThresholds of [0, 1, 2, 3, 7, 31, 32, 100, 255]) {
      const t = Float64Array.from({ length: numThresholds }, () => Math.round(r() * 200 - 100) / 4)
        .sort()
        .filter((v, i, a) => i === 0 || v !== a[i - 1]);
      const values = [
        ...t,
        ...t.map((v) => v + 1e-9),
        -Infinity,
        Infinity,
        Number.NaN,
        ...Array.from({ length: 200 }, () => r() * 60 - 30),
      ];
      const col = Float64Array.from(values);
      const p = binPartition({ features: [col], labels: new Float64Array(col.length) }, 0, padThresholds([t]));
      expect([...p.bins]).toEqual(values.map((v) => (t.length === 0 ? 0 : binOf(t, v))));
    }
  });
});
