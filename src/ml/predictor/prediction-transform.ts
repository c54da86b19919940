import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { DoubleType, VectorType } from '../../dataframe/types.js';
import { DenseVector } from '../../dataframe/vector.js';
import { rawToProbabilityInPlace } from '../classification/probabilities.js';
import { mapBatches } from '../pipeline/transform-plan.js';
import { unpackFeatures } from './training-partitions.js';
import { colName, predictorSchema, type PredictorColumns } from './predictor-schema.js';

/** What a fitted tree model offers for batch prediction on column-major features. */
export interface ColumnPredictor extends PredictorColumns {
  readonly numFeatures: number;
  readonly numClasses?: number;
  predictColumns(columns: readonly Float64Array[], numRows?: number): Float64Array;
  predictRawColumns?(columns: readonly Float64Array[], numRows?: number): Float64Array;
  predictVarianceColumns?(columns: readonly Float64Array[], numRows?: number): Float64Array;
  /**
   * Turns row-major rawPrediction into probability in place (Spark's raw2probabilityInPlace: a sigmoid or a
   * softmax for linear models and networks); without it, raw values are normalized to sum 1 (trees' class weights).
   */
  rawToProbabilityRows?(raw: Float64Array, numRows: number): void;
}

function vectors(rowMajor: Float64Array, numRows: number, width: number): ColumnVector {
  const out: unknown[] = new Array<unknown>(numRows);
  for (let r = 0; r < numRows; r++) out[r] = new DenseVector(rowMajor.slice(r * width, (r + 1) * width));
  return new ColumnVector(VectorType, numRows, out, null);
}

/**
 * A model's transform: each batch's feature vectors are unpacked into columns once, and the output columns
 * (rawPrediction, probability, prediction, variance — those whose names are not empty) are appended.
 */
export function transformWithPredictions(model: ColumnPredictor, dataset: DataFrame): DataFrame {
  const schema = predictorSchema(model, dataset.schema, false);
  const featuresName = model.getOrDefault(model.featuresCol);
  const fi = dataset.schema.indexOf(featuresName);
  const raw = colName(model, model.rawPredictionCol) !== '';
  const prob = colName(model, model.probabilityCol) !== '';
  const pred = colName(model, model.predictionCol) !== '';
  const variance = colName(model, model.varianceCol) !== '';
  const C = model.numClasses ?? 0;
  const fn = (b: RecordBatch): RecordBatch => {
    const n = b.numRows;
    const features = Array.from({ length: model.numFeatures }, () => new Float64Array(n));
    unpackFeatures(b.column(fi), n, features, 0, featuresName, model.uid);
    const added: ColumnVector[] = [];
    // Probability is derived from rawPrediction per row, so the model runs once for both.
    const rawValues = raw || prob ? model.predictRawColumns!(features, n) : undefined;
    if (raw) added.push(vectors(rawValues!, n, C));
    if (prob) {
      const p = raw ? rawValues!.slice() : rawValues!;
      if (model.rawToProbabilityRows !== undefined) model.rawToProbabilityRows(p, n);
      else for (let r = 0; r < n; r++) rawToProbabilityInPlace(p.subarray(r * C, (r + 1) * C));
      added.push(vectors(p, n, C));
    }
    if (pred) added.push(new ColumnVector(DoubleType, n, model.predictColumns(features, n), null));
    if (variance) added.push(new ColumnVector(DoubleType, n, model.predictVarianceColumns!(features, n), null));
    return new RecordBatch(schema, [...b.columns, ...added], n);
  };
  return mapBatches(dataset, schema, fn, `${model.constructor.name} ${model.uid} ${featuresName} -> predictions`);
}
