import { EddyError } from '../../common/errors.js';

/**
 * One partition of training data as a DataFrame partition hands it over: feature columns (column-major), labels
 * and optional instance weights, all the same length.
 */
export interface TrainingPartition {
  features: Float64Array[];
  labels: Float64Array;
  weights?: Float64Array;
}

export interface TrainingSummary {
  numFeatures: number;
  numRows: number;
  /** max label + 1 for classification, 0 for regression. */
  numClasses: number;
}

/**
 * Checks shape and values before any work starts: same feature count everywhere, equal lengths, finite labels
 * (integral and >= 0 for classification), finite non-negative weights. Errors name the partition and row.
 */
export function checkTrainingData(
  partitions: readonly TrainingPartition[],
  task: 'classification' | 'regression',
  numClassesHint?: number,
): TrainingSummary {
  if (partitions.length === 0) {
    throw new EddyError('INVALID_ARGUMENT', 'training data has no partitions; pass at least one partition of rows');
  }
  const numFeatures = partitions[0]!.features.length;
  if (numFeatures === 0) {
    throw new EddyError('INVALID_ARGUMENT', 'training data has no feature columns; pass at least one feature');
  }
  let numRows = 0;
  let maxLabel = -1;
  partitions.forEach((p, pi) => {
    if (p.features.length !== numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `partition ${pi} has ${p.features.length} feature columns but partition 0 has ${numFeatures}; all partitions must have the same features`,
      );
    }
    const n = p.labels.length;
    p.features.forEach((c, f) => {
      if (c.length !== n) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `partition ${pi}: feature column ${f} has ${c.length} values but there are ${n} labels; columns must have one value per row`,
        );
      }
    });
    if (p.weights !== undefined && p.weights.length !== n) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `partition ${pi}: ${p.weights.length} weights for ${n} labels; give one weight per row or none`,
      );
    }
    for (let r = 0; r < n; r++) {
      const y = p.labels[r]!;
      const bad = task === 'classification' ? !(Number.isInteger(y) && y >= 0) : !Number.isFinite(y);
      if (bad) {
        const want = task === 'classification' ? 'a class index 0, 1, 2, ...' : 'a finite number';
        throw new EddyError(
          'INVALID_ARGUMENT',
          `partition ${pi} row ${r}: label ${String(y)} is not ${want}; index string labels first (StringIndexer) or drop the row`,
        );
      }
      if (y > maxLabel) maxLabel = y;
      const w = p.weights?.[r];
      if (w !== undefined && !(Number.isFinite(w) && w >= 0)) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `partition ${pi} row ${r}: weight ${String(w)} must be a finite number >= 0`,
        );
      }
    }
    numRows += n;
  });
  if (numRows === 0) throw new EddyError('INVALID_ARGUMENT', 'training data has no rows');
  let numClasses = 0;
  if (task === 'classification') {
    numClasses = maxLabel + 1;
    if (numClassesHint !== undefined) {
      if (numClassesHint < numClasses) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `numClasses ${numClassesHint} is too small: the data has label ${maxLabel}; pass at least ${numClasses}`,
        );
      }
      numClasses = numClassesHint;
    }
  }
  return { numFeatures, numRows, numClasses };
}
