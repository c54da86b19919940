import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as snappy from 'snappyjs';
import { crc32c } from '../../common/checksum.js';
import { isEddyError } from '../../common/errors.js';
import { compress, decompress, parseCompressionType } from './compression.js';
import { murmur2, partitionForKey } from './partitioner.js';
import { decodeRecordBatches } from './record-decoder.js';
import { encodeRecordBatches } from './record-encoder.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (k: Buffer) => number;

const text = (b: Buffer | null | undefined): string | null => (b ? b.toString('utf8') : null);

describe('murmur2 partitioner', () => {
  it("matches Kafka's Utils.murmur2 test vectors", () => {
    // From apache/kafka UtilsTest.testMurmur2.
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [k, h] of cases) expect(murmur2(Buffer.from(k))).toBe(h);
  });

  it("agrees with kafkajs's DefaultPartitioner hash on every length mod 4 and on non-ASCII keys", () => {
    for (let n = 0; n < 40; n++) {
      const key = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n * 11) & 0xff));
      expect(murmur2(key)).toBe(kafkajsMurmur2(key));
    }
    expect(murmur2(Buffer.from('clé-日本'))).toBe(kafkajsMurmur2(Buffer.from('clé-日本')));
    expect(partitionForKey('abc', 7)).toBe((479470107 & 0x7fffffff) % 7);
  });
});

describe('compression', () => {
  const data = Buffer.from('hello kafka '.repeat(5000));

  it('round-trips gzip, snappy (xerial) and lz4', () => {
    for (const t of ['gzip', 'snappy', 'lz4'] as const) {
      const c = compress(t, data);
      expect(c.length).toBeLessThan(data.length / 4);
      expect(decompress({ gzip: 1, snappy: 2, lz4: 3 }[t], c).equals(data)).toBe(true);
    }
  });

  it('reads raw (unframed) snappy as librdkafka may send it', () => {
    const raw = Buffer.from(snappy.compress(data));
    expect(decompress(2, raw).equals(data)).toBe(true);
  });

  it('names the codec when bytes do not decompress, and refuses unknown types', () => {
    const e = (() => {
      try {
        decompress(1, Buffer.from('not gzip'));
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(isEddyError(e, 'CORRUPT_DATA')).toBe(true);
    expect((e as Error).message).toMatch(/gzip record batch does not decompress/);
    expect(() => parseCompressionType('brotli')).toThrow(/brotli.*none, gzip, snappy, lz4/);
    expect(() => compress('zstd', data)).toThrow(/zstd compression on produce is not supported/);
  });
});

describe('record batches', () => {
  it('round-trip keys, values, nulls, headers, negative and large timestamp deltas', () => {
    const [batch] = encodeRecordBatches(
      [
        {
          key: 'k',
          value: 'v',
          timestamp: 1_000_000,
          headers: [
            ['a', 'x'],
            ['b', null],
          ],
        },
        { key: null, value: null, timestamp: 999_000 },
        { value: Buffer.alloc(300, 7), timestamp: 1_000_000 + 2 ** 40 },
      ],
      { now: 5 },
    );
    const r = decodeRecordBatches(batch!, { fromOffset: 0, where: 't-0' });
    expect(r.count).toBe(3);
    expect([...r.timestamps]).toEqual([1_000_000, 999_000, 1_000_000 + 2 ** 40]);
    expect(r.keys.map(text)).toEqual(['k', null, null]);
    expect(text(r.values[0])).toBe('v');
    expect(r.values[1]).toBeNull();
    expect(r.values[2]!.equals(Buffer.alloc(300, 7))).toBe(true);
    expect(r.headers[0]!.map((h) => [h.key, text(h.value)])).toEqual([
      ['a', 'x'],
      ['b', null],
    ]);
    expect(r.nextOffset).toBe(3);
  });

  it('fails with CORRUPT_DATA when a CRC does not match, unless CRC checks are off', () => {
    const [batch] = encodeRecordBatches([{ value: 'abc' }]);
    batch![batch!.length - 2] = batch![batch!.length - 2]! ^ 0xff;
    expect(() => decodeRecordBatches(batch!, { fromOffset: 0, where: 't-0' })).toThrow(/t-0.*CRC32C/);
    expect(decodeRecordBatches(batch!, { fromOffset: 0, where: 't-0', checkCrcs: false }).count).toBe(1);
  });

  it('skips control batches but moves past their offsets, and leaves a cut-off batch for later', () => {
    const [a] = encodeRecordBatches([{ value: 'a' }]);
    const [ctl] = encodeRecordBatches([{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }]);
    ctl!.writeBigInt64BE(1n, 0);
    ctl!.writeInt16BE(0x20 | 0x10, 21); // control + transactional
    const [c] = encodeRecordBatches([{ value: 'c' }]);
    c!.writeBigInt64BE(2n, 0);
    ctl!.writeUInt32BE(crc32c(ctl!.subarray(21)), 17);
    const all = Buffer.concat([a!, ctl!, c!.subarray(0, c!.length - 3)]);
    const r = decodeRecordBatches(all, { fromOffset: 0, where: 't-0' });
    expect(r.values.map(text)).toEqual(['a']);
    expect(r.nextOffset).toBe(2);
  });

  it('cuts records into several batches at maxBatchBytes', () => {
    const records = Array.from({ length: 100 }, (_, i) => ({ value: 'x'.repeat(90) + i }));
    const batches = encodeRecordBatches(records, { maxBatchBytes: 1000 });
    expect(batches.length).toBeGreaterThan(9);
    for (const b of batches) expect(b.length - 61).toBeLessThanOrEqual(1000);
    let base = 0;
    const got: string[] = [];
    for (const b of batches) {
      b.writeBigInt64BE(BigInt(base), 0);
      const r = decodeRecordBatches(b, { fromOffset: 0, where: 't-0', checkCrcs: true });
      got.push(...r.values.map((v) => text(v)!));
      base = r.nextOffset;
    }
    expect(got).toEqual(records.map((r) => r.value));
  });
});
