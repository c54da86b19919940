import { parseDuration } from '../common/duration.js';
import { EddyError } from '../common/errors.js';
import { requireType, type Bound } from './bound.js';
import { ColumnVector } from './column-vector.js';
import { arity, constant } from './function-args.js';
import { ArrayType, StructType, TimestampType, type DataType } from './types.js';
import type { RecordBatch } from './batch.js';

/** The struct window() returns: Spark's window column with start (inclusive) and end (exclusive). */
export const WINDOW_TYPE = new StructType([
  { name: 'start', dataType: TimestampType, nullable: true },
  { name: 'end', dataType: TimestampType, nullable: true },
]);

export interface WindowSpec {
  duration: number;
  slide: number;
  start: number;
}

export function windowSpec(args: Bound[], name: string): WindowSpec {
  arity('window', args, 2, 4);
  requireType(name, args[0]!, '1', 'timestamp');
  const d = (i: number, what: string): number => {
    const v = constant(args[i]!, 'window', what);
    return parseDuration(v as string | number, `window ${what}`);
  };
  const duration = d(1, 'duration');
  const slide = args.length > 2 ? d(2, 'slide duration') : duration;
  const start = args.length > 3 ? d(3, 'start time') : 0;
  if (duration <= 0 || slide <= 0 || slide > duration) {
    throw new EddyError(
      'ANALYSIS_ERROR',
      `window(${name}): the slide duration (${slide} ms) must be positive and at most the window duration (${duration} ms)`,
    );
  }
  return { duration, slide, start };
}

/**
 * Window values are shared between the rows that fall in the same window (a batch's rows are mostly in a few
 * windows): one object per distinct window and batch, so grouping on the window hashes each object once. Values
 * in columns are never mutated, which makes the sharing safe.
 */
class WindowCache {
  private readonly byStart = new Map<number, { start: number; end: number }>();
  constructor(private readonly duration: number) {}
  get(start: number): { start: number; end: number } {
    let w = this.byStart.get(start);
    if (w === undefined) this.byStart.set(start, (w = { start, end: start + this.duration }));
    return w;
  }
}

/** The timestamps of a column, with a validity array or null. */
function timestamps(c: ColumnVector): { data: Float64Array; validity: Uint8Array | null } {
  return { data: c.data as Float64Array, validity: c.validity };
}

/**
 * One value per row, made from the start of the slide interval that holds the row's time (null for a null time).
 * Rows come mostly in time order, so a row in the interval of the row before takes that row's value without the
 * modulo — when `reuse` says the value depends on the interval alone.
 */
function bySlideStart(
  time: Bound,
  w: WindowSpec,
  type: DataType,
  batch: RecordBatch,
  reuse: boolean,
  make: (start: number, t: number) => unknown,
): ColumnVector {
  const { data, validity } = timestamps(time.eval(batch));
  const n = batch.numRows;
  const out = new Array<unknown>(n);
  let lastStart = NaN;
  let lastEnd = NaN;
  let last: unknown = null;
  for (let i = 0; i < n; i++) {
    if (validity !== null && validity[i] === 0) {
      out[i] = null;
      continue;
    }
    const t = data[i]!;
    if (!(t >= lastStart && t < lastEnd)) {
      lastStart = t - ((((t - w.start) % w.slide) + w.slide) % w.slide);
      lastEnd = reuse ? lastStart + w.slide : NaN;
      last = make(lastStart, t);
    }
    out[i] = last;
  }
  return new ColumnVector(type, n, out, validity === null ? null : validity.slice(0, n));
}

/** window(t, duration) with slide = duration: the one window holding each row's time. */
export function tumblingWindow(time: Bound, w: WindowSpec, name: string): Bound {
  return {
    type: WINDOW_TYPE,
    nullable: time.nullable,
    name,
    eval(batch) {
      const cache = new WindowCache(w.duration);
      return bySlideStart(time, w, WINDOW_TYPE, batch, true, (start) => cache.get(start));
    },
  };
}

/** The windows of each row's time as an array, latest first (sliding windows, expanded by a generator). */
export function slidingWindows(time: Bound, w: WindowSpec): Bound {
  const type = ArrayType(WINDOW_TYPE);
  return {
    type,
    nullable: time.nullable,
    name: 'windows',
    eval(batch) {
      const cache = new WindowCache(w.duration);
      // Rows of one slide interval share one array of windows (never mutated, like the windows) when the duration
      // is a whole number of slides; otherwise how many windows hold a time varies within an interval.
      return bySlideStart(time, w, type, batch, w.duration % w.slide === 0, (start, t) => {
        const ws: unknown[] = [];
        for (let s = start; s > t - w.duration; s -= w.slide) ws.push(cache.get(s));
        return ws;
      });
    },
  };
}
