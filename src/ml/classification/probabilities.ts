import { EddyError, describeValue } from '../../common/errors.js';

/** Normalizes class weights to probabilities (all zeros stay zeros), as Spark's normalizeToProbabilitiesInPlace. */
export function rawToProbabilityInPlace(raw: Float64Array): Float64Array {
  let sum = 0;
  for (const v of raw) sum += v;
  if (sum > 0) for (let i = 0; i < raw.length; i++) raw[i] = raw[i]! / sum;
  return raw;
}

/** Index of the largest value, the first on ties. */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** Spark's probability2prediction with thresholds: the class with the largest p / t (t = 0 wins outright). */
export function probabilityToPrediction(probability: Float64Array, thresholds: readonly number[], uid: string): number {
  if (thresholds.length !== probability.length) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${uid} thresholds ${describeValue(thresholds)} has ${thresholds.length} values but the model has ${probability.length} classes; give one threshold per class`,
    );
  }
  const scaled = Float64Array.from(probability, (p, i) => (thresholds[i] === 0 ? Infinity : p / thresholds[i]!));
  return argmax(scaled);
}
