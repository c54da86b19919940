import { EddyError, describeValue } from '../../common/errors.js';
import type { Param } from '../param/param.js';
import { probabilityColParam, rawPredictionColParam, thresholdsParam } from '../param/shared-params.js';
import { PredictorParams } from '../predictor/predictor-params.js';

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
export abstract class ProbabilisticClassifierParams extends PredictorParams {
  readonly rawPredictionCol = this.declare<string>('rawPredictionCol', rawPredictionColParam);
  readonly probabilityCol = this.declare<string>('probabilityCol', probabilityColParam);
  readonly thresholds: Param<number[]> = this.declare<number[]>('thresholds', thresholdsParam);

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

  /** The thresholds a model of numClasses classes applies (undefined when unset); one per class or an error. */
  protected thresholdsFor(numClasses: number): number[] | undefined {
    const ts = this.get(this.thresholds);
    if (ts !== undefined && ts.length !== numClasses) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid}: thresholds ${describeValue(ts)} has ${ts.length} values but the model has ${numClasses} classes; give one threshold per class`,
      );
    }
    return ts;
  }
}
