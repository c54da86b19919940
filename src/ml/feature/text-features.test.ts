import { describe, expect, it } from 'vitest';
import { createDataFrame, type DataFrameEnv } from '../../index.js';
import { FileSystemRegistry } from '../../storage/registry.js';
import { murmur3x86_32 } from './murmur3.js';
import { HashingTF, Tokenizer } from './text-features.js';

const registry = new FileSystemRegistry();
const env: DataFrameEnv = { resolvePath: (p) => registry.resolve(p) };
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('murmur3x86_32', () => {
  it('matches the reference MurmurHash3 test vectors', () => {
    expect(murmur3x86_32(utf8(''), 0)).toBe(0);
    expect(murmur3x86_32(utf8(''), 1)).toBe(0x514e28b7);
    expect(murmur3x86_32(utf8('hello'), 0) >>> 0).toBe(0x248bfa47);
    expect(murmur3x86_32(utf8('The quick brown fox jumps over the lazy dog'), 0) >>> 0).toBe(0x2e4ff723);
  });
});

describe('Tokenizer and HashingTF', () => {
  it('tokenizes as Java split on \\s, lower-cased', async () => {
    const df = createDataFrame(env, [['Hello  World '], [null]], 's STRING');
    const out = await new Tokenizer({ inputCol: 's', outputCol: 'w' }).transform(df).collect();
    expect(out.map((r) => r.w)).toEqual([['hello', '', 'world'], null]);
  });

  it("hashes terms to Spark's indices (pyspark's HashingTF example: a, b, c in 10 features → 5, 7, 8)", async () => {
    const df = createDataFrame(env, [[['a', 'b', 'c']], [['a', 'a', 'b']]], 'words ARRAY<STRING>');
    const tf = new HashingTF({ inputCol: 'words', outputCol: 'f', numFeatures: 10 });
    const out = await tf.transform(df).collect();
    expect(String(out[0]!.f)).toBe('(10,[5,7,8],[1.0,1.0,1.0])');
    // a → 7 (twice), b → 5.
    expect(String(out[1]!.f)).toBe('(10,[5,7],[1.0,2.0])');
    tf.set(tf.binary, true);
    expect(String((await tf.transform(df).collect())[1]!.f)).toBe('(10,[5,7],[1.0,1.0])');
    expect(() => new HashingTF({ numFeatures: 0 })).toThrow(/numFeatures given invalid value 0/);
    expect(() =>
      new HashingTF({ inputCol: 'words' }).transformSchema(createDataFrame(env, [['x']], 'words STRING').schema),
    ).toThrow(/input column 'words' \(inputCol\) has type string but must be array/);
  });
});
