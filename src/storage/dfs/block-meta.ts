import { EddyError } from '../../common/errors.js';
import { crc32c } from '../../common/checksum.js';

/**
 * A block's `.meta` file, laid out as HDFS's BlockMetadataHeader: version (u16 BE, 1), checksum type (u8, 2 =
 * CRC32C), bytes per checksum (u32 BE, 512), then one CRC32C (u32 BE) per 512-byte chunk of the block.
 */
export const BYTES_PER_CHECKSUM = 512;
export const META_HEADER_BYTES = 7;
const META_VERSION = 1;
const CHECKSUM_CRC32C = 2;

export function metaHeader(): Buffer {
  const h = Buffer.alloc(META_HEADER_BYTES);
  h.writeUInt16BE(META_VERSION, 0);
  h.writeUInt8(CHECKSUM_CRC32C, 2);
  h.writeUInt32BE(BYTES_PER_CHECKSUM, 3);
  return h;
}

/** Checks the header and returns the checksum array of a whole .meta file. */
export function parseMeta(meta: Buffer, what: string): Buffer {
  if (
    meta.length < META_HEADER_BYTES ||
    meta.readUInt16BE(0) !== META_VERSION ||
    meta.readUInt8(2) !== CHECKSUM_CRC32C ||
    meta.readUInt32BE(3) !== BYTES_PER_CHECKSUM ||
    (meta.length - META_HEADER_BYTES) % 4 !== 0
  ) {
    throw new EddyError('CORRUPT_DATA', `${what} has a damaged checksum header`);
  }
  return meta.subarray(META_HEADER_BYTES);
}

/** Appends the CRC32C of each 512-byte chunk of `data` (the last may be short) to `out` at chunk index `first`. */
export function checksumChunks(data: Uint8Array, out: Buffer, first: number): void {
  for (let off = 0, k = first; off < data.length; off += BYTES_PER_CHECKSUM, k++) {
    out.writeUInt32BE(crc32c(data.subarray(off, off + BYTES_PER_CHECKSUM)), k * 4);
  }
}

/**
 * CRC combination (as zlib's crc32_combine): crc(A‖B) = shift_|B|(crc(A)) ⊕ crc(B), where shift_n is linear over
 * GF(2). For |B| = 512 it is tabulated once, byte by byte, from the native CRC itself:
 * shift(x) = crc32c(512 zero bytes, x) ⊕ crc32c(512 zero bytes, 0).
 */
const SHIFT = ((): Uint32Array[] => {
  const zeros = new Uint8Array(BYTES_PER_CHECKSUM);
  const base = crc32c(zeros, 0);
  const tables = [0, 1, 2, 3].map(() => new Uint32Array(256));
  for (let j = 0; j < 4; j++) {
    for (let b = 0; b < 256; b++) tables[j]![b] = (crc32c(zeros, (b << (8 * j)) >>> 0) ^ base) >>> 0;
  }
  return tables;
})();

function shift512(x: number): number {
  return (
    (SHIFT[0]![x & 0xff]! ^ SHIFT[1]![(x >>> 8) & 0xff]! ^ SHIFT[2]![(x >>> 16) & 0xff]! ^ SHIFT[3]![x >>> 24]!) >>> 0
  );
}

/**
 * Verifies `data`, which starts at chunk `firstChunk` of the block, against the stored checksums. Returns the
 * byte offset (within `data`) of the first bad chunk, or -1 if all match.
 *
 * The full chunks are checked together: the stored per-chunk CRCs are combined into the CRC the whole run must
 * have, and compared with one native CRC of the run, which is several times faster than a native call per
 * 512 bytes. Only on a mismatch are the chunks checked one by one, to name the bad one.
 */
export function verifyChunks(data: Uint8Array, sums: Buffer, firstChunk: number): number {
  const chunks = Math.ceil(data.length / BYTES_PER_CHECKSUM);
  if ((firstChunk + chunks) * 4 > sums.length) return oneByOne(data, sums, firstChunk);
  const full = Math.floor(data.length / BYTES_PER_CHECKSUM);
  if (full > 1) {
    let combined = 0;
    for (let i = 0; i < full; i++) combined = (shift512(combined) ^ sums.readUInt32BE((firstChunk + i) * 4)) >>> 0;
    if (combined !== crc32c(data.subarray(0, full * BYTES_PER_CHECKSUM))) return oneByOne(data, sums, firstChunk);
    if (full === chunks) return -1;
    const tail = full * BYTES_PER_CHECKSUM;
    return crc32c(data.subarray(tail)) === sums.readUInt32BE((firstChunk + full) * 4) ? -1 : tail;
  }
  return oneByOne(data, sums, firstChunk);
}

function oneByOne(data: Uint8Array, sums: Buffer, firstChunk: number): number {
  for (let off = 0, k = firstChunk; off < data.length; off += BYTES_PER_CHECKSUM, k++) {
    if (k * 4 + 4 > sums.length) return off;
    if (crc32c(data.subarray(off, off + BYTES_PER_CHECKSUM)) !== sums.readUInt32BE(k * 4)) return off;
  }
  return -1;
}
