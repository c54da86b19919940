import { EddyError } from '../common/errors.js';
import { RecordBatch } from './batch.js';
import type { Bound } from './bound.js';
import { StructType } from './types.js';

/** Argument checks shared by the scalar functions, evaluated once at plan time. */

const EMPTY = new RecordBatch(new StructType([]), [], 1);

/** The value of an argument that must be a constant (a pattern, a duration), evaluated once at plan time. */
export function constant(b: Bound, fn: string, what: string): unknown {
  try {
    return b.eval(EMPTY).get(0);
  } catch {
    throw new EddyError(
      'ANALYSIS_ERROR',
      `${fn}(): the ${what} must be a literal, not the column expression '${b.name}'`,
    );
  }
}

export function arity(fn: string, args: Bound[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new EddyError('ANALYSIS_ERROR', `function ${fn}() takes ${want} argument(s) but was given ${args.length}`);
  }
}
