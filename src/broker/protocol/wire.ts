import { EddyError } from '../../common/errors.js';

/**
 * Byte-level reading and writing of the Kafka wire primitives. The reader throws PROTOCOL_ERROR on any read past
 * the end, so a truncated or garbled request can never be half-applied. The writer keeps large byte payloads
 * (record batches) as separate chunks, so a Fetch response hands stored batches to the socket without copying.
 */

export class WireReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) {
      throw new EddyError(
        'PROTOCOL_ERROR',
        `message truncated: needed ${n} bytes at offset ${at}, ${this.end - at} left`,
      );
    }
    this.pos = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): number {
    return Number(this.buf.readBigInt64BE(this.need(8)));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }
  uuid(): string {
    const at = this.need(16);
    return this.buf.toString('hex', at, at + 16);
  }

  /** Unsigned base-128 varint (flexible-version lengths and tags), at most 5 bytes. */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf[this.need(1)]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (value > 0xffffffff) break;
        return value;
      }
    }
    throw new EddyError('PROTOCOL_ERROR', `unsigned varint at offset ${this.pos} is longer than 5 bytes`);
  }

  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  string(n: number): string {
    const at = this.need(n);
    return this.buf.toString('utf8', at, at + n);
  }
}

const SCRATCH = 64 * 1024;
/** Byte payloads at least this long go out as their own chunk instead of being copied. */
const ZERO_COPY_MIN = 4096;

export class WireWriter {
  private readonly chunks: Buffer[] = [];
  private cur: Buffer;
  private pos = 0;
  private total = 0;

  constructor(initial = 256) {
    this.cur = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.total + this.pos;
  }

  private room(n: number): number {
    if (this.pos + n > this.cur.length) {
      this.seal();
      this.cur = Buffer.allocUnsafe(Math.max(n, SCRATCH));
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private seal(): void {
    if (this.pos > 0) {
      this.chunks.push(this.cur.subarray(0, this.pos));
      this.total += this.pos;
      this.cur = this.cur.subarray(this.pos);
      this.pos = 0;
    }
  }

  int8(v: number): void {
    const at = this.room(1);
    this.cur.writeInt8(v, at);
  }
  int16(v: number): void {
    const at = this.room(2);
    this.cur.writeInt16BE(v, at);
  }
  uint16(v: number): void {
    const at = this.room(2);
    this.cur.writeUInt16BE(v, at);
  }
  int32(v: number): void {
    const at = this.room(4);
    this.cur.writeInt32BE(v, at);
  }
  uint32(v: number): void {
    const at = this.room(4);
    this.cur.writeUInt32BE(v >>> 0, at);
  }
  int64(v: number): void {
    const at = this.room(8);
    this.cur.writeBigInt64BE(BigInt(Math.trunc(v)), at);
  }
  float64(v: number): void {
    const at = this.room(8);
    this.cur.writeDoubleBE(v, at);
  }
  bool(v: boolean): void {
    {
      const at = this.room(1);
      this.cur[at] = v ? 1 : 0;
    }
  }
  uuid(hex: string): void {
    const at = this.room(16);
    const b = Buffer.from(hex.length === 32 ? hex : '0'.repeat(32), 'hex');
    if (b.length !== 16) throw new EddyError('INVALID_ARGUMENT', `uuid ${JSON.stringify(hex)} is not 32 hex digits`);
    b.copy(this.cur, at);
  }
  uvarint(v: number): void {
    let n = v >>> 0;
    while (n >= 0x80) {
      {
        const at = this.room(1);
        this.cur[at] = (n & 0x7f) | 0x80;
      }
      n >>>= 7;
    }
    {
      const at = this.room(1);
      this.cur[at] = n;
    }
  }
  raw(b: Uint8Array): void {
    if (b.length >= ZERO_COPY_MIN) {
      this.seal();
      this.chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));
      this.total += b.length;
      return;
    }
    const at = this.room(b.length);
    this.cur.set(b, at);
  }
  /** Reserves an int32 to fill in later (a frame size), returning a setter. */
  reserveInt32(): (v: number) => void {
    const at = this.room(4);
    const buf = this.cur;
    return (v) => buf.writeInt32BE(v, at);
  }

  /** The written bytes as chunks, for socket.writev-style output. */
  toChunks(): Buffer[] {
    this.seal();
    return this.chunks;
  }

  toBuffer(): Buffer {
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.total);
  }
}
