/**
 * Time as the coordinator sees it. Session, rebalance and retention timeouts all go through a Clock so that tests
 * can move time forward by hand instead of sleeping through real seconds.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` once after `delayMs`; the returned timer cancels it. Timers must not keep the process alive. */
  schedule(delayMs: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; `advance` fires due timers in deadline order. */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, fn: () => void): Timer {
    const p: Pending = { at: this.time + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return {
      cancel: () => {
        p.cancelled = true;
      },
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due (including ones scheduled by fired timers). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const due = this.pending.filter((p) => p.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.time = Math.max(this.time, due.at);
      due.cancelled = true;
      due.fn();
    }
    this.time = target;
  }

  /** Number of timers still waiting; lets tests check that nothing is left scheduled. */
  get pendingTimers(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
