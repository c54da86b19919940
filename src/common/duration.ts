import { EddyError, describeValue } from './errors.js';

/**
 * Durations as Spark accepts them in triggers, windows and watermarks: "15 seconds", "20 s", "1 minute",
 * "500 ms", "1 hour 30 minutes", "interval 10 seconds", or a plain number of milliseconds.
 */

const UNIT_MS: Record<string, number> = {};
function unit(ms: number, ...names: string[]): void {
  for (const n of names) UNIT_MS[n] = ms;
}
unit(0.001, 'us', 'usec', 'usecs', 'microsecond', 'microseconds');
unit(1, 'ms', 'msec', 'msecs', 'millisecond', 'milliseconds');
unit(1000, 's', 'sec', 'secs', 'second', 'seconds');
unit(60_000, 'm', 'min', 'mins', 'minute', 'minutes');
unit(3_600_000, 'h', 'hr', 'hrs', 'hour', 'hours');
unit(86_400_000, 'd', 'day', 'days');
unit(7 * 86_400_000, 'w', 'week', 'weeks');

const PART = /(-?\d+(?:\.\d+)?)\s*([a-z]+)/gy;

/** Parses a duration and returns milliseconds. Throws INVALID_ARGUMENT naming the input and the accepted forms. */
export function parseDuration(input: string | number, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${what} ${describeValue(input)} must be a non-negative number of milliseconds`,
      );
    }
    return input;
  }
  let s = input.trim().toLowerCase();
  if (s.startsWith('interval ')) s = s.slice('interval '.length).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  let total = 0;
  let matched = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    while (s[PART.lastIndex] === ' ') PART.lastIndex++;
    if (PART.lastIndex >= s.length) break;
    const start = PART.lastIndex;
    const m = PART.exec(s);
    const ms = m ? UNIT_MS[m[2]!] : undefined;
    if (!m || ms === undefined) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${what} ${describeValue(input)} is not a duration (at ${describeValue(s.slice(start))}); ` +
          `write a number and a unit, e.g. "15 seconds", "500 ms", "1 minute", "2 hours"`,
      );
    }
    total += Number(m[1]) * ms;
    matched++;
  }
  if (matched === 0 || total < 0) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${what} ${describeValue(input)} is not a non-negative duration; write e.g. "15 seconds", "500 ms", "1 minute"`,
    );
  }
  return total;
}

/** Formats milliseconds the way the parser reads them back, choosing the largest exact unit. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'days'],
    [3_600_000, 'hours'],
    [60_000, 'minutes'],
    [1000, 'seconds'],
  ];
  for (const [size, name] of units) {
    if (ms !== 0 && ms % size === 0) return `${ms / size} ${name}`;
  }
  return `${ms} milliseconds`;
}
