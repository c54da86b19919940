import { describe, expect, it } from 'vitest';
import { formatProgress } from './model-server.js';
import { LatencyWindow, percentile } from './serving-progress.js';

describe('serving progress', () => {
  it('percentiles are nearest-rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile(xs, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });

  it('a window reports its interval and starts afresh', () => {
    const w = new LatencyWindow();
    for (const ms of [30, 10, 20]) w.add(ms);
    const p = w.drain({ messages: 4, predictions: 3, deadLetters: 1 });
    expect(p).toMatchObject({ messages: 4, p50Ms: 20, p99Ms: 30, deadLetters: 1, totalPredictions: 3 });
    expect(formatProgress(p)).toMatch(/^serve: 4 messages in .* latency p50 20\.0 ms p99 30\.0 ms, dead letters 1;/);
    const q = w.drain({ messages: 6, predictions: 5, deadLetters: 1 });
    expect(q).toMatchObject({ messages: 2, p50Ms: null, deadLetters: 0, totalMessages: 6, totalDeadLetters: 1 });
    expect(formatProgress(q)).toContain('latency p50 - p99 -');
  });
});
