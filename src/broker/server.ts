import { createServer, type Server, type Socket } from 'node:net';
import { getLogger } from '../common/log.js';
import type { BrokerCore } from './core.js';
import { ADVERTISED, apiKeysOf } from './handlers/api-versions.js';
import type { HandlerContext } from './handler.js';
import { API_VERSIONS_KEY, CODECS, decodeRequestHeader, encodeResponse, skipTags } from './protocol/codecs.js';
import { WireReader } from './protocol/wire.js';

const log = getLogger('broker.server');

const PRODUCE_KEY = 0;
const FETCH_KEY = 1;
/** Pause reading a connection while this many of its requests are unanswered (Kafka: one in flight per channel). */
const MAX_IN_FLIGHT = 100;
/** Pause reading while this many response bytes wait for a slow reader. */
const MAX_UNSENT_BYTES = 64 * 1024 * 1024;
/** Pause reading while the frames of unanswered requests hold this many bytes (a request is always taken). */
const MAX_PENDING_REQUEST_BYTES = 128 * 1024 * 1024;

interface Slot {
  done: boolean;
  chunks: Buffer[] | null;
  /** Size of the request frame, held in memory until the answer is out. */
  bytes: number;
}

/**
 * One client connection: splits the byte stream into size-prefixed frames, dispatches each to its handler
 * right away (so many requests are in flight at once) and writes the responses strictly in request order.
 * Anything that does not parse closes this connection only; other clients keep being served. Reading pauses
 * while too many requests or response bytes are pending, which bounds memory per connection.
 */
class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly slots: Slot[] = [];
  private closed = false;
  private closing = false;
  private paused = false;
  private pendingRequestBytes = 0;
  /**
   * Fetches of one connection run one after another: each may hold up to fetch.max.bytes of log data, so
   * this bounds a connection's memory (clients send one fetch per broker at a time anyway).
   */
  private fetchChain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly core: BrokerCore,
    private readonly id: string,
    private readonly maxRequestBytes: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (e) => log.debug(`${id}: socket error ${e.message}`));
    socket.on('close', () => {
      this.closed = true;
    });
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
    this.socket.pause();
    this.endIfDrained();
  }

  private endIfDrained(): void {
    if (this.closing && this.slots.length === 0 && !this.closed) {
      this.closed = true;
      this.socket.end();
      // A peer that never reads must not keep the socket open.
      this.socket.destroySoon();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.closing) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.closed && !this.closing && this.buffered >= 4) {
      if (this.chunks[0]!.length < 4) this.merge();
      const size = this.chunks[0]!.readInt32BE(0);
      if (size < 0 || size > this.maxRequestBytes) {
        this.kill(`request size ${size} is outside 0..socket.request.max.bytes (${this.maxRequestBytes})`);
        return;
      }
      if (this.buffered < 4 + size) return;
      if (this.chunks[0]!.length < 4 + size) this.merge();
      const first = this.chunks[0]!;
      const frame = first.subarray(4, 4 + size);
      if (first.length === 4 + size) this.chunks.shift();
      else this.chunks[0] = first.subarray(4 + size);
      this.buffered -= 4 + size;
      this.dispatch(frame);
    }
  }

  private merge(): void {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
  }

  private dispatch(frame: Buffer): void {
    const r = new WireReader(frame);
    let header;
    try {
      header = decodeRequestHeader(r);
    } catch (e) {
      this.kill(`unreadable request header: ${(e as Error).message}`);
      return;
    }
    const { apiKey, apiVersion, correlationId } = header;
    const handler = this.core.handlers.get(apiKey);
    const codec = CODECS.get(apiKey);
    const range = ADVERTISED.get(apiKey);
    if (!handler || !codec || !range) {
      this.kill(`API key ${apiKey} is not supported`);
      return;
    }
    if (apiVersion < range[0] || apiVersion > range[1]) {
      if (apiKey === API_VERSIONS_KEY) {
        // KIP-511: answer an unknown ApiVersions version with a v0 body carrying UNSUPPORTED_VERSION and our ranges.
        this.respond({ done: false, chunks: null, bytes: frame.length }, () =>
          Promise.resolve(
            encodeResponse(API_VERSIONS_KEY, 0, correlationId, { errorCode: 35, apiKeys: apiKeysOf(this.core) }),
          ),
        );
        return;
      }
      this.kill(`${codec.spec.name} version ${apiVersion} is outside the supported ${range[0]}-${range[1]}`);
      return;
    }
    let body;
    try {
      if (codec.isFlexible(apiVersion)) skipTags(r);
      body = codec.request(apiVersion).decode(r);
    } catch (e) {
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
      const queued = this.fetchChain.then(run);
      this.fetchChain = queued.catch(() => undefined);
      this.respond({ done: false, chunks: null, bytes: frame.length }, () => queued);
    } else {
      this.respond({ done: false, chunks: null, bytes: frame.length }, run);
    }
  }

  private respond(slot: Slot, produce: () => Promise<Buffer[] | null>): void {
    this.slots.push(slot);
    this.pendingRequestBytes += slot.bytes;
    if (this.slots.length >= MAX_IN_FLIGHT || this.pendingRequestBytes > MAX_PENDING_REQUEST_BYTES) this.pause();
    produce().then(
      (chunks) => {
        slot.chunks = chunks;
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
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      this.pendingRequestBytes -= slot.bytes;
      if (this.closed || !slot.chunks) continue;
      if (slot.chunks.length === 1) this.socket.write(slot.chunks[0]!);
      else {
        this.socket.cork();
        for (const c of slot.chunks) this.socket.write(c);
        this.socket.uncork();
      }
    }
    if (this.closing) {
      this.endIfDrained();
      return;
    }
    if (this.socket.writableLength > MAX_UNSENT_BYTES) this.pause();
    else this.maybeResume();
  }

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private maybeResume(): void {
    if (
      this.paused &&
      !this.closing &&
      this.slots.length < MAX_IN_FLIGHT &&
      this.pendingRequestBytes <= MAX_PENDING_REQUEST_BYTES &&
      this.socket.writableLength <= MAX_UNSENT_BYTES
    ) {
      this.paused = false;
      this.socket.resume();
    }
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

function hasError(response: object): boolean {
  const topics = (response as { responses?: { partitionResponses?: { errorCode?: number }[] }[] }).responses ?? [];
  return topics.some((t) => (t.partitionResponses ?? []).some((p) => (p.errorCode ?? 0) !== 0));
}

/** Listens on host:port and serves Kafka clients; resolves once listening. */
export async function listen(
  core: BrokerCore,
  host: string,
  port: number,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const maxRequestBytes = core.config.int('socket.request.max.bytes', 1);
  const connections = new Set<Connection>();
  let seq = 0;
  const server = createServer((socket) => {
    const id = `c${++seq}-${socket.remoteAddress}:${socket.remotePort}`;
    const c = new Connection(socket, core, id, maxRequestBytes);
    connections.add(c);
    socket.on('close', () => connections.delete(c));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log.error('server error', e));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of connections) c.destroy();
      }),
  };
}
