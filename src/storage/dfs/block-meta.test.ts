import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BYTES_PER_CHECKSUM, checksumChunks, metaHeader, parseMeta, verifyChunks } from './block-meta.js';

function sumsOf(data: Buffer): Buffer {
  const sums = Buffer.alloc(Math.ceil(data.length / BYTES_PER_CHECKSUM) * 4);
  checksumChunks(data, sums, 0);
  return sums;
}

describe('block .meta checksums', () => {
  it('accepts intact data of any length and offset, in bulk and chunk by chunk', () => {
    for (const n of [0, 1, 511, 512, 513, 1024, 5000, 65536, 100_000]) {
      const data = randomBytes(n);
      const sums = sumsOf(data);
      expect(verifyChunks(data, sums, 0)).toBe(-1);
      // A read that starts at chunk 3 of the block checks against the right slice of checksums.
      if (n > 4 * BYTES_PER_CHECKSUM) expect(verifyChunks(data.subarray(3 * BYTES_PER_CHECKSUM), sums, 3)).toBe(-1);
    }
  });

  it('names the first bad chunk for a flipped bit anywhere, and for a damaged checksum', () => {
    const data = randomBytes(20_000);
    const sums = sumsOf(data);
    for (const at of [0, 511, 512, 7777, 19_999]) {
      const bad = Buffer.from(data);
      bad[at]! ^= 0x01;
      expect(verifyChunks(bad, sums, 0)).toBe(Math.floor(at / BYTES_PER_CHECKSUM) * BYTES_PER_CHECKSUM);
    }
    const badSums = Buffer.from(sums);
    badSums[4 * 10]! ^= 0x80;
    expect(verifyChunks(data, badSums, 0)).toBe(10 * BYTES_PER_CHECKSUM);
    expect(verifyChunks(data, sums.subarray(0, 8), 0)).toBe(2 * BYTES_PER_CHECKSUM);
  });

  it('writes and checks the HDFS header: version 1, CRC32C, 512 bytes per checksum', () => {
    const h = metaHeader();
    expect([...h]).toEqual([0, 1, 2, 0, 0, 2, 0]);
    expect(parseMeta(Buffer.concat([h, Buffer.alloc(8)]), 'm').length).toBe(8);
    expect(() => parseMeta(Buffer.from([0, 1, 1, 0, 0, 2, 0]), 'blk_1.meta')).toThrow(/damaged checksum header/);
  });
});
