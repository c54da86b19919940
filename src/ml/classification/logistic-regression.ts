import { EddyError } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import type { ParamMap } from '../param/param.js';
import { randomUID } from '../param/identifiable.js';
import { predictorSchema } from '../predictor/predictor-schema.js';
import { tfReady } from '../tf/backend.js';
import { classifierRows } from './classifier-training-data.js';
import { LogisticRegressionModel } from './logistic-regression-model.js';
import { LogisticRegressionParams, type LogisticRegressionOptions } from './logistic-regression-params.js';
import { trainLogisticRegression } from './logistic-regression-trainer.js';

export type { LogisticRegressionOptions } from './logistic-regression-params.js';

/**
 * Spark's LogisticRegression: binomial or multinomial (softmax) logistic regression with elastic-net
 * regularization, fitted to the exact optimum of Spark's objective by L-BFGS / OWL-QN, with the loss and
 * gradient computed by TensorFlow.js (tfjs-node when installed, else wasm, else cpu; see ml/tf).
 */
export class LogisticRegression extends LogisticRegressionParams {
  constructor(options: LogisticRegressionOptions = {}) {
    super(options.uid ?? randomUID('LogisticRegression'));
    this.applyOptions(options);
  }

  transformSchema(schema: StructType): StructType {
    return predictorSchema(this, schema, true);
  }

  /** Spark's checkThresholdConsistency: threshold and a 2-element thresholds must agree. */
  private checkThresholdConsistency(numClasses: number, multinomial: boolean): void {
    const ts = this.get(this.thresholds);
    if (ts === undefined) return;
    if (ts.length !== numClasses) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid}: thresholds has ${ts.length} values but the data has ${numClasses} classes${multinomial ? '' : ' (binomial)'}; give one threshold per class`,
      );
    }
  }

  async fit(dataset: DataFrame): Promise<LogisticRegressionModel> {
    const rows = await classifierRows(this, dataset);
    const family = this.getFamily();
    // Binomial always has two classes, even when the data shows only one.
    const numClasses = Math.max(rows.numClasses, 2);
    if (family === 'binomial' && numClasses > 2) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid}: family "binomial" supports 1 or 2 outcome classes but the label has ${numClasses}; use family "multinomial" or "auto"`,
      );
    }
    const multinomial = family === 'multinomial' || (family === 'auto' && numClasses > 2);
    this.checkThresholdConsistency(numClasses, multinomial);
    const tf = await tfReady();
    const trained = trainLogisticRegression(tf, {
      features: rows.features,
      numRows: rows.numRows,
      labels: rows.labels,
      weights: rows.weights,
      numClasses,
      multinomial,
      fitIntercept: this.getFitIntercept(),
      standardization: this.getStandardization(),
      regParam: this.getRegParam(),
      elasticNetParam: this.getElasticNetParam(),
      maxIter: this.getMaxIter(),
      tol: this.getTol(),
    });
    const model = new LogisticRegressionModel(
      {
        uid: this.uid,
        numClasses,
        numFeatures: rows.numFeatures,
        isMultinomial: multinomial,
        coefficients: trained.coefficientMatrix,
        intercepts: trained.interceptVector,
      },
      { objectiveHistory: trained.objectiveHistory, totalIterations: trained.totalIterations },
    );
    this.copyValues(model);
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): LogisticRegression {
    return this.copyValues(new LogisticRegression({ uid: this.uid }), extra);
  }
}
