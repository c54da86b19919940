/**
 * One buffer, shared by all connections of a broker, in which a large request frame that arrived in several
 * socket chunks is assembled and then dispatched. Copying into memory that is already mapped costs a fraction
 * of allocating a fresh megabyte per request (page faults, zeroing, GC pressure), which profiling showed as the
 * largest cost on the produce path after the log write itself.
 *
 * Sharing is safe because assembling and dispatching a frame is one synchronous step on the event loop, and a
 * Produce handler stores its batches before its first await (the contract in handler.ts); other requests are
 * copied out. `acquire` refuses while the buffer is lent (a re-entrant use), and the caller then allocates.
 * Its size is that of the largest frame assembled so far, at most socket.request.max.bytes, once per broker.
 */
export class FrameScratch {
  private buf: Buffer | null = null;
  private lent = false;

  acquire(size: number): Buffer | null {
    if (this.lent) return null;
    if (this.buf === null || this.buf.length < size) this.buf = Buffer.allocUnsafeSlow(size);
    this.lent = true;
    return this.buf;
  }

  release(): void {
    this.lent = false;
  }

  /** Bytes held (for stats). */
  get size(): number {
    return this.buf?.length ?? 0;
  }
}
