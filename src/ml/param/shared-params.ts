import type { ParamDefinition } from './params.js';
import { ParamValidators as V } from './validators.js';

/**
 * Spark's shared params (HasInputCol, HasOutputCol, HasLabelCol, HasPredictionCol, HasWeightCol): one definition
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
