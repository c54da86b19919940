import type { DataFrame } from '../../dataframe/dataframe.js';
import type { PredictorColumns } from '../predictor/predictor-schema.js';
import { trainingPartitions } from '../predictor/training-partitions.js';
import { checkTrainingData } from '../tree/training-data.js';

/** A classifier's training rows in one piece: column-major features, labels, optional weights. */
export interface ClassifierRows {
  features: Float64Array[];
  labels: Float64Array;
  weights: Float64Array | undefined;
  numRows: number;
  numFeatures: number;
  /** max label + 1, or the label column's class count (StringIndexer metadata) when that is larger. */
  numClasses: number;
}

function concat(parts: readonly Float64Array[], total: number): Float64Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float64Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Reads the features, label (and weight) columns of a DataFrame and checks them as the tree estimators do (class
 * indices >= 0, finite non-negative weights, vectors of one size); the gradient-based classifiers see all rows
 * at once, so the partitions are joined.
 */
export async function classifierRows(stage: PredictorColumns, dataset: DataFrame): Promise<ClassifierRows> {
  const data = await trainingPartitions(stage, dataset);
  const summary = checkTrainingData(data.partitions, 'classification', data.numClassesFromMetadata);
  const n = summary.numRows;
  const features = Array.from({ length: summary.numFeatures }, (_, j) =>
    concat(
      data.partitions.map((p) => p.features[j]!),
      n,
    ),
  );
  const labels = concat(
    data.partitions.map((p) => p.labels),
    n,
  );
  const weighted = data.partitions.some((p) => p.weights !== undefined);
  const weights = weighted
    ? concat(
        data.partitions.map((p) => p.weights ?? new Float64Array(p.labels.length).fill(1)),
        n,
      )
    : undefined;
  return { features, labels, weights, numRows: n, numFeatures: summary.numFeatures, numClasses: summary.numClasses };
}
