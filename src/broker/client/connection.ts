import { connect, type Socket } from 'node:net';
import { EddyError, isEddyError } from '../../common/errors.js';
import { API_VERSIONS_KEY, decodeResponse, encodeRequestChunks } from '../protocol/codecs.js';
import type { Message } from '../protocol/message-codec.js';
import { apiName, ApiVersionTable, type BrokerApiRange } from './api-versions.js';
import { KafkaErrorCode, KafkaResponseError } from './kafka-errors.js';

/**
 * One TCP connection to one broker: size-prefixed frames, many requests in flight at once (matched to their
 * answers by correlation id), and the API versions negotiated right after connecting. A broker answers the
 * requests of a connection in order, so a request that times out leaves the stream unusable: the connection is
 * closed then, as Kafka's NetworkClient does, and every request still in flight fails with a retriable error.
 */

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  /** Kafka's socket.connection.setup.timeout.ms (default 10 s). */
  connectTimeoutMs?: number;
  /** Kafka's request.timeout.ms (default 30 s): how long an answer may take beyond what the request waits. */
  requestTimeoutMs?: number;
}

export interface RequestOptions {
  /** Overrides the negotiated version. */
  version?: number;
  /** Time the broker may hold the request on purpose (a long-polling fetch), added to the request timeout. */
  extraTimeoutMs?: number;
  /** Produce with acks=0: the broker sends no answer; resolves once the bytes are handed to the socket. */
  noResponse?: boolean;
}

interface Pending {
  what: string;
  decode(frame: Buffer): Message;
  resolve(m: Message): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

const SOFTWARE_NAME = 'eddy';
const SOFTWARE_VERSION = '0.1.0';

export class BrokerConnection {
  readonly address: string;
  private versionTable: ApiVersionTable | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelation = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frameSize = -1;
  private failure: EddyError | null = null;
  private readonly closedPromise: Promise<void>;
  private readonly requestTimeoutMs: number;

  private constructor(
    private readonly socket: Socket,
    private readonly o: ConnectionOptions,
  ) {
    this.address = `${o.host}:${o.port}`;
    this.requestTimeoutMs = o.requestTimeoutMs ?? 30_000;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(this.ioError(`connection to broker ${this.address} failed: ${e.message}`, e)));
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () =>
      this.fail(this.ioError(`connection to broker ${this.address} closed by the broker or the network`)),
    );
  }

  /** Connects and negotiates API versions. IO_ERROR (retriable) when the broker cannot be reached. */
  static async open(o: ConnectionOptions): Promise<BrokerConnection> {
    const address = `${o.host}:${o.port}`;
    const timeoutMs = o.connectTimeoutMs ?? 10_000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: o.host, port: o.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(
          new EddyError(
            'TIMEOUT',
            `could not connect to broker ${address} within ${timeoutMs} ms; check bootstrap.servers`,
          ),
        );
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(
          new EddyError(
            'IO_ERROR',
            `could not connect to broker ${address}: ${e.message}; is it running? check bootstrap.servers`,
            {
              cause: e,
            },
          ),
        );
      });
    });
    const c = new BrokerConnection(socket, o);
    try {
      await c.negotiate();
    } catch (e) {
      c.destroy();
      throw e;
    }
    return c;
  }

  get versions(): ApiVersionTable {
    if (!this.versionTable) throw new EddyError('ILLEGAL_STATE', `connection to ${this.address} is not negotiated yet`);
    return this.versionTable;
  }

  /** True once the connection failed or was closed; a new one must be opened. */
  get isClosed(): boolean {
    return this.failure !== null;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** ApiVersions v3 first; a broker that does not know v3 answers UNSUPPORTED_VERSION in a v0 body with its list. */
  private async negotiate(): Promise<void> {
    const body = await this.send(
      API_VERSIONS_KEY,
      3,
      { clientSoftwareName: SOFTWARE_NAME, clientSoftwareVersion: SOFTWARE_VERSION },
      'ApiVersions v3',
      (frame) => {
        const errorCode = frame.readInt16BE(4);
        return decodeResponse(API_VERSIONS_KEY, errorCode === KafkaErrorCode.UNSUPPORTED_VERSION ? 0 : 3, frame).body;
      },
      0,
    );
    const errorCode = body['errorCode'] as number;
    if (errorCode !== 0 && errorCode !== KafkaErrorCode.UNSUPPORTED_VERSION) {
      throw new KafkaResponseError(errorCode, `ApiVersions from broker ${this.address}`);
    }
    this.versionTable = new ApiVersionTable(body['apiKeys'] as BrokerApiRange[], this.address);
  }

  /** Sends one request and resolves with the decoded response body. */
  request(apiKey: number, body: Message, options: RequestOptions = {}): Promise<Message> {
    let version: number;
    try {
      version = options.version ?? this.versions.version(apiKey);
    } catch (e) {
      return Promise.reject(e);
    }
    const what = `${apiName(apiKey)} v${version}`;
    if (options.noResponse) return this.sendNoResponse(apiKey, version, body, what);
    return this.send(
      apiKey,
      version,
      body,
      what,
      (frame) => decodeResponse(apiKey, version, frame).body,
      options.extraTimeoutMs ?? 0,
    );
  }

  private send(
    apiKey: number,
    version: number,
    body: Message,
    what: string,
    decode: (frame: Buffer) => Message,
    extraTimeoutMs: number,
  ): Promise<Message> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelation;
    this.nextCorrelation = (this.nextCorrelation + 1) & 0x7fffffff || 1;
    let chunks: Buffer[];
    try {
      chunks = encodeRequestChunks({ apiKey, apiVersion: version, correlationId, clientId: this.o.clientId }, body);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<Message>((resolve, reject) => {
      const timeoutMs = this.requestTimeoutMs + Math.max(0, extraTimeoutMs);
      const timer = setTimeout(() => {
        const err = new EddyError(
          'TIMEOUT',
          `${what} to broker ${this.address} got no answer within ${timeoutMs} ms (request.timeout.ms); the connection is closed and the request may be retried`,
        );
        this.pending.delete(correlationId);
        reject(err);
        this.fail(this.ioError(`connection to broker ${this.address} closed after ${what} timed out`));
        this.socket.destroy();
      }, timeoutMs);
      this.pending.set(correlationId, { what, decode, resolve, reject, timer });
      this.write(chunks);
    });
  }

  private sendNoResponse(apiKey: number, version: number, body: Message, what: string): Promise<Message> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelation;
    this.nextCorrelation = (this.nextCorrelation + 1) & 0x7fffffff || 1;
    const chunks = encodeRequestChunks({ apiKey, apiVersion: version, correlationId, clientId: this.o.clientId }, body);
    return new Promise<Message>((resolve, reject) => {
      this.write(chunks, (e) => {
        if (e) reject(this.ioError(`${what} to broker ${this.address} could not be sent: ${e.message}`, e));
        else resolve({});
      });
    });
  }

  private write(chunks: Buffer[], done?: (e?: Error | null) => void): void {
    if (chunks.length === 1) {
      this.socket.write(chunks[0]!, done);
      return;
    }
    this.socket.cork();
    for (let i = 0; i < chunks.length; i++) {
      this.socket.write(chunks[i]!, i === chunks.length - 1 ? done : undefined);
    }
    this.socket.uncork();
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    for (;;) {
      if (this.frameSize < 0) {
        if (this.buffered < 4) return;
        this.frameSize = this.take(4).readInt32BE(0);
        if (this.frameSize < 4) {
          this.fail(new EddyError('PROTOCOL_ERROR', `broker ${this.address} sent a frame of ${this.frameSize} bytes`));
          this.socket.destroy();
          return;
        }
      }
      if (this.buffered < this.frameSize) return;
      const frame = this.take(this.frameSize);
      this.frameSize = -1;
      this.dispatch(frame);
    }
  }

  /** The next n buffered bytes, a view when they lie in one chunk (the common case for small answers). */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  private dispatch(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const p = this.pending.get(correlationId);
    if (!p) {
      // An answer to a request that already timed out cannot arrive (the socket is closed then): this is a bug.
      this.fail(
        new EddyError('PROTOCOL_ERROR', `broker ${this.address} answered unknown correlation id ${correlationId}`),
      );
      this.socket.destroy();
      return;
    }
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    let body: Message;
    try {
      body = p.decode(frame);
    } catch (e) {
      p.reject(
        isEddyError(e)
          ? new EddyError(e.code, `${p.what} answer from broker ${this.address}: ${e.message}`, { cause: e })
          : (e as Error),
      );
      return;
    }
    p.resolve(body);
  }

  private ioError(message: string, cause?: unknown): EddyError {
    return new EddyError('IO_ERROR', message, { retriable: true, ...(cause === undefined ? {} : { cause }) });
  }

  private fail(e: EddyError): void {
    if (!this.failure) this.failure = e;
    if (this.pending.size === 0) return;
    const n = this.pending.size;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(
        new EddyError(
          this.failure.code,
          `${p.what}: ${this.failure.message} with ${n} request(s) in flight; the request may be retried`,
          { retriable: true, cause: this.failure },
        ),
      );
    }
  }

  private destroy(): void {
    this.socket.destroy();
  }

  /** Closes the connection: requests still in flight fail with CLOSED. */
  async close(): Promise<void> {
    if (!this.failure)
      this.failure = new EddyError('CLOSED', `connection to broker ${this.address} was closed by the client`);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new EddyError('CLOSED', `${p.what} to broker ${this.address}: the client closed the connection`));
    }
    this.socket.end();
    this.socket.destroy();
    await this.closedPromise;
  }
}
