import { crc32c } from '../../src/common/checksum.js';

/** Builds uncompressed magic-2 record batches for tests (what a producer sends), with a correct CRC32C. */

function zigzagVarint(n: number): number[] {
  let v = (n << 1) ^ (n >> 31);
  v >>>= 0;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function bytesField(b: Buffer | null): number[] {
  return b === null ? zigzagVarint(-1) : [...zigzagVarint(b.length), ...b];
}

export interface TestRecord {
  key?: string | null;
  value: string | null;
  timestampDelta?: number;
}

export interface BatchOptions {
  baseTimestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
}

export function buildBatch(records: TestRecord[], opts: BatchOptions = {}): Buffer {
  const body: number[] = [];
  records.forEach((r, i) => {
    const rec = [
      0,
      ...zigzagVarint(r.timestampDelta ?? 0),
      ...zigzagVarint(i),
      ...bytesField(r.key === undefined || r.key === null ? null : Buffer.from(r.key)),
      ...bytesField(r.value === null ? null : Buffer.from(r.value)),
      ...zigzagVarint(0),
    ];
    body.push(...zigzagVarint(rec.length), ...rec);
  });
  const base = opts.baseTimestamp ?? 1_700_000_000_000;
  const maxTs = base + Math.max(0, ...records.map((r) => r.timestampDelta ?? 0));
  const buf = Buffer.alloc(61 + body.length);
  buf.writeBigInt64BE(0n, 0);
  buf.writeInt32BE(buf.length - 12, 8);
  buf.writeInt32BE(0, 12);
  buf.writeInt8(2, 16);
  buf.writeInt16BE(0, 21);
  buf.writeInt32BE(records.length - 1, 23);
  buf.writeBigInt64BE(BigInt(base), 27);
  buf.writeBigInt64BE(BigInt(maxTs), 35);
  buf.writeBigInt64BE(BigInt(opts.producerId ?? -1), 43);
  buf.writeInt16BE(opts.producerEpoch ?? -1, 51);
  buf.writeInt32BE(opts.baseSequence ?? -1, 53);
  buf.writeInt32BE(records.length, 57);
  Buffer.from(body).copy(buf, 61);
  buf.writeUInt32BE(crc32c(buf.subarray(21)), 17);
  return buf;
}

/** Reads the values of every record in a run of uncompressed batches (offset, value), for assertions. */
export function readValues(data: Buffer): { offset: number; value: string | null }[] {
  const out: { offset: number; value: string | null }[] = [];
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    while (true) {
      const b = data[pos++]!;
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    return (v >>> 1) ^ -(v & 1);
  };
  while (pos + 61 <= data.length) {
    const start = pos;
    const baseOffset = Number(data.readBigInt64BE(pos));
    const size = 12 + data.readInt32BE(pos + 8);
    if (start + size > data.length) break;
    const count = data.readInt32BE(pos + 57);
    pos += 61;
    for (let i = 0; i < count; i++) {
      varint(); // length
      pos++; // attributes
      varint(); // timestamp delta
      const delta = varint();
      const kl = varint();
      if (kl > 0) pos += kl;
      const vl = varint();
      const value = vl < 0 ? null : data.toString('utf8', pos, pos + vl);
      if (vl > 0) pos += vl;
      const hc = varint();
      for (let h = 0; h < hc; h++) {
        pos += varint();
        const hv = varint();
        if (hv > 0) pos += hv;
      }
      out.push({ offset: baseOffset + delta, value });
    }
    pos = start + size;
  }
  return out;
}
