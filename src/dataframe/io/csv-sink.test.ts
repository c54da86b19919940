import { describe, expect, it } from 'vitest';
import { seededRandom } from '../plan.js';
import { BooleanType, DoubleType, IntegerType, StringType } from '../types.js';
import { SinkColumn } from './csv-sink.js';

describe('CSV sink fast number parsing', () => {
  it('gives exactly Number(text) for doubles, and falls back for anything unusual', () => {
    const rnd = seededRandom(5);
    const texts = [
      '0',
      '-0',
      '1.',
      '0.1',
      '-12.5',
      '123456789012345',
      '1234567890123456',
      '9007199254740993',
      '1e3',
      '.5',
      'NaN',
      '-Infinity',
      '3.14159265358979',
      '0.000000000000001',
    ];
    for (let i = 0; i < 5000; i++)
      texts.push((rnd() * 10 ** Math.floor(rnd() * 12) * (rnd() < 0.5 ? -1 : 1)).toFixed(Math.floor(rnd() * 8)));
    const c = new SinkColumn(DoubleType, texts.length);
    const line = texts.join(',');
    let a = 0;
    texts.forEach((t, r) => {
      expect(c.putRange(line, a, a + t.length, r)).toBe(true);
      a += t.length + 1;
    });
    const col = c.finish(texts.length);
    texts.forEach((t, r) => expect(Object.is(col.get(r), Number(t)), t).toBe(true));
  });

  it('reads ints in place and refuses what is not an int', () => {
    const c = new SinkColumn(IntegerType, 4);
    expect(c.putRange('-42', 0, 3, 0)).toBe(true);
    expect(c.putRange('2147483647', 0, 10, 1)).toBe(true);
    expect(c.putRange('2147483648', 0, 10, 2)).toBe(false);
    expect(c.putRange('1.5', 0, 3, 3)).toBe(false);
    const col = c.finish(4);
    expect([col.get(0), col.get(1), col.get(2), col.get(3)]).toEqual([-42, 2147483647, null, null]);
  });

  it('reuses repeated strings and still reads every distinct one right, past the intern table', () => {
    const texts = Array.from({ length: 12000 }, (_, i) =>
      i % 3 === 0 ? `cat${i % 5}` : `v${i}-${'x'.repeat(i % 40)}`,
    );
    const line = texts.join(',');
    const c = new SinkColumn(StringType, texts.length);
    let a = 0;
    texts.forEach((t, r) => {
      c.putRange(line, a, a + t.length, r);
      a += t.length + 1;
    });
    const col = c.finish(texts.length);
    texts.forEach((t, r) => expect(col.get(r)).toBe(t));
  });

  it('reads true/false in place and sends anything else through the full rules', () => {
    const c = new SinkColumn(BooleanType, 3);
    expect(c.putRange('true', 0, 4, 0)).toBe(true);
    expect(c.putRange('FALSE', 0, 5, 1)).toBe(true);
    expect(c.putRange('yes', 0, 3, 2)).toBe(false);
    const col = c.finish(3);
    expect([col.get(0), col.get(1), col.get(2)]).toEqual([true, false, null]);
  });
});
