import type { StructType } from '../../dataframe/types.js';
import { DoubleType, VectorType } from '../../dataframe/types.js';
import type { Params } from '../param/params.js';
import type { Param } from '../param/param.js';
import { appendFields, inputField, mlField, NUMERIC_KINDS, type MLField } from '../pipeline/schema-utils.js';

/** The column params every predictor (estimator and model) has, as in Spark's PredictorParams. */
export interface PredictorColumns extends Params {
  readonly featuresCol: Param<string>;
  readonly labelCol: Param<string>;
  readonly predictionCol: Param<string>;
  /** Absent for predictors Spark gives no weights (MultilayerPerceptronClassifier). */
  readonly weightCol?: Param<string>;
  readonly rawPredictionCol?: Param<string>;
  readonly probabilityCol?: Param<string>;
  readonly varianceCol?: Param<string>;
}

/** A column param's value, or '' when unset: Spark leaves an output column out when its name is empty. */
export function colName(stage: Params, p: Param<string> | undefined): string {
  if (p === undefined) return '';
  return stage.isDefined(p) ? stage.getOrDefault(p) : '';
}

/** The output columns a predictor appends, in Spark's order: rawPrediction, probability, prediction (, variance). */
export function outputFields(stage: PredictorColumns): MLField[] {
  const out: MLField[] = [];
  const raw = colName(stage, stage.rawPredictionCol);
  const prob = colName(stage, stage.probabilityCol);
  const pred = colName(stage, stage.predictionCol);
  const variance = colName(stage, stage.varianceCol);
  if (raw !== '') out.push(mlField(raw, VectorType, false));
  if (prob !== '') out.push(mlField(prob, VectorType, false));
  if (pred !== '') out.push(mlField(pred, DoubleType, false));
  if (variance !== '') out.push(mlField(variance, DoubleType, false));
  return out;
}

/**
 * Spark's Predictor.validateAndTransformSchema: features must be a vector column; when fitting, the label (and
 * weight, if set) must be numeric. The output columns are appended.
 */
export function predictorSchema(stage: PredictorColumns, schema: StructType, fitting: boolean): StructType {
  inputField(stage, schema, 'featuresCol', stage.getOrDefault(stage.featuresCol), ['vector']);
  if (fitting) {
    inputField(stage, schema, 'labelCol', stage.getOrDefault(stage.labelCol), NUMERIC_KINDS);
    const w = colName(stage, stage.weightCol);
    if (w !== '') inputField(stage, schema, 'weightCol', w, NUMERIC_KINDS);
  }
  return appendFields(stage, schema, outputFields(stage));
}
