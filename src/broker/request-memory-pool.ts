/**
 * The broker-wide budget for request bytes, Kafka's `queued.max.request.bytes`: a connection reserves a
 * frame's declared size as soon as it has read the 4-byte length, before it reads the body, and gives it back
 * once the answer to that request has been written. A connection that cannot reserve stops reading its socket
 * and waits in line (first come, first served) until enough is given back.
 *
 * Reserving the declared size up front, as Kafka's memory pool does, is what keeps this free of deadlock: a
 * connection that holds a reservation can always finish reading its frame, so budget is only ever held by
 * requests that will complete. Like Kafka's non-strict pool, a reservation is granted while anything is left,
 * so a request larger than what remains never starves; usage stays below capacity + socket.request.max.bytes.
 */

export interface Reservation {
  readonly size: number;
  /** Called once the bytes are reserved for a request that had to wait. */
  readonly granted: () => void;
}

export class RequestMemoryPool {
  private used = 0;
  private readonly waiting: Reservation[] = [];

  /** @param capacity bytes; a negative value (Kafka's -1) means unbounded. */
  constructor(readonly capacity: number) {}

  /** Bytes reserved by requests being read or awaiting their answers, across all connections. */
  get reserved(): number {
    return this.used;
  }

  /** Connections waiting for budget. */
  get waiters(): number {
    return this.waiting.length;
  }

  private hasRoom(): boolean {
    return this.capacity < 0 || this.used < this.capacity;
  }

  /**
   * Reserves `r.size` bytes now (returns true) or queues the request, calling `r.granted` once they are
   * reserved (returns false). Newcomers queue behind earlier waiters so a waiting connection is not overtaken.
   */
  reserve(r: Reservation): boolean {
    if (this.waiting.length === 0 && this.hasRoom()) {
      this.used += r.size;
      return true;
    }
    this.waiting.push(r);
    return false;
  }

  /** Withdraws a queued reservation (its connection closed); true if it was still waiting. */
  cancel(r: Reservation): boolean {
    const i = this.waiting.indexOf(r);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    return true;
  }

  release(size: number): void {
    this.used -= size;
    while (this.waiting.length > 0 && this.hasRoom()) {
      const next = this.waiting.shift()!;
      this.used += next.size;
      next.granted();
    }
  }
}
