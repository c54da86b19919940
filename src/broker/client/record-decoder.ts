import { EddyError } from '../../common/errors.js';
import { BATCH_HEADER_SIZE, BatchField, crcMatches, LOG_OVERHEAD } from '../log/record-batch.js';
import { compressionName, decompress } from './compression.js';

/**
 * Fetched record batches → columns. The records of one partition come back as parallel arrays (offsets,
 * timestamps, keys, values, headers) rather than one object per record, so a consumer that builds columns (the
 * streaming source) never materializes rows. Keys and values of uncompressed batches are views into the
 * response frame: no byte is copied; they stay valid as long as the caller holds them.
 */

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface RecordColumns {
  count: number;
  offsets: Float64Array;
  /** Epoch milliseconds: the record's CreateTime, or the batch's LogAppendTime when the topic uses that. */
  timestamps: Float64Array;
  /** Per record: 0 CreateTime, 1 LogAppendTime (Spark's timestampType column). */
  timestampTypes: Uint8Array;
  keys: (Buffer | null)[];
  values: (Buffer | null)[];
  /** Per record; records without headers share one frozen empty array. */
  headers: (readonly RecordHeader[])[];
}

export interface DecodedRecords extends RecordColumns {
  /** The offset to fetch next: one past the last whole batch read (control batches included). */
  nextOffset: number;
}

export const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

const EMPTY = {
  offsets: new Float64Array(0),
  timestamps: new Float64Array(0),
  timestampTypes: new Uint8Array(0),
};

export interface DecodeOptions {
  /** Records before this offset (the head of the batch holding the fetch offset) are dropped. */
  fromOffset: number;
  /** Records at or past this offset are dropped (exclusive end), Infinity for none. */
  untilOffset?: number;
  /** Verify each batch's CRC32C (Kafka's check.crcs, default true). */
  checkCrcs?: boolean;
  /** Names the partition in errors. */
  where: string;
}

class Cursor {
  constructor(
    public buf: Buffer,
    public pos: number,
  ) {}

  /** A zigzag varint (int32). */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    let raw = b & 0x7f;
    if (b & 0x80) {
      b = buf[pos++]!;
      raw |= (b & 0x7f) << 7;
      if (b & 0x80) {
        b = buf[pos++]!;
        raw |= (b & 0x7f) << 14;
        if (b & 0x80) {
          b = buf[pos++]!;
          raw |= (b & 0x7f) << 21;
          if (b & 0x80) {
            b = buf[pos++]!;
            raw |= (b & 0x0f) << 28;
          }
        }
      }
    }
    this.pos = pos;
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** A zigzag varlong as a JS number (exact up to 2^53, which timestamps and deltas stay under). */
  varlong(): number {
    const buf = this.buf;
    let pos = this.pos;
    let raw = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = buf[pos++]!;
      raw += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) break;
    }
    this.pos = pos;
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  bytes(): Buffer | null {
    const n = this.varint();
    if (n < 0) return null;
    const at = this.pos;
    this.pos = at + n;
    return this.buf.subarray(at, at + n);
  }
}

interface BatchRef {
  position: number;
  size: number;
  baseOffset: number;
  lastOffsetDelta: number;
  count: number;
  attributes: number;
}

/**
 * Decodes a Fetch response's `records` for one partition: whole v2 batches, skipping control batches (the
 * transaction markers; read_uncommitted) and the records outside [fromOffset, untilOffset). A batch cut short at
 * the end of the response (the broker fills up to the byte limit) is left for the next fetch.
 */
export function decodeRecordBatches(data: Buffer | null, o: DecodeOptions): DecodedRecords {
  const batches: BatchRef[] = [];
  let total = 0;
  let nextOffset = o.fromOffset;
  if (data !== null) {
    let pos = 0;
    while (pos + LOG_OVERHEAD <= data.length) {
      const size = LOG_OVERHEAD + data.readInt32BE(pos + BatchField.BatchLength);
      if (pos + size > data.length) break;
      if (size < BATCH_HEADER_SIZE) {
        throw new EddyError('CORRUPT_DATA', `${o.where}: record batch at byte ${pos} is only ${size} bytes`);
      }
      const magic = data.readInt8(pos + BatchField.Magic);
      if (magic !== 2) {
        throw new EddyError(
          'UNSUPPORTED',
          `${o.where}: record batch at offset ${data.readBigInt64BE(pos)} has magic ${magic}; only magic 2 (Kafka 0.11+) is read`,
        );
      }
      if (o.checkCrcs !== false && !crcMatches(data, pos, size)) {
        throw new EddyError(
          'CORRUPT_DATA',
          `${o.where}: record batch at offset ${data.readBigInt64BE(pos)} fails its CRC32C check`,
        );
      }
      const ref: BatchRef = {
        position: pos,
        size,
        baseOffset: Number(data.readBigInt64BE(pos)),
        lastOffsetDelta: data.readInt32BE(pos + BatchField.LastOffsetDelta),
        count: data.readInt32BE(pos + BatchField.RecordsCount),
        attributes: data.readInt16BE(pos + BatchField.Attributes),
      };
      nextOffset = Math.max(nextOffset, ref.baseOffset + ref.lastOffsetDelta + 1);
      if ((ref.attributes & 0x20) === 0 && ref.count > 0) {
        batches.push(ref);
        total += ref.count;
      }
      pos += size;
    }
  }
  if (total === 0) {
    return { count: 0, ...EMPTY, keys: [], values: [], headers: [], nextOffset };
  }
  const until = o.untilOffset ?? Infinity;
  const offsets = new Float64Array(total);
  const timestamps = new Float64Array(total);
  const timestampTypes = new Uint8Array(total);
  const keys = new Array<Buffer | null>(total);
  const values = new Array<Buffer | null>(total);
  const headers = new Array<readonly RecordHeader[]>(total);
  let n = 0;
  for (const b of batches) {
    const d = data!;
    const codec = b.attributes & 0x07;
    const logAppend = (b.attributes & 0x08) !== 0 ? 1 : 0;
    const baseTimestamp = Number(d.readBigInt64BE(b.position + BatchField.BaseTimestamp));
    const maxTimestamp = Number(d.readBigInt64BE(b.position + BatchField.MaxTimestamp));
    let body: Buffer;
    let start: number;
    if (codec === 0) {
      body = d;
      start = b.position + BATCH_HEADER_SIZE;
    } else {
      body = decompress(codec, d.subarray(b.position + BATCH_HEADER_SIZE, b.position + b.size));
      start = 0;
    }
    const end = codec === 0 ? b.position + b.size : body.length;
    const c = new Cursor(body, start);
    for (let i = 0; i < b.count; i++) {
      const length = c.varint();
      const recordEnd = c.pos + length;
      if (length < 0 || recordEnd > end) {
        throw new EddyError(
          'CORRUPT_DATA',
          `${o.where}: record ${i} of the ${compressionName(codec)} batch at offset ${b.baseOffset} runs past the batch`,
        );
      }
      c.pos++; // attributes: unused in v2
      const tsDelta = c.varlong();
      const offset = b.baseOffset + c.varint();
      if (offset < o.fromOffset || offset >= until) {
        c.pos = recordEnd;
        continue;
      }
      offsets[n] = offset;
      timestamps[n] = logAppend ? maxTimestamp : baseTimestamp + tsDelta;
      timestampTypes[n] = logAppend;
      keys[n] = c.bytes();
      values[n] = c.bytes();
      const hc = c.varint();
      if (hc <= 0) headers[n] = NO_HEADERS;
      else {
        const hs: RecordHeader[] = new Array<RecordHeader>(hc);
        for (let h = 0; h < hc; h++) {
          const kl = c.varint();
          const key = body.toString('utf8', c.pos, c.pos + kl);
          c.pos += kl;
          hs[h] = { key, value: c.bytes() };
        }
        headers[n] = hs;
      }
      if (c.pos !== recordEnd) {
        throw new EddyError(
          'CORRUPT_DATA',
          `${o.where}: record at offset ${offset} holds ${length} bytes but its fields take ${c.pos - (recordEnd - length)}`,
        );
      }
      n++;
    }
  }
  if (n < total) {
    keys.length = n;
    values.length = n;
    headers.length = n;
  }
  return {
    count: n,
    offsets: n < total ? offsets.subarray(0, n) : offsets,
    timestamps: n < total ? timestamps.subarray(0, n) : timestamps,
    timestampTypes: n < total ? timestampTypes.subarray(0, n) : timestampTypes,
    keys,
    values,
    headers,
    nextOffset,
  };
}
