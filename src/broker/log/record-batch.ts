import { crc32c } from '../../common/checksum.js';

/**
 * The magic v2 record batch header (see /work/shared/kafka-protocol/RECORD-BATCH.md): the broker reads it to
 * validate a produced batch and to assign offsets, and never touches the (possibly compressed) records, so
 * batches are stored exactly as received. The CRC covers bytes [21, end) only, so rewriting baseOffset and
 * partitionLeaderEpoch keeps it valid.
 */

export const BATCH_HEADER_SIZE = 61;
/** baseOffset (8) + batchLength (4): the prefix from which a batch's full size is known. */
export const LOG_OVERHEAD = 12;
const CRC_START = 21;

export const enum BatchField {
  BaseOffset = 0,
  BatchLength = 8,
  PartitionLeaderEpoch = 12,
  Magic = 16,
  Crc = 17,
  Attributes = 21,
  LastOffsetDelta = 23,
  BaseTimestamp = 27,
  MaxTimestamp = 35,
  ProducerId = 43,
  ProducerEpoch = 51,
  BaseSequence = 53,
  RecordsCount = 57,
}

export interface BatchInfo {
  /** Position of the batch in the buffer it was read from. */
  position: number;
  /** Whole batch size: 12 + batchLength. */
  size: number;
  baseOffset: number;
  lastOffsetDelta: number;
  recordsCount: number;
  attributes: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

/** Kafka error codes for what can be wrong with a produced batch. */
export const CORRUPT_MESSAGE = 2;
export const INVALID_RECORD = 87;
export const UNSUPPORTED_COMPRESSION_TYPE = 76;

export type BatchCheck = { ok: true; batch: BatchInfo } | { ok: false; errorCode: number; message: string };

export function readBatchInfo(buf: Buffer, position: number): BatchInfo {
  return {
    position,
    size: LOG_OVERHEAD + buf.readInt32BE(position + BatchField.BatchLength),
    baseOffset: Number(buf.readBigInt64BE(position)),
    lastOffsetDelta: buf.readInt32BE(position + BatchField.LastOffsetDelta),
    recordsCount: buf.readInt32BE(position + BatchField.RecordsCount),
    attributes: buf.readInt16BE(position + BatchField.Attributes),
    baseTimestamp: Number(buf.readBigInt64BE(position + BatchField.BaseTimestamp)),
    maxTimestamp: Number(buf.readBigInt64BE(position + BatchField.MaxTimestamp)),
    producerId: Number(buf.readBigInt64BE(position + BatchField.ProducerId)),
    producerEpoch: buf.readInt16BE(position + BatchField.ProducerEpoch),
    baseSequence: buf.readInt32BE(position + BatchField.BaseSequence),
  };
}

/** True if the CRC32C stored in the batch at `position` matches its bytes. */
export function crcMatches(buf: Buffer, position: number, size: number): boolean {
  const stored = buf.readUInt32BE(position + BatchField.Crc);
  return crc32c(buf.subarray(position + CRC_START, position + size)) === stored;
}

/**
 * Validates the `records` of one produced partition as Kafka does for Produce v3+: exactly one magic-2 batch,
 * consistent counts, no control batch, a matching CRC, zstd only from Produce v7.
 */
export function checkProducedBatch(records: Buffer | null, produceVersion: number): BatchCheck {
  if (records === null || records.length < BATCH_HEADER_SIZE) {
    return {
      ok: false,
      errorCode: CORRUPT_MESSAGE,
      message: `records hold ${records?.length ?? 0} bytes, fewer than a batch header`,
    };
  }
  const magic = records.readInt8(BatchField.Magic);
  if (magic !== 2) {
    return {
      ok: false,
      errorCode: CORRUPT_MESSAGE,
      message: `record batch magic ${magic} is not supported; produce with magic 2 (Produce v3+)`,
    };
  }
  const batchLength = records.readInt32BE(BatchField.BatchLength);
  if (batchLength + LOG_OVERHEAD !== records.length) {
    return {
      ok: false,
      errorCode: INVALID_RECORD,
      message: `batchLength ${batchLength} does not match the ${records.length} bytes sent (exactly one batch per partition)`,
    };
  }
  const b = readBatchInfo(records, 0);
  if (b.recordsCount <= 0 || b.lastOffsetDelta + 1 !== b.recordsCount) {
    return {
      ok: false,
      errorCode: INVALID_RECORD,
      message: `recordsCount ${b.recordsCount} and lastOffsetDelta ${b.lastOffsetDelta} disagree`,
    };
  }
  if ((b.attributes & 0x20) !== 0) {
    return { ok: false, errorCode: INVALID_RECORD, message: 'clients may not produce control batches' };
  }
  const codec = b.attributes & 0x07;
  if (codec > 4) return { ok: false, errorCode: CORRUPT_MESSAGE, message: `unknown compression codec ${codec}` };
  if (codec === 4 && produceVersion < 7) {
    return { ok: false, errorCode: UNSUPPORTED_COMPRESSION_TYPE, message: 'zstd needs Produce v7 or later' };
  }
  if (b.producerId >= 0 && b.baseSequence < 0) {
    return {
      ok: false,
      errorCode: INVALID_RECORD,
      message: `producerId ${b.producerId} with baseSequence ${b.baseSequence}`,
    };
  }
  if (!crcMatches(records, 0, records.length)) {
    return { ok: false, errorCode: CORRUPT_MESSAGE, message: 'record batch CRC32C does not match its bytes' };
  }
  return { ok: true, batch: b };
}

/** Reads a zigzag varint/varlong (records use them) as a JS number; returns [value, next position]. */
function zigzag(buf: Buffer, pos: number): [number, number] {
  let raw = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = buf[pos++];
    if (b === undefined) throw new RangeError('varint runs past the batch');
    raw += (b & 0x7f) * mul;
    mul *= 128;
    if ((b & 0x80) === 0) break;
  }
  // zigzag: even → n/2, odd → −(n+1)/2
  return [raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2, pos];
}

/**
 * The first record of an uncompressed CreateTime batch whose timestamp is ≥ ts: its offset and timestamp.
 * Compressed and LogAppendTime batches answer with the batch itself (its base offset and max timestamp), since
 * the broker never decompresses.
 */
export function firstRecordAtOrAfter(batch: Buffer, ts: number): { offset: number; timestamp: number } {
  const info = readBatchInfo(batch, 0);
  const whole = { offset: info.baseOffset, timestamp: info.maxTimestamp };
  if ((info.attributes & 0x07) !== 0 || (info.attributes & 0x08) !== 0) return whole;
  try {
    let pos = BATCH_HEADER_SIZE;
    for (let i = 0; i < info.recordsCount; i++) {
      const [length, start] = zigzag(batch, pos);
      const [tsDelta, afterTs] = zigzag(batch, start + 1); // skip the attributes byte
      const [offsetDelta] = zigzag(batch, afterTs);
      if (info.baseTimestamp + tsDelta >= ts)
        return { offset: info.baseOffset + offsetDelta, timestamp: info.baseTimestamp + tsDelta };
      pos = start + length;
    }
  } catch {
    return whole;
  }
  return whole;
}
