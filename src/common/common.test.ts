import { describe, expect, it } from 'vitest';
import { EddyError, isEddyError, toEddyError } from './errors.js';
import { formatDuration, parseDuration } from './duration.js';
import { formatSize, parseSize } from './size.js';
import { crc32c } from './checksum.js';

describe('errors', () => {
  it('carries code, retriability and cause', () => {
    const cause = new Error('disk gone');
    const e = new EddyError('IO_ERROR', 'writing /x failed', { cause });
    expect(e.code).toBe('IO_ERROR');
    expect(e.retriable).toBe(true);
    expect(e.cause).toBe(cause);
    expect(isEddyError(e, 'IO_ERROR')).toBe(true);
    expect(isEddyError(e, 'NOT_FOUND')).toBe(false);
    expect(new EddyError('NOT_FOUND', 'x').retriable).toBe(false);
    expect(new EddyError('NOT_FOUND', 'x', { retriable: true }).retriable).toBe(true);
  });
  it('wraps foreign errors and keeps EddyErrors as they are', () => {
    const wrapped = toEddyError(new TypeError('boom'), 'INTERNAL', 'while testing');
    expect(wrapped.message).toBe('while testing: boom');
    expect(wrapped.cause).toBeInstanceOf(TypeError);
    const own = new EddyError('CLOSED', 'closed');
    expect(toEddyError(own, 'INTERNAL', 'ctx')).toBe(own);
  });
});

describe('parseDuration', () => {
  it.each([
    ['15 seconds', 15_000],
    ['20 s', 20_000],
    ['1 minute', 60_000],
    ['500 ms', 500],
    ['1 hour 30 minutes', 5_400_000],
    ['interval 10 seconds', 10_000],
    ['2 DAYS', 172_800_000],
    ['1.5 seconds', 1500],
    ['0 seconds', 0],
    ['250', 250],
  ])('%s', (s, ms) => expect(parseDuration(s)).toBe(ms));
  it('accepts numbers as milliseconds', () => expect(parseDuration(42)).toBe(42));
  it.each(['', 'soon', '10 parsecs', '-5 seconds', '10 seconds and'])('rejects %j naming it', (s) => {
    expect(() => parseDuration(s, 'trigger interval')).toThrowError(/trigger interval/);
    try {
      parseDuration(s);
    } catch (e) {
      expect(isEddyError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toContain(JSON.stringify(s));
    }
  });
  it('formats back to what it parses', () => {
    for (const ms of [0, 500, 1000, 90_000, 3_600_000, 86_400_000, 1234]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('parseSize', () => {
  it.each([
    ['128m', 128 * 1024 ** 2],
    ['64 KiB', 65536],
    ['1g', 1024 ** 3],
    ['1048576', 1048576],
    ['1.5k', 1536],
  ])('%s', (s, n) => expect(parseSize(s)).toBe(n));
  it('rejects junk naming it', () => expect(() => parseSize('lots', 'block size')).toThrowError(/block size "lots"/));
  it('formats as hadoop -du -h', () => {
    expect(formatSize(512)).toBe('512');
    expect(formatSize(1536)).toBe('1.5 K');
    expect(formatSize(128 * 1024 ** 2)).toBe('128.0 M');
  });
});

describe('crc32c', () => {
  it('has the standard check value', () => expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283));
  it('continues a running checksum', () => {
    expect(crc32c(Buffer.from('56789'), crc32c(Buffer.from('1234')))).toBe(0xe3069283);
  });
});
