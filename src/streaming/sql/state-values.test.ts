import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, stateJson } from './state-values.js';

describe('state values', () => {
  it('stateJson writes exactly JSON.stringify(encodeValue(v)), so state keys stay those of older checkpoints', () => {
    const values: unknown[] = [
      'w1',
      'quote " and \\ and \n',
      0,
      -0,
      1.5,
      -1e300,
      NaN,
      Infinity,
      -Infinity,
      12345678901234567890n,
      -1n,
      true,
      false,
      null,
      [],
      ['a', 1, 2n, null, [NaN]],
      { start: 1_795_510_800_000, end: 1_795_510_820_000 },
      [{ start: 0, end: 10 }, 'word'],
      new Uint8Array([1, 2, 255]),
    ];
    for (const v of values) {
      expect(stateJson(v)).toBe(JSON.stringify(encodeValue(v)));
      // -0 comes back as 0, as Spark groups them (normalized floating-point keys).
      if (!Object.is(v, -0)) expect(decodeValue(JSON.parse(stateJson(v)))).toEqual(v);
    }
  });
});
