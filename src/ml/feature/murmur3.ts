/**
 * MurmurHash3 x86 32-bit of a byte string, as Spark's Murmur3_x86_32.hashUnsafeBytes2 (what HashingTF and
 * FeatureHasher use since Spark 3.0), so hashed feature indices match Spark's.
 */
export function murmur3x86_32(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const mixK1 = (k: number): number => Math.imul((Math.imul(k, c1) << 15) | (Math.imul(k, c1) >>> 17), c2);
  let h1 = seed | 0;
  const aligned = bytes.length - (bytes.length % 4);
  for (let i = 0; i < aligned; i += 4) {
    const k1 = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h1 ^= mixK1(k1);
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  let k1 = 0;
  for (let i = aligned, shift = 0; i < bytes.length; i++, shift += 8) k1 ^= bytes[i]! << shift;
  h1 ^= mixK1(k1);
  h1 ^= bytes.length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 | 0;
}
