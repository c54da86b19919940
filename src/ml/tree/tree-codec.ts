import { crc32c } from '../../common/checksum.js';
import { EddyError } from '../../common/errors.js';
import { FlatTree, type FlatTreeArrays } from './flat-tree.js';

/*
 * data/trees.bin: "EDDYTREE", u32 version, u32 numClasses, u32 numTrees; per tree u32 numNodes then the arrays
 * feature, left, right (i32) and threshold, prediction, impurity, gain, rawCount, stats (f64), little-endian;
 * version 2 adds per tree, after stats, a u32 count of categorical bytes m (0: no categorical split) and when m > 0
 * the arrays arity and offset (i32 per node) and m mask bytes; then a u32 CRC32C of everything before it. Binary
 * keeps a 20-tree forest small and exact (no decimal round-trip of thresholds). Version 1 files still load.
 */
const MAGIC = 'EDDYTREE';
const VERSION = 2;

export function encodeTrees(trees: readonly FlatTree[], numClasses: number): Uint8Array {
  const statsSize = numClasses > 0 ? numClasses : 3;
  let size = 8 + 12;
  for (const t of trees) {
    size += 4 + t.numNodes * (12 + 40 + 8 * statsSize) + 4;
    const cat = t.arrays.categorical;
    if (cat !== undefined) size += t.numNodes * 8 + cat.mask.length;
  }
  size += 4;
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  buf.set(new TextEncoder().encode(MAGIC), 0);
  let o = 8;
  const u32 = (v: number): void => {
    view.setUint32(o, v, true);
    o += 4;
  };
  u32(VERSION);
  u32(numClasses);
  u32(trees.length);
  for (const t of trees) {
    const a = t.arrays;
    u32(t.numNodes);
    for (const arr of [a.feature, a.left, a.right]) {
      for (const v of arr) {
        view.setInt32(o, v, true);
        o += 4;
      }
    }
    for (const arr of [a.threshold, a.prediction, a.impurity, a.gain, a.rawCount, a.stats]) {
      for (const v of arr) {
        view.setFloat64(o, v, true);
        o += 8;
      }
    }
    const cat = a.categorical;
    // A tree whose mask is empty still needs its marker; an empty mask cannot occur (arity >= 2 per split).
    u32(cat === undefined ? 0 : cat.mask.length);
    if (cat !== undefined) {
      for (const arr of [cat.arity, cat.offset]) {
        for (const v of arr) {
          view.setInt32(o, v, true);
          o += 4;
        }
      }
      buf.set(cat.mask, o);
      o += cat.mask.length;
    }
  }
  view.setUint32(o, crc32c(buf.subarray(0, o)), true);
  return buf;
}

export function decodeTrees(bytes: Uint8Array, where: string): { trees: FlatTree[]; numClasses: number } {
  const corrupt = (why: string): never => {
    throw new EddyError(
      'CORRUPT_DATA',
      `cannot load the model: ${where} ${why}; the file is damaged, re-save the model`,
    );
  };
  if (bytes.length < 24 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    corrupt('is not an Eddy tree file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (view.getUint32(end, true) !== crc32c(bytes.subarray(0, end))) corrupt('fails its CRC32C check (truncated?)');
  let o = 8;
  const u32 = (): number => {
    if (o + 4 > end) corrupt('ends early');
    const v = view.getUint32(o, true);
    o += 4;
    return v;
  };
  const version = u32();
  if (version !== 1 && version !== VERSION) {
    throw new EddyError(
      'UNSUPPORTED',
      `cannot load the model: ${where} has tree format version ${version}, this Eddy reads 1 to ${VERSION}`,
    );
  }
  const numClasses = u32();
  const numTrees = u32();
  const statsSize = numClasses > 0 ? numClasses : 3;
  const trees: FlatTree[] = [];
  for (let t = 0; t < numTrees; t++) {
    const n = u32();
    if (o + n * (12 + 40 + 8 * statsSize) > end) corrupt('ends early');
    const ints = (): Int32Array => {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++, o += 4) a[i] = view.getInt32(o, true);
      return a;
    };
    const doubles = (count: number): Float64Array => {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++, o += 8) a[i] = view.getFloat64(o, true);
      return a;
    };
    const feature = ints();
    const left = ints();
    const right = ints();
    const arrays: FlatTreeArrays = {
      feature,
      left,
      right,
      threshold: doubles(n),
      prediction: doubles(n),
      impurity: doubles(n),
      gain: doubles(n),
      rawCount: doubles(n),
      stats: doubles(n * statsSize),
    };
    const maskBytes = version >= 2 ? u32() : 0;
    if (maskBytes > 0) {
      if (o + n * 8 + maskBytes > end) corrupt('ends early');
      const arity = ints();
      const offset = ints();
      arrays.categorical = { arity, offset, mask: bytes.slice(o, o + maskBytes) };
      o += maskBytes;
    }
    trees.push(new FlatTree(arrays, numClasses));
  }
  if (o !== end) corrupt('has trailing bytes');
  return { trees, numClasses };
}
