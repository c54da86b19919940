/** One progress report: the interval since the previous report, and totals since start. */
export interface ServingProgress {
  intervalMs: number;
  messages: number;
  messagesPerSecond: number;
  /** Latency from a message's timestamp to its prediction being written; null when nothing was predicted. */
  p50Ms: number | null;
  p99Ms: number | null;
  deadLetters: number;
  totalMessages: number;
  totalPredictions: number;
  totalDeadLetters: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Latencies of one reporting interval. Kept whole (not sampled) because an interval's predictions fit in memory
 * at any rate a single process serves between reports.
 */
export class LatencyWindow {
  private values: number[] = [];
  private since = Date.now();
  private last = { messages: 0, deadLetters: 0 };

  add(ms: number): void {
    this.values.push(ms);
  }

  drain(totals: { messages: number; predictions: number; deadLetters: number }): ServingProgress {
    const now = Date.now();
    const sorted = this.values.sort((a, b) => a - b);
    const intervalMs = Math.max(1, now - this.since);
    const messages = totals.messages - this.last.messages;
    const p: ServingProgress = {
      intervalMs,
      messages,
      messagesPerSecond: (messages * 1000) / intervalMs,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      deadLetters: totals.deadLetters - this.last.deadLetters,
      totalMessages: totals.messages,
      totalPredictions: totals.predictions,
      totalDeadLetters: totals.deadLetters,
    };
    this.values = [];
    this.since = now;
    this.last = { messages: totals.messages, deadLetters: totals.deadLetters };
    return p;
  }
}
