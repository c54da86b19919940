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
 * Verifies `data`, which starts at chunk `firstChunk` of the block, against the stored checksums. Returns the
 * byte offset (within `data`) of the first bad chunk, or -1 if all match.
 */
export function verifyChunks(data: Uint8Array, sums: Buffer, firstChunk: number): number {
  for (let off = 0, k = firstChunk; off < data.length; off += BYTES_PER_CHECKSUM, k++) {
    if (k * 4 + 4 > sums.length) return off;
    if (crc32c(data.subarray(off, off + BYTES_PER_CHECKSUM)) !== sums.readUInt32BE(k * 4)) return off;
  }
  return -1;
}
