import type { Socket } from 'node:net';
import { getLogger } from '../common/log.js';
import type { BrokerCore } from './core.js';
import { ADVERTISED, apiKeysOf } from './handlers/api-versions.js';
import type { HandlerContext } from './handler.js';
import { API_VERSIONS_KEY, CODECS, decodeRequestHeader, encodeResponse, skipTags } from './protocol/codecs.js';
import { WireReader } from './protocol/wire.js';
import type { FrameShelf } from './frame-shelf.js';
import type { RequestMemoryPool, Reservation } from './request-memory-pool.js';

const log = getLogger('broker.server');

const PRODUCE_KEY = 0;
const FETCH_KEY = 1;
/** Frames at least this large that arrive in several chunks are assembled in a buffer from the broker's shelf. */
const ASSEMBLY_MIN_BYTES = 64 * 1024;

/** The per-connection bounds, from the broker config (names in the broker README). */
export interface ConnectionLimits {
  /** socket.request.max.bytes: the largest frame accepted. */
  maxRequestBytes: number;
  /** eddy.connection.max.in.flight.requests: requests read but not yet answered. */
  maxInFlight: number;
  /** eddy.connection.max.queued.response.bytes: answers not yet taken by the kernel before reading stops. */
  maxQueuedResponseBytes: number;
  /** connections.max.idle.ms: a connection with no socket activity and nothing in flight for this long is closed. */
  maxIdleMs: number;
}

/** Why a connection is not reading its socket right now. */
export type PauseReason = 'in-flight' | 'response-bytes' | 'request-memory';

/** A snapshot of one connection's flow-control accounting (Broker.stats()). */
export interface ConnectionStats {
  id: string;
  /** Requests read and not yet answered (their responses not yet written). */
  inFlightRequests: number;
  /** Bytes this connection holds in the broker-wide request pool (queued.max.request.bytes). */
  reservedRequestBytes: number;
  /** Bytes received of requests not yet complete, and whole frames waiting to be dispatched. */
  bufferedRequestBytes: number;
  /** Response bytes the broker holds for this client: not yet taken by the kernel, or behind an earlier answer. */
  queuedResponseBytes: number;
  /** Fetches read but not started, because fetches run one at a time and only while responses drain. */
  queuedFetches: number;
  /** True while a fetch waits for the client to read queued responses. */
  awaitingDrain: boolean;
  /** Why reading is paused, or null while the broker reads this socket. */
  pausedBy: PauseReason | null;
  /** Responses written so far. */
  responsesSent: number;
}

interface Slot {
  done: boolean;
  chunks: Buffer[] | null;
  /** The request frame's reservation in the pool, given back when the answer is written. */
  requestBytes: number;
  responseBytes: number;
}

/**
 * One client connection: splits the byte stream into size-prefixed frames, dispatches each to its handler
 * right away (so many requests are in flight at once) and writes the responses strictly in request order.
 * Anything that does not parse closes this connection only; other clients keep being served.
 *
 * Flow control: the socket is read only while (a) fewer than maxInFlight requests are unanswered, (b) the
 * responses held for this client stay within maxQueuedResponseBytes, and (c) the next frame's declared size
 * could be reserved in the broker-wide pool. Fetches run one at a time and a fetch starts only once the queued
 * responses are back within their bound, so a client that stops reading holds at most that bound plus one
 * fetch response (≤ fetch.max.bytes, or one batch ≤ message.max.bytes) of broker memory.
 */
export class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly slots: Slot[] = [];
  private closed = false;
  private closing = false;
  private paused = false;
  private pausedBy: PauseReason | null = null;
  /** Bytes reserved in the pool: the frame being read plus every unanswered request. */
  private reservedBytes = 0;
  /** The declared size of the frame being read once it is reserved, else -1. */
  private frameReserved = -1;
  private waitingFor: Reservation | null = null;
  /** Bytes of answers that are ready but wait behind an earlier, unfinished one. */
  private heldResponseBytes = 0;
  private drainWaiters: (() => void)[] = [];
  private queuedFetches = 0;
  private responsesSent = 0;
  private fetchChain: Promise<unknown> = Promise.resolve();
  /** The large frame being copied into a shelf buffer as its bytes arrive. */
  private assembling: { buf: Buffer; size: number; filled: number } | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly core: BrokerCore,
    readonly id: string,
    private readonly limits: ConnectionLimits,
    private readonly pool: RequestMemoryPool,
    private readonly shelf: FrameShelf,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => {
      this.wakeWriters();
      this.updateReading();
    });
    socket.on('error', (e) => log.debug(`${id}: socket error ${e.message}`));
    socket.on('close', () => this.onClosed());
    if (limits.maxIdleMs > 0) {
      // As Kafka's connections.max.idle.ms: also what frees the budget held by a client that sent part of a
      // frame and went silent.
      socket.setTimeout(limits.maxIdleMs, () => {
        if (this.slots.length > 0) return;
        log.info(`${this.id}: closing connection idle for ${limits.maxIdleMs} ms (connections.max.idle.ms)`);
        this.destroy();
      });
    }
  }

  stats(): ConnectionStats {
    return {
      id: this.id,
      inFlightRequests: this.slots.length,
      reservedRequestBytes: this.reservedBytes,
      bufferedRequestBytes: this.buffered + (this.assembling ? 4 + this.assembling.filled : 0),
      queuedResponseBytes: this.queuedResponseBytes(),
      queuedFetches: this.queuedFetches,
      awaitingDrain: this.drainWaiters.length > 0,
      pausedBy: this.pausedBy,
      responsesSent: this.responsesSent,
    };
  }

  private queuedResponseBytes(): number {
    return (this.closed ? 0 : this.socket.writableLength) + this.heldResponseBytes;
  }

  /**
   * Stops reading and closes the connection once the answers to the requests before the bad one are out, as
   * Kafka does; the bytes after the bad frame are never interpreted.
   */
  private kill(reason: string): void {
    if (this.closed || this.closing) return;
    log.info(`${this.id}: closing connection: ${reason}`);
    this.closing = true;
    this.chunks = [];
    this.buffered = 0;
    this.dropFrameReservation();
    this.socket.pause();
    this.endIfDrained();
  }

  private dropFrameReservation(): void {
    if (this.waitingFor) {
      this.pool.cancel(this.waitingFor);
      this.waitingFor = null;
    }
    if (this.frameReserved >= 0) {
      this.giveBack(this.frameReserved);
      this.frameReserved = -1;
    }
  }

  private endIfDrained(): void {
    if (this.closing && this.slots.length === 0 && !this.closed) {
      this.socket.end();
      // A peer that never reads must not keep the socket open.
      this.socket.destroySoon();
      this.onClosed();
    }
  }

  /** Gives every reservation back and lets waiting fetches see the end; safe to call more than once. */
  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks = [];
    this.buffered = 0;
    if (this.assembling) this.shelf.release(this.assembling.buf);
    this.assembling = null;
    if (this.waitingFor) this.pool.cancel(this.waitingFor);
    this.waitingFor = null;
    this.frameReserved = -1;
    const held = this.reservedBytes;
    this.reservedBytes = 0;
    if (held > 0) this.pool.release(held);
    this.wakeWriters();
  }

  private giveBack(bytes: number): void {
    if (this.closed) return; // onClosed gave everything back at once
    this.reservedBytes -= bytes;
    this.pool.release(bytes);
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.closing) return;
    const a = this.assembling;
    if (a === null) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.process();
      return;
    }
    const n = Math.min(chunk.length, a.size - a.filled);
    chunk.copy(a.buf, a.filled, 0, n);
    a.filled += n;
    if (n < chunk.length) {
      this.chunks.push(chunk.subarray(n));
      this.buffered += chunk.length - n;
    }
    if (a.filled < a.size) return;
    this.assembling = null;
    this.frameReserved = -1;
    try {
      this.dispatch(a.buf.subarray(0, a.size), true);
    } finally {
      this.shelf.release(a.buf);
    }
    this.process();
  }

  /** Moves the buffered start of a large frame into a shelf buffer; onData copies the rest in as it arrives. */
  private startAssembly(size: number): void {
    const buf = this.shelf.acquire(size);
    let skip = 4;
    let filled = 0;
    for (const c of this.chunks) {
      const from = Math.min(skip, c.length);
      skip -= from;
      filled += c.copy(buf, filled, from);
    }
    this.chunks = [];
    this.buffered = 0;
    this.assembling = { buf, size, filled };
  }

  /** Dispatches the whole frames buffered, as far as the in-flight limit and the request pool allow. */
  private process(): void {
    while (
      !this.closed &&
      !this.closing &&
      this.waitingFor === null &&
      this.slots.length < this.limits.maxInFlight &&
      this.buffered >= 4
    ) {
      const size = this.peekSize();
      if (size < 0 || size > this.limits.maxRequestBytes) {
        this.kill(`request size ${size} is outside 0..socket.request.max.bytes (${this.limits.maxRequestBytes})`);
        return;
      }
      if (this.frameReserved < 0) {
        const r: Reservation = {
          size,
          granted: () => {
            if (this.waitingFor !== r) return;
            this.waitingFor = null;
            this.frameReserved = size;
            this.reservedBytes += size;
            this.process();
          },
        };
        if (!this.pool.reserve(r)) {
          this.waitingFor = r;
          break;
        }
        this.frameReserved = size;
        this.reservedBytes += size;
      }
      if (this.buffered < 4 + size) {
        if (size >= ASSEMBLY_MIN_BYTES) this.startAssembly(size);
        break;
      }
      const first = this.chunks[0]!;
      let frame: Buffer;
      let shelved: Buffer | null = null;
      if (first.length >= 4 + size) {
        frame = first.subarray(4, 4 + size);
        if (first.length === 4 + size) this.chunks.shift();
        else this.chunks[0] = first.subarray(4 + size);
        this.buffered -= 4 + size;
      } else {
        shelved = size >= ASSEMBLY_MIN_BYTES ? this.shelf.acquire(size) : null;
        frame = this.take(shelved ?? Buffer.allocUnsafe(size), size);
      }
      this.frameReserved = -1;
      try {
        this.dispatch(frame, shelved !== null);
      } finally {
        if (shelved) this.shelf.release(shelved);
      }
    }
    this.updateReading();
  }

  /** The next frame's size prefix, which may straddle chunks. */
  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.allocUnsafe(4);
    let n = 0;
    for (const c of this.chunks) {
      n += c.copy(head, n, 0, Math.min(c.length, 4 - n));
      if (n === 4) break;
    }
    return head.readInt32BE(0);
  }

  /** Consumes a size prefix and `size` bytes of frame from the buffered chunks into `into`. */
  private take(into: Buffer, size: number): Buffer {
    let skip = 4;
    let filled = 0;
    while (filled < size) {
      const c = this.chunks[0]!;
      const from = Math.min(skip, c.length);
      skip -= from;
      const n = Math.min(c.length - from, size - filled);
      c.copy(into, filled, from, from + n);
      filled += n;
      if (from + n === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(from + n);
    }
    this.buffered -= 4 + size;
    return into.subarray(0, size);
  }

  /** Pauses or resumes reading the socket to keep every bound. */
  private updateReading(): void {
    if (this.closed || this.closing) return;
    const reason: PauseReason | null =
      this.waitingFor !== null
        ? 'request-memory'
        : this.slots.length >= this.limits.maxInFlight
          ? 'in-flight'
          : this.queuedResponseBytes() > this.limits.maxQueuedResponseBytes
            ? 'response-bytes'
            : null;
    this.pausedBy = reason;
    if (reason !== null && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (reason === null && this.paused) {
      this.paused = false;
      this.socket.resume();
      // Frames that arrived before the pause are still buffered; no new 'data' event would dispatch them.
      if (this.buffered >= 4) this.process();
    }
  }

  /**
   * `frame` has been reserved in the pool (its length); the slot gives the reservation back when answered.
   * A `lent` frame lives in a shelf buffer, which goes back to the shelf right after this call: only a
   * Produce is decoded in place (its handler stores the batches before it first awaits — the contract in
   * handler.ts); any other request gets its own copy first.
   */
  private dispatch(received: Buffer, lent: boolean): void {
    const frame =
      lent && received.length >= 2 && received.readInt16BE(0) !== PRODUCE_KEY ? Buffer.from(received) : received;
    const reserved = frame.length;
    const r = new WireReader(frame);
    let header;
    try {
      header = decodeRequestHeader(r);
    } catch (e) {
      this.giveBack(reserved);
      this.kill(`unreadable request header: ${(e as Error).message}`);
      return;
    }
    const { apiKey, apiVersion, correlationId } = header;
    const handler = this.core.handlers.get(apiKey);
    const codec = CODECS.get(apiKey);
    const range = ADVERTISED.get(apiKey);
    if (!handler || !codec || !range) {
      this.giveBack(reserved);
      this.kill(`API key ${apiKey} is not supported`);
      return;
    }
    if (apiVersion < range[0] || apiVersion > range[1]) {
      if (apiKey === API_VERSIONS_KEY) {
        // KIP-511: answer an unknown ApiVersions version with a v0 body carrying UNSUPPORTED_VERSION and our ranges.
        this.respond(reserved, () =>
          Promise.resolve(
            encodeResponse(API_VERSIONS_KEY, 0, correlationId, { errorCode: 35, apiKeys: apiKeysOf(this.core) }),
          ),
        );
        return;
      }
      this.giveBack(reserved);
      this.kill(`${codec.spec.name} version ${apiVersion} is outside the supported ${range[0]}-${range[1]}`);
      return;
    }
    let body;
    try {
      if (codec.isFlexible(apiVersion)) skipTags(r);
      body = codec.request(apiVersion).decode(r);
    } catch (e) {
      this.giveBack(reserved);
      this.kill(`malformed ${codec.spec.name} v${apiVersion} request: ${(e as Error).message}`);
      return;
    }
    const ctx: HandlerContext = { apiVersion, clientId: header.clientId, connectionId: this.id };
    const noResponse = apiKey === PRODUCE_KEY && body['acks'] === 0;
    const run = async (): Promise<Buffer[] | null> => {
      const response = await handler(body, ctx);
      if (noResponse) {
        // acks=0 has no answer to carry an error, so Kafka closes the connection to make the client notice.
        if (hasError(response)) this.kill('a produce with acks=0 failed');
        return null;
      }
      return encodeResponse(apiKey, apiVersion, correlationId, response as Record<string, unknown>);
    };
    if (apiKey === FETCH_KEY) {
      // One fetch at a time, started only once the client has taken what is queued: each fetch may read up
      // to fetch.max.bytes of log into memory, so this is what bounds a slow consumer's footprint.
      this.queuedFetches++;
      const queued = this.fetchChain.then(async () => {
        await this.whenWritable();
        this.queuedFetches--;
        return this.closed ? null : run();
      });
      this.fetchChain = queued.catch(() => undefined);
      this.respond(reserved, () => queued);
    } else {
      this.respond(reserved, run);
    }
  }

  private whenWritable(): Promise<void> {
    if (this.closed || this.queuedResponseBytes() <= this.limits.maxQueuedResponseBytes) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private wakeWriters(): void {
    if (this.drainWaiters.length === 0) return;
    if (!this.closed && this.queuedResponseBytes() > this.limits.maxQueuedResponseBytes) return;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  private respond(requestBytes: number, produce: () => Promise<Buffer[] | null>): void {
    const slot: Slot = { done: false, chunks: null, requestBytes, responseBytes: 0 };
    this.slots.push(slot);
    produce().then(
      (chunks) => {
        slot.chunks = chunks;
        if (chunks) for (const c of chunks) slot.responseBytes += c.length;
        this.heldResponseBytes += slot.responseBytes;
        slot.done = true;
        this.flush();
      },
      (e: unknown) => {
        log.error(`${this.id}: handler failed`, e);
        slot.done = true;
        this.kill('a handler failed');
        this.flush();
      },
    );
  }

  private flush(): void {
    // Every answer ready now goes out in one writev (a group commit often completes many at once).
    let corked = false;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      this.heldResponseBytes -= slot.responseBytes;
      this.giveBack(slot.requestBytes);
      if (this.closed || !slot.chunks) continue;
      if (!corked) {
        this.socket.cork();
        corked = true;
      }
      for (const c of slot.chunks) this.socket.write(c);
      this.responsesSent++;
    }
    if (corked) this.socket.uncork();
    if (this.closing) {
      this.endIfDrained();
      return;
    }
    this.wakeWriters();
    this.updateReading();
  }

  destroy(): void {
    this.socket.destroy();
    this.onClosed();
  }
}

function hasError(response: object): boolean {
  const topics = (response as { responses?: { partitionResponses?: { errorCode?: number }[] }[] }).responses ?? [];
  return topics.some((t) => (t.partitionResponses ?? []).some((p) => (p.errorCode ?? 0) !== 0));
}
