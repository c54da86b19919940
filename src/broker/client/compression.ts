import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import type * as Lz4 from 'lz4js';
import type * as Xxh32 from 'lz4js/xxh32.js';
import * as snappy from 'snappyjs';
import { EddyError } from '../../common/errors.js';

// lz4js allocates a 5 MiB scratch block when loaded: load it on the first lz4 batch, not with every client.
const require = createRequire(import.meta.url);
let lz4Module: { lz4: typeof Lz4; xxh32: typeof Xxh32.hash } | null = null;
function lz4js(): { lz4: typeof Lz4; xxh32: typeof Xxh32.hash } {
  lz4Module ??= {
    lz4: require('lz4js') as typeof Lz4,
    xxh32: (require('lz4js/xxh32.js') as typeof Xxh32).hash,
  };
  return lz4Module;
}

/**
 * The record-batch codecs (attributes bits 0-2): gzip from node:zlib; snappy, lz4 and zstd from pure-JavaScript
 * packages, so nothing native or downloaded is needed. What each peer writes:
 * - snappy: Java (and kafkajs's snappy codec) use xerial's framing (a magic header, then length-prefixed snappy
 *   blocks); librdkafka writes it too but reads raw snappy as well. Both are read here; writing uses xerial.
 * - lz4: the LZ4 frame format (magic 0x184D2204), with a correct header checksum from magic v1 on (KAFKA-3160).
 * - zstd: a zstd frame; decompression only (no pure-JS compressor is worth its cost here).
 */

export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const COMPRESSION_CODES: Readonly<Record<CompressionType, number>> = {
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
};

const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

export function compressionName(codec: number): string {
  return NAMES[codec] ?? `codec ${codec}`;
}

export function parseCompressionType(text: string): CompressionType {
  const t = text.trim().toLowerCase();
  if (t in COMPRESSION_CODES) return t as CompressionType;
  throw new EddyError(
    'INVALID_ARGUMENT',
    `compression.type ${JSON.stringify(text)} is not one of none, gzip, snappy, lz4 (zstd is read but not written)`,
  );
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = 16; // magic (8) + version (4) + compatible version (4)
const XERIAL_BLOCK = 32 * 1024; // what Java's SnappyOutputStream uses

function asBuffer(u: Uint8Array | number[]): Buffer {
  if (Buffer.isBuffer(u)) return u;
  if (u instanceof Uint8Array) return Buffer.from(u.buffer, u.byteOffset, u.length);
  return Buffer.from(u);
}

function snappyDecompress(data: Buffer): Buffer {
  if (data.length < XERIAL_HEADER || !data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    return asBuffer(snappy.uncompress(data));
  }
  const parts: Buffer[] = [];
  let pos = XERIAL_HEADER;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new RangeError(`xerial snappy block length cut at byte ${pos}`);
    const n = data.readInt32BE(pos);
    pos += 4;
    if (n < 0 || pos + n > data.length) throw new RangeError(`xerial snappy block of ${n} bytes runs past the data`);
    parts.push(asBuffer(snappy.uncompress(data.subarray(pos, pos + n))));
    pos += n;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function snappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])];
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK) {
    const block = asBuffer(snappy.compress(data.subarray(pos, Math.min(data.length, pos + XERIAL_BLOCK))));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

/**
 * lz4js compresses to one 4 MiB block per frame for inputs that size (batches are at most a few MiB), so its
 * blocks are independent; it leaves the block-independence flag unset, which Java's reader requires, so the
 * flag is set here and the descriptor checksum recomputed.
 */
function lz4Compress(data: Buffer): Buffer {
  if (data.length > 4 * 1024 * 1024) {
    throw new EddyError('INVALID_ARGUMENT', `lz4: a batch of ${data.length} bytes is over 4 MiB; send smaller batches`);
  }
  const { lz4, xxh32 } = lz4js();
  const out = asBuffer(lz4.compress(data));
  out[4] = out[4]! | 0x20;
  out[6] = (xxh32(0, out, 4, 2) >> 8) & 0xff;
  return out;
}

/** Decompresses the records section of a batch. CORRUPT_DATA names the codec when the bytes do not decode. */
export function decompress(codec: number, data: Buffer): Buffer {
  try {
    switch (codec) {
      case 0:
        return data;
      case 1:
        return gunzipSync(data);
      case 2:
        return snappyDecompress(data);
      case 3:
        return asBuffer(lz4js().lz4.decompress(data));
      case 4:
        return asBuffer(zstdDecompress(data));
    }
  } catch (e) {
    throw new EddyError(
      'CORRUPT_DATA',
      `a ${compressionName(codec)} record batch does not decompress: ${(e as Error).message}`,
      { cause: e },
    );
  }
  throw new EddyError('UNSUPPORTED', `record batch compression codec ${codec} is unknown (0-4 are defined)`);
}

export function compress(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data);
    case 'snappy':
      return snappyCompress(data);
    case 'lz4':
      return lz4Compress(data);
    case 'zstd':
      throw new EddyError(
        'UNSUPPORTED',
        'zstd compression on produce is not supported (zstd batches are read); use gzip, snappy or lz4',
      );
  }
}
