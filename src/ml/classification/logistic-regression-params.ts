import { EddyError } from '../../common/errors.js';
import type { Param } from '../param/param.js';
import { maxIterParam, tolParam, weightColParam } from '../param/shared-params.js';
import { ParamValidators as V } from '../param/validators.js';
import {
  ProbabilisticClassifierParams,
  type ProbabilisticClassifierOptions,
} from './probabilistic-classifier-params.js';

export interface LogisticRegressionOptions extends ProbabilisticClassifierOptions {
  weightCol?: string;
  maxIter?: number;
  regParam?: number;
  elasticNetParam?: number;
  tol?: number;
  fitIntercept?: boolean;
  standardization?: boolean;
  threshold?: number;
  family?: string;
}

export const LOGISTIC_FAMILIES = ['auto', 'binomial', 'multinomial'] as const;

/** Spark's LogisticRegressionParams with its names, docs and defaults; shared by the estimator and its model. */
export abstract class LogisticRegressionParams extends ProbabilisticClassifierParams {
  readonly weightCol = this.declare<string>('weightCol', {
    ...weightColParam,
    doc: 'weight column name. If this is not set or empty, we treat all instance weights as 1.0',
  });
  readonly maxIter = this.declare<number>('maxIter', maxIterParam);
  readonly regParam = this.declare<number>('regParam', {
    doc: 'regularization parameter (>= 0)',
    kind: 'double',
    validator: V.gtEq(0),
    default: 0,
  });
  readonly elasticNetParam = this.declare<number>('elasticNetParam', {
    doc: 'the ElasticNet mixing parameter, in range [0, 1]. For alpha = 0, the penalty is an L2 penalty. For alpha = 1, it is an L1 penalty',
    kind: 'double',
    validator: V.inRange(0, 1),
    default: 0,
  });
  readonly tol = this.declare<number>('tol', tolParam);
  readonly fitIntercept = this.declare<boolean>('fitIntercept', {
    doc: 'whether to fit an intercept term',
    kind: 'boolean',
    validator: V.boolean(),
    default: true,
  });
  readonly standardization = this.declare<boolean>('standardization', {
    doc: 'whether to standardize the training features before fitting the model',
    kind: 'boolean',
    validator: V.boolean(),
    default: true,
  });
  readonly threshold = this.declare<number>('threshold', {
    doc: 'threshold in binary classification prediction, in range [0, 1]',
    kind: 'double',
    validator: V.inRange(0, 1),
    default: 0.5,
  });
  readonly family = this.declare<string>('family', {
    doc: 'The name of family which is a description of the label distribution to be used in the model. Supported options: auto, binomial, multinomial.',
    kind: 'string',
    validator: V.inArray<string>(LOGISTIC_FAMILIES),
    default: 'auto',
  });

  protected override normalize<T>(param: Param<T>, value: T): T {
    // Spark lower-cases family when it is set.
    return param.name === 'family' && typeof value === 'string' ? (value.toLowerCase() as T) : value;
  }

  /** As Spark: setting threshold clears thresholds and setting thresholds clears threshold. */
  override set<T>(param: Param<T> | string, value: T): this {
    super.set(param, value);
    const name = typeof param === 'string' ? param : param.name;
    if (name === 'threshold') this.clear(this.thresholds);
    if (name === 'thresholds') this.clear(this.threshold);
    return this;
  }

  /** Spark's getThreshold: derived from thresholds when those are set (binary only), else threshold. */
  getThreshold(): number {
    const ts = this.get(this.thresholds);
    if (ts !== undefined) {
      if (ts.length !== 2) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `${this.uid}: getThreshold only applies to binary classification, but thresholds has length ${ts.length}; use getThresholds()`,
        );
      }
      return 1 / (1 + ts[0]! / ts[1]!);
    }
    return this.getOrDefault(this.threshold);
  }
  setThreshold(value: number): this {
    return this.set(this.threshold, value);
  }
  getMaxIter(): number {
    return this.getOrDefault(this.maxIter);
  }
  setMaxIter(value: number): this {
    return this.set(this.maxIter, value);
  }
  getRegParam(): number {
    return this.getOrDefault(this.regParam);
  }
  setRegParam(value: number): this {
    return this.set(this.regParam, value);
  }
  getElasticNetParam(): number {
    return this.getOrDefault(this.elasticNetParam);
  }
  setElasticNetParam(value: number): this {
    return this.set(this.elasticNetParam, value);
  }
  getTol(): number {
    return this.getOrDefault(this.tol);
  }
  setTol(value: number): this {
    return this.set(this.tol, value);
  }
  getFitIntercept(): boolean {
    return this.getOrDefault(this.fitIntercept);
  }
  setFitIntercept(value: boolean): this {
    return this.set(this.fitIntercept, value);
  }
  getStandardization(): boolean {
    return this.getOrDefault(this.standardization);
  }
  setStandardization(value: boolean): this {
    return this.set(this.standardization, value);
  }
  getFamily(): string {
    return this.getOrDefault(this.family);
  }
  setFamily(value: string): this {
    return this.set(this.family, value);
  }
  setWeightCol(value: string): this {
    return this.set(this.weightCol, value);
  }
}
