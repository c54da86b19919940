import type { Param } from '../param/param.js';
import { labelColParam, predictionColParam } from '../param/shared-params.js';
import { ParamValidators as V } from '../param/validators.js';
import { PipelineStage } from '../pipeline/stage.js';

/** The column options of every probabilistic classifier (Spark's ProbabilisticClassifierParams). */
export interface ProbabilisticClassifierOptions {
  uid?: string;
  featuresCol?: string;
  labelCol?: string;
  predictionCol?: string;
  rawPredictionCol?: string;
  probabilityCol?: string;
  thresholds?: number[];
}

/**
 * featuresCol, labelCol, predictionCol, rawPredictionCol, probabilityCol and thresholds with Spark's docs and
 * defaults; the base of LogisticRegression's and the MultilayerPerceptronClassifier's params (estimators and
 * models alike, as in Spark).
 */
export abstract class ProbabilisticClassifierParams extends PipelineStage {
  readonly featuresCol = this.declare<string>('featuresCol', {
    doc: 'features column name',
    kind: 'string',
    validator: V.nonEmptyString(),
    default: 'features',
  });
  readonly labelCol = this.declare<string>('labelCol', labelColParam);
  // An empty name leaves the column out of transform's output, as in Spark.
  readonly predictionCol = this.declare<string>('predictionCol', { ...predictionColParam, validator: V.string() });
  readonly rawPredictionCol = this.declare<string>('rawPredictionCol', {
    doc: 'raw prediction (a.k.a. confidence) column name',
    kind: 'string',
    validator: V.string(),
    default: 'rawPrediction',
  });
  readonly probabilityCol = this.declare<string>('probabilityCol', {
    doc:
      'Column name for predicted class conditional probabilities. Note: Not all models output well-calibrated probability ' +
      'estimates! These probabilities should be treated as confidences, not precise probabilities',
    kind: 'string',
    validator: V.string(),
    default: 'probability',
  });
  readonly thresholds: Param<number[]> = this.declare<number[]>('thresholds', {
    doc: "Thresholds in multi-class classification to adjust the probability of predicting each class. Array must have length equal to the number of classes, with values > 0 excepting that at most one value may be 0. The class with largest value p/t is predicted, where p is the original probability of that class and t is the class's threshold",
    kind: 'doubleArray',
    validator: Object.assign((v: number[]) => V.arrayOf(V.gtEq(0))(v) && v.filter((x) => x === 0).length <= 1, {
      description: 'a non-empty array of numbers >= 0 with at most one 0',
    }),
  });

  getFeaturesCol(): string {
    return this.getOrDefault(this.featuresCol);
  }
  setFeaturesCol(value: string): this {
    return this.set(this.featuresCol, value);
  }
  getLabelCol(): string {
    return this.getOrDefault(this.labelCol);
  }
  setLabelCol(value: string): this {
    return this.set(this.labelCol, value);
  }
  getPredictionCol(): string {
    return this.getOrDefault(this.predictionCol);
  }
  setPredictionCol(value: string): this {
    return this.set(this.predictionCol, value);
  }
  setRawPredictionCol(value: string): this {
    return this.set(this.rawPredictionCol, value);
  }
  setProbabilityCol(value: string): this {
    return this.set(this.probabilityCol, value);
  }
  getThresholds(): number[] | undefined {
    return this.isDefined(this.thresholds) ? this.getOrDefault(this.thresholds) : undefined;
  }
  setThresholds(value: number[]): this {
    return this.set(this.thresholds, value);
  }
}
