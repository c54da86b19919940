/**
 * Spark's ParamValidators: each returns a predicate plus a human description of the allowed values, so that a
 * rejected value can be reported together with what would have been accepted.
 */
export interface ParamValidator<T> {
  (value: T): boolean;
  /** e.g. "in range [0, 30]"; used in error messages. */
  readonly description: string;
}

function validator<T>(description: string, test: (value: T) => boolean): ParamValidator<T> {
  return Object.assign((value: T) => test(value), { description });
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && !Number.isNaN(v);
}

export const ParamValidators = {
  alwaysTrue<T>(): ParamValidator<T> {
    return validator('any value', () => true);
  },
  gt(lowerBound: number): ParamValidator<number> {
    return validator(`> ${lowerBound}`, (v) => isNumber(v) && v > lowerBound);
  },
  gtEq(lowerBound: number): ParamValidator<number> {
    return validator(`>= ${lowerBound}`, (v) => isNumber(v) && v >= lowerBound);
  },
  lt(upperBound: number): ParamValidator<number> {
    return validator(`< ${upperBound}`, (v) => isNumber(v) && v < upperBound);
  },
  ltEq(upperBound: number): ParamValidator<number> {
    return validator(`<= ${upperBound}`, (v) => isNumber(v) && v <= upperBound);
  },
  inRange(
    lowerBound: number,
    upperBound: number,
    lowerInclusive = true,
    upperInclusive = true,
  ): ParamValidator<number> {
    const lo = lowerInclusive ? '[' : '(';
    const hi = upperInclusive ? ']' : ')';
    return validator(
      `in range ${lo}${lowerBound}, ${upperBound}${hi}`,
      (v) =>
        isNumber(v) &&
        (lowerInclusive ? v >= lowerBound : v > lowerBound) &&
        (upperInclusive ? v <= upperBound : v < upperBound),
    );
  },
  inArray<T>(allowed: readonly T[]): ParamValidator<T> {
    return validator(`one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, (v) => allowed.includes(v));
  },
  /** Integers only (Spark's IntParam is typed; here the type check is a validator). */
  integer(inner: ParamValidator<number>): ParamValidator<number> {
    return validator(`an integer ${inner.description}`, (v) => Number.isInteger(v) && inner(v));
  },
  /** Spark's checkpointInterval rule: -1 (disabled) or >= 1. */
  checkpointInterval(): ParamValidator<number> {
    return validator('-1 or an integer >= 1', (v) => v === -1 || (Number.isInteger(v) && v >= 1));
  },
  /** A non-empty string. */
  nonEmptyString(): ParamValidator<string> {
    return validator('a non-empty string', (v) => typeof v === 'string' && v.length > 0);
  },
  string(): ParamValidator<string> {
    return validator('a string', (v) => typeof v === 'string');
  },
  boolean(): ParamValidator<boolean> {
    return validator('true or false', (v) => typeof v === 'boolean');
  },
  /** An array of strings (column names, labels); non-empty when `nonEmpty`. */
  stringArray(nonEmpty = true): ParamValidator<string[]> {
    return validator(
      `${nonEmpty ? 'a non-empty' : 'an'} array of strings`,
      (v) => Array.isArray(v) && (!nonEmpty || v.length > 0) && v.every((x) => typeof x === 'string'),
    );
  },
  /** Every element passes `each`, and the array is non-empty when `nonEmpty`. */
  arrayOf(each: ParamValidator<number>, nonEmpty = true): ParamValidator<number[]> {
    return validator(
      `${nonEmpty ? 'a non-empty' : 'an'} array of numbers ${each.description}`,
      (v) => Array.isArray(v) && (!nonEmpty || v.length > 0) && v.every((x) => each(x)),
    );
  },
};
