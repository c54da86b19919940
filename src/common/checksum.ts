import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC-32C (Castagnoli), the checksum of Kafka's record batches and of HDFS's block chunks.
 * Backed by a SIMD native module that ships prebuilt in the npm registry; `crc` continues a running checksum.
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  return nativeCrc32c(data as Buffer, crc) >>> 0;
}
