import { parseDuration } from '../common/duration.js';
import { EddyError, describeValue } from '../common/errors.js';

/**
 * Triggers as Spark's: `{ processingTime: '15 seconds' }` runs a micro-batch every interval (aligned to multiples
 * of it; a batch that overruns is followed at once by the next); `{ once: true }` runs one batch and stops;
 * `{ availableNow: true }` processes everything available at start, in as many batches as the sources' limits
 * ask, and stops; no trigger means as fast as possible (processingTime 0).
 */
export type TriggerSpec = { processingTime: string | number } | { once: true } | { availableNow: true };

export type Trigger = { kind: 'processingTime'; intervalMs: number } | { kind: 'once' } | { kind: 'availableNow' };

export function parseTrigger(spec: TriggerSpec | undefined): Trigger {
  if (spec === undefined) return { kind: 'processingTime', intervalMs: 0 };
  const keys = Object.keys(spec);
  if (keys.length !== 1) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `trigger ${describeValue(spec)} must have exactly one of processingTime, once, availableNow; ` +
        `e.g. { processingTime: '15 seconds' }`,
    );
  }
  if ('processingTime' in spec)
    return { kind: 'processingTime', intervalMs: parseDuration(spec.processingTime, 'trigger processingTime') };
  if ('once' in spec && spec.once === true) return { kind: 'once' };
  if ('availableNow' in spec && spec.availableNow === true) return { kind: 'availableNow' };
  throw new EddyError(
    'INVALID_ARGUMENT',
    `trigger ${describeValue(spec)} is not one of { processingTime: '<duration>' }, { once: true }, { availableNow: true }`,
  );
}

/** When the batch after one that started at `startMs` may start, for a processing-time interval (Spark's rule). */
export function nextBatchTime(nowMs: number, intervalMs: number): number {
  if (intervalMs === 0) return nowMs;
  return Math.floor(nowMs / intervalMs) * intervalMs + intervalMs;
}

export function describeTrigger(t: Trigger): string {
  switch (t.kind) {
    case 'processingTime':
      return t.intervalMs === 0 ? 'ProcessingTime(0)' : `ProcessingTime(${t.intervalMs} ms)`;
    case 'once':
      return 'Once';
    case 'availableNow':
      return 'AvailableNow';
  }
}
