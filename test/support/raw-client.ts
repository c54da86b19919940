import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequest } from '../../src/broker/protocol/codecs.js';
import type { Message } from '../../src/broker/protocol/message-codec.js';

/** A minimal Kafka client on the broker's own codecs, for tests that need exact requests (and raw bytes). */
export class RawClient {
  private buf = Buffer.alloc(0);
  private readonly waiting: { apiKey: number; version: number; resolve(m: Message): void; reject(e: Error): void }[] =
    [];
  private correlation = 0;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d) => this.onData(d));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('close', () => {
      for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed'));
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
      const size = this.buf.readInt32BE(0);
      const frame = this.buf.subarray(4, 4 + size);
      this.buf = this.buf.subarray(4 + size);
      const w = this.waiting.shift();
      if (!w) continue;
      try {
        w.resolve(decodeResponse(w.apiKey, w.version, frame).body);
      } catch (e) {
        w.reject(e as Error);
      }
    }
  }

  send(apiKey: number, version: number, body: Message): Promise<Message> {
    const frame = encodeRequest(
      { apiKey, apiVersion: version, correlationId: ++this.correlation, clientId: 'raw' },
      body,
    );
    return new Promise((resolve, reject) => {
      this.waiting.push({ apiKey, version, resolve, reject });
      this.socket.write(frame);
    });
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}
