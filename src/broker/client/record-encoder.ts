import { crc32c } from '../../common/checksum.js';
import { EddyError } from '../../common/errors.js';
import { BATCH_HEADER_SIZE, BatchField, LOG_OVERHEAD } from '../log/record-batch.js';
import { compress, COMPRESSION_CODES, type CompressionType } from './compression.js';

/**
 * Records → magic v2 record batches, as a producer sends them (see /work/shared/kafka-protocol/RECORD-BATCH.md):
 * baseOffset 0 (the broker assigns offsets), CRC32C over [attributes, end), no producer id (not idempotent).
 * Records are cut into several batches when they exceed `maxBatchBytes`, since a Produce request carries at most
 * one batch per partition and brokers refuse batches over message.max.bytes.
 */

export type Bytes = Buffer | Uint8Array | string;

export interface ProducerRecord {
  key?: Bytes | null;
  value: Bytes | null;
  /** Epoch ms (CreateTime); default: the time the batch is built. */
  timestamp?: number;
  headers?: Readonly<Record<string, Bytes>> | readonly (readonly [string, Bytes | null])[];
}

export interface EncodeOptions {
  compression?: CompressionType;
  /** Uncompressed records bytes per batch before a new batch starts (default 1,000,000: Kafka's max.request.size is 1 MiB). */
  maxBatchBytes?: number;
  now?: number;
}

function byteLength(v: Bytes | null | undefined): number {
  if (v === null || v === undefined) return -1;
  return typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
}

/** Bytes of the zigzag varint of n (n a safe integer). */
function varintSize(n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  if (v < 0x10000000) {
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    return pos;
  }
  while (v >= 128) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

function writeBytes(buf: Buffer, pos: number, v: Bytes | null | undefined, len: number): number {
  pos = writeVarint(buf, pos, len);
  if (len <= 0) return pos;
  if (typeof v === 'string') buf.write(v, pos, len, 'utf8');
  else buf.set(v as Uint8Array, pos);
  return pos + len;
}

function headerList(h: ProducerRecord['headers']): readonly (readonly [string, Bytes | null])[] {
  if (!h) return [];
  if (Array.isArray(h)) return h as readonly (readonly [string, Bytes | null])[];
  return Object.entries(h as Record<string, Bytes>);
}

interface Sized {
  record: ProducerRecord;
  timestamp: number;
  keyLen: number;
  valueLen: number;
  headers: readonly (readonly [string, Bytes | null])[];
  headerLens: number[];
  /** Record body size (after its length varint), given its deltas. */
  body: number;
}

/** Encodes records into one or more batches (each a Buffer holding one whole batch). */
export function encodeRecordBatches(records: readonly ProducerRecord[], o: EncodeOptions = {}): Buffer[] {
  if (records.length === 0) return [];
  const now = o.now ?? Date.now();
  const max = o.maxBatchBytes ?? 1_000_000;
  const out: Buffer[] = [];
  let group: Sized[] = [];
  let groupBytes = 0;
  let base = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r === null || typeof r !== 'object' || !('value' in r)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `record ${i} must be an object with a value (null allowed), got ${String(r)}`,
      );
    }
    const timestamp = r.timestamp ?? now;
    if (!Number.isSafeInteger(timestamp)) {
      throw new EddyError('INVALID_ARGUMENT', `record ${i} has timestamp ${timestamp}; give epoch milliseconds`);
    }
    const keyLen = byteLength(r.key);
    const valueLen = byteLength(r.value);
    const headers = headerList(r.headers);
    const headerLens: number[] = [];
    let hBytes = varintSize(headers.length);
    for (const [k, v] of headers) {
      const kl = Buffer.byteLength(k, 'utf8');
      const vl = byteLength(v);
      headerLens.push(kl, vl);
      hBytes += varintSize(kl) + kl + varintSize(vl) + Math.max(0, vl);
    }
    const fixed = 1 + varintSize(keyLen) + Math.max(0, keyLen) + varintSize(valueLen) + Math.max(0, valueLen) + hBytes;
    // The deltas are known only against the group's first record: estimate with 10 bytes, exact when written.
    if (group.length > 0 && groupBytes + fixed + 15 > max) {
      out.push(buildBatch(group, base, o.compression ?? 'none'));
      group = [];
      groupBytes = 0;
    }
    if (group.length === 0) base = timestamp;
    const body = fixed + varintSize(timestamp - base) + varintSize(group.length);
    group.push({ record: r, timestamp, keyLen, valueLen, headers, headerLens, body });
    groupBytes += body + varintSize(body);
  }
  out.push(buildBatch(group, base, o.compression ?? 'none'));
  return out;
}

function buildBatch(group: Sized[], baseTimestamp: number, compression: CompressionType): Buffer {
  let size = 0;
  let maxTimestamp = baseTimestamp;
  for (const s of group) {
    size += varintSize(s.body) + s.body;
    if (s.timestamp > maxTimestamp) maxTimestamp = s.timestamp;
  }
  // Records are written in place after the header; a compressed batch copies its smaller payload once.
  const plain = Buffer.allocUnsafe(BATCH_HEADER_SIZE + size);
  const records = plain;
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < group.length; i++) {
    const s = group[i]!;
    pos = writeVarint(records, pos, s.body);
    const start = pos;
    records[pos++] = 0;
    pos = writeVarint(records, pos, s.timestamp - baseTimestamp);
    pos = writeVarint(records, pos, i);
    pos = writeBytes(records, pos, s.record.key, s.keyLen);
    pos = writeBytes(records, pos, s.record.value, s.valueLen);
    pos = writeVarint(records, pos, s.headers.length);
    for (let h = 0; h < s.headers.length; h++) {
      const [k, v] = s.headers[h]!;
      pos = writeBytes(records, pos, k, s.headerLens[2 * h]!);
      pos = writeBytes(records, pos, v, s.headerLens[2 * h + 1]!);
    }
    if (pos - start !== s.body) throw new EddyError('INTERNAL', `record ${i} sized ${s.body} but wrote ${pos - start}`);
  }
  let batch = plain;
  if (compression !== 'none') {
    const payload = compress(compression, plain.subarray(BATCH_HEADER_SIZE));
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
    payload.copy(batch, BATCH_HEADER_SIZE);
  }
  batch.writeBigInt64BE(0n, BatchField.BaseOffset);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BatchField.BatchLength);
  batch.writeInt32BE(-1, BatchField.PartitionLeaderEpoch);
  batch.writeInt8(2, BatchField.Magic);
  batch.writeInt16BE(COMPRESSION_CODES[compression], BatchField.Attributes);
  batch.writeInt32BE(group.length - 1, BatchField.LastOffsetDelta);
  batch.writeBigInt64BE(BigInt(baseTimestamp), BatchField.BaseTimestamp);
  batch.writeBigInt64BE(BigInt(maxTimestamp), BatchField.MaxTimestamp);
  batch.writeBigInt64BE(-1n, BatchField.ProducerId);
  batch.writeInt16BE(-1, BatchField.ProducerEpoch);
  batch.writeInt32BE(-1, BatchField.BaseSequence);
  batch.writeInt32BE(group.length, BatchField.RecordsCount);
  batch.writeUInt32BE(crc32c(batch.subarray(BatchField.Attributes)), BatchField.Crc);
  return batch;
}
