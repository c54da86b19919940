import { describe, expect, it } from 'vitest';
import { FlatJsonScanner, parseNumber } from './flat-json.js';
import { seededRandom as mulberry32 } from '../common/random.js';

const num = (s: string) => parseNumber(Buffer.from(s), 0, s.length);

describe('parseNumber', () => {
  it('gives JSON.parse’s double for every JSON number form', () => {
    const fixed = [
      '0',
      '-0',
      '5.1',
      '0.1',
      '0.30000000000000004',
      '123456789012345',
      '1234567890123456789',
      '1e22',
      '1e23',
      '-2.5E-3',
      '4.35',
      '9007199254740993',
      '1.7976931348623157e308',
      '5e-324',
      '1e-400',
      '1E+2',
      '0.000001',
    ];
    for (const s of fixed) expect(Object.is(num(s), JSON.parse(s) as number), s).toBe(true);
    const r = mulberry32(8);
    for (let k = 0; k < 20_000; k++) {
      const digits = 1 + Math.floor(r() * 18);
      let m = String(1 + Math.floor(r() * 9));
      for (let d = 1; d < digits; d++) m += String(Math.floor(r() * 10));
      const dot = Math.floor(r() * (m.length + 1));
      let s =
        (r() < 0.5 ? '-' : '') + (dot === 0 ? '0.' + m : dot === m.length ? m : `${m.slice(0, dot)}.${m.slice(dot)}`);
      if (r() < 0.3) s += `e${Math.floor(r() * 60) - 30}`;
      expect(Object.is(num(s), JSON.parse(s) as number), s).toBe(true);
    }
  });
});

describe('FlatJsonScanner', () => {
  const fields = [
    { name: 'a', type: 'double' as const },
    { name: 'é', type: 'string' as const },
  ];
  const scan = (text: string) => {
    const got: unknown[] = [undefined, undefined];
    const scanner = new FlatJsonScanner(fields, ['prediction']);
    const ok = scanner.scan(Buffer.from(text), (j, v) => (got[j] = v));
    return { ok, got, closeAt: scanner.closeAt };
  };

  it('reads the required fields of a flat object, whatever else it holds', () => {
    const text = ' { "z": true, "a" : -1.25e1 , "é": "naïve", "n": null, "f": false, "s": "x" }\n';
    expect(scan(text)).toEqual({ ok: true, got: [-12.5, 'naïve'], closeAt: Buffer.from(text).lastIndexOf('}') });
    expect(scan('{"a": null, "é": null}')).toMatchObject({ ok: true, got: [null, null] });
  });

  it('reads fields in any order, the last of a repeated one winning as in JSON.parse', () => {
    const scanner = new FlatJsonScanner(fields, ['prediction']);
    for (const text of [
      '{"é": "b", "a": 2}',
      '{"a": 1, "é": "x", "a": 2, "é": "b"}',
      '{"é": "x", "a": 1, "z": 0, "a": 2, "é": "b"}',
      '{"a": 7, "a": 2, "é": "b"}',
    ]) {
      // One scanner for all: what it learned of the field order from one message must not mislead it on the next.
      const got: unknown[] = [];
      expect(
        scanner.scan(Buffer.from(text), (j, v) => (got[j] = v)),
        text,
      ).toBe(true);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect(got, text).toEqual([parsed['a'], parsed['é']]);
    }
  });

  it('declines whatever it does not fully understand, for JSON.parse to judge', () => {
    for (const text of [
      '{"a": 1}', // a field missing
      '{"a": "1", "é": "x"}', // a wrong type
      '{"a": 1, "é": "x", "prediction": 2}', // a forbidden name
      '{"a": 1, "é": "x\\"y"}', // an escape
      '{"a": 1, "é": "x", "o": {"p": 1}}', // a nested object
      '{"a": 1, "é": "x", "l": [1]}', // an array
      '{"a": 01, "é": "x"}', // not JSON
      '{"a": 1, "é": "x",}',
      '{"a": 1, "é": "x"} extra',
      '{"a": 1. , "é": "x"}',
      '{}',
      '[1]',
      '',
    ]) {
      expect(scan(text).ok, text).toBe(false);
    }
  });

  it('agrees with JSON.parse on random flat objects', () => {
    const r = mulberry32(3);
    for (let k = 0; k < 2_000; k++) {
      const obj: Record<string, unknown> = { a: Math.round((r() - 0.5) * 1e6) / 10 ** Math.floor(r() * 8), é: `s${k}` };
      for (let e = 0; e < 3; e++) obj[`x${e}`] = r() < 0.5 ? r() * 100 : `v${e}`;
      const text = JSON.stringify(obj, null, r() < 0.5 ? 1 : 0);
      const { ok, got } = scan(text);
      expect(ok, text).toBe(true);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect(got, text).toEqual([parsed['a'], parsed['é']]);
    }
  });
});
