import type { ParamDefinition } from './params.js';
import { ParamValidators as V } from './validators.js';

/**
 * Spark's shared params (HasInputCol, HasOutputCol, HasFeaturesCol, HasLabelCol, HasPredictionCol, HasWeightCol,
 * HasRawPredictionCol, HasProbabilityCol, HasThresholds, HasMaxIter, HasTol): one definition
 * each, declared by every stage that has the param, so names, docs, defaults and validation cannot drift apart.
 */
export const inputColParam: ParamDefinition<string> = {
  doc: 'input column name',
  kind: 'string',
  validator: V.nonEmptyString(),
};

/** outputCol defaults to `<uid>__output`, as in Spark. */
export function outputColParam(uid: string): ParamDefinition<string> {
  return { doc: 'output column name', kind: 'string', validator: V.nonEmptyString(), default: `${uid}__output` };
}

export const labelColParam: ParamDefinition<string> = {
  doc: 'label column name',
  kind: 'string',
  validator: V.nonEmptyString(),
  default: 'label',
};

export const predictionColParam: ParamDefinition<string> = {
  doc: 'prediction column name',
  kind: 'string',
  validator: V.nonEmptyString(),
  default: 'prediction',
};

/** Unset by default: every row weighs 1.0. */
export const weightColParam: ParamDefinition<string> = {
  doc: 'weight column name',
  kind: 'string',
  validator: V.string(),
};

export const featuresColParam: ParamDefinition<string> = {
  doc: 'features column name',
  kind: 'string',
  validator: V.nonEmptyString(),
  default: 'features',
};

export const rawPredictionColParam: ParamDefinition<string> = {
  doc: 'raw prediction (a.k.a. confidence) column name',
  kind: 'string',
  validator: V.string(),
  default: 'rawPrediction',
};

export const probabilityColParam: ParamDefinition<string> = {
  doc:
    'Column name for predicted class conditional probabilities. Note: Not all models output well-calibrated probability ' +
    'estimates! These probabilities should be treated as confidences, not precise probabilities',
  kind: 'string',
  validator: V.string(),
  default: 'probability',
};

/** Unset by default: the class with the largest probability is predicted. */
export const thresholdsParam: ParamDefinition<number[]> = {
  doc: "Thresholds in multi-class classification to adjust the probability of predicting each class. Array must have length equal to the number of classes, with values > 0 excepting that at most one value may be 0. The class with largest value p/t is predicted, where p is the original probability of that class and t is the class's threshold",
  kind: 'doubleArray',
  validator: Object.assign((v: number[]) => V.arrayOf(V.gtEq(0))(v) && v.filter((x) => x === 0).length <= 1, {
    description: 'a non-empty array of numbers >= 0 with at most one 0',
  }),
};

/** Spark's HasMaxIter; 100 is the default of every Eddy estimator that has it (LogisticRegression, the MLP). */
export const maxIterParam: ParamDefinition<number> = {
  doc: 'maximum number of iterations (>= 0)',
  kind: 'int',
  validator: V.integer(V.gtEq(0)),
  default: 100,
};

/** Spark's HasTol, with the 1e-6 default LogisticRegression and the MLP set. */
export const tolParam: ParamDefinition<number> = {
  doc: 'the convergence tolerance for iterative algorithms (>= 0)',
  kind: 'double',
  validator: V.gtEq(0),
  default: 1e-6,
};
