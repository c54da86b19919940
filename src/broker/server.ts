import { createServer, type Server, type Socket } from 'node:net';
import { getLogger } from '../common/log.js';
import type { BrokerCore } from './core.js';
import { ADVERTISED, apiKeysOf } from './handlers/api-versions.js';
import type { HandlerContext } from './handler.js';
import { API_VERSIONS_KEY, CODECS, decodeRequestHeader, encodeResponse, skipTags } from './protocol/codecs.js';
import { WireReader } from './protocol/wire.js';

const log = getLogger('broker.server');

const PRODUCE_KEY = 0;
/** Pause reading a connection while this many of its requests are unanswered (Kafka: one in flight per channel). */
const MAX_IN_FLIGHT = 100;
/** Pause reading while this many response bytes wait for a slow reader. */
const MAX_UNSENT_BYTES = 64 * 1024 * 1024;

interface Slot {
  done: boolean;
  chunks: Buffer[] | null;
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
  private paused = false;

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

  private kill(reason: string): void {
    if (this.closed) return;
    log.info(`${this.id}: closing connection: ${reason}`);
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.closed && this.buffered >= 4) {
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
        this.respond({ done: false, chunks: null }, () =>
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
    this.respond({ done: false, chunks: null }, async () => {
      const response = await handler(body, ctx);
      return noResponse ? null : encodeResponse(apiKey, apiVersion, correlationId, response as Record<string, unknown>);
    });
  }

  private respond(slot: Slot, produce: () => Promise<Buffer[] | null>): void {
    this.slots.push(slot);
    if (this.slots.length >= MAX_IN_FLIGHT) this.pause();
    produce().then(
      (chunks) => {
        slot.chunks = chunks;
        slot.done = true;
        this.flush();
      },
      (e: unknown) => {
        log.error(`${this.id}: handler failed`, e);
        this.kill('a handler failed');
      },
    );
  }

  private flush(): void {
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      if (this.closed || !slot.chunks) continue;
      if (slot.chunks.length === 1) this.socket.write(slot.chunks[0]!);
      else {
        this.socket.cork();
        for (const c of slot.chunks) this.socket.write(c);
        this.socket.uncork();
      }
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
    if (this.paused && this.slots.length < MAX_IN_FLIGHT && this.socket.writableLength <= MAX_UNSENT_BYTES) {
      this.paused = false;
      this.socket.resume();
    }
  }

  destroy(): void {
    this.kill('broker shutting down');
  }
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
