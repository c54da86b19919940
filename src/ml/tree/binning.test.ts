import { describe, expect, test } from 'vitest';
import { binOf, binPartition, findThresholds } from './binning.js';

describe("binning (Spark's findSplits for continuous features)", () => {
  test('few distinct values: every midpoint is a threshold', () => {
    const col = Float64Array.of(3, 1, 2, 2, 5, 1);
    const t = findThresholds([{ features: [col], labels: new Float64Array(6) }], 32, 1);
    expect([...t[0]!]).toEqual([1.5, 2.5, 4]);
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

  test('binPartition lays out bins column-major', () => {
    const p = binPartition(
      { features: [Float64Array.of(1, 5), Float64Array.of(9, 0)], labels: Float64Array.of(0, 1) },
      0,
      [Float64Array.of(2), Float64Array.of(1, 5)],
      true,
    );
    expect([...p.bins]).toEqual([0, 1, 2, 0]);
    expect(p.bins.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
