import { EddyError, describeValue } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import { DenseVector } from '../../dataframe/vector.js';
import type { ParamMap } from '../param/param.js';
import { loadJsonModel, saveJsonModel, type StageLoadOptions, type StageSaveOptions } from '../persistence/stage-io.js';
import type { Estimator } from '../pipeline/stage.js';
import { transformWithPredictions } from '../predictor/prediction-transform.js';
import { predictorSchema } from '../predictor/predictor-schema.js';
import { DenseMatrix } from './dense-matrix.js';
import { LogisticRegressionParams } from './logistic-regression-params.js';
import { argmax, probabilityToPrediction } from './probabilities.js';

export const LOGISTIC_REGRESSION_MODEL_CLASS = 'eddy.ml.classification.LogisticRegressionModel';

/** What fitting reported (Spark's LogisticRegressionTrainingSummary, the optimizer's part). */
export interface LogisticRegressionTrainingSummary {
  /** The objective at the start and after each iteration. */
  objectiveHistory: number[];
  totalIterations: number;
}

export interface LogisticRegressionModelState {
  uid: string;
  numClasses: number;
  numFeatures: number;
  isMultinomial: boolean;
  /** Row-major, one row per class (a single row for binomial). */
  coefficients: Float64Array;
  intercepts: Float64Array;
}

interface SavedData {
  numClasses: number;
  numFeatures: number;
  isMultinomial: boolean;
  coefficients: number[];
  intercepts: (number | string)[];
}

/** Softmax of v in place, shifted by the maximum so that large margins do not overflow. */
export function softmaxInPlace(v: Float64Array): void {
  let max = -Infinity;
  for (const x of v) if (x > max) max = x;
  if (max === Infinity) {
    for (let i = 0; i < v.length; i++) v[i] = v[i] === Infinity ? 1 : 0;
    return;
  }
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = Math.exp(v[i]! - max);
    sum += v[i]!;
  }
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / sum;
}

/**
 * A fitted logistic regression, as Spark's LogisticRegressionModel. Binomial: rawPrediction [−m, m] for margin
 * m = w·x + b, probability [1 − σ(m), σ(m)], prediction 1 when σ(m) > threshold. Multinomial: rawPrediction the
 * K margins, probability their softmax, prediction the largest margin (or the largest p/t with thresholds).
 * Predictions are computed in double precision in plain JavaScript, so a saved and loaded model predicts exactly
 * the same numbers and needs no TensorFlow.js backend.
 */
export class LogisticRegressionModel extends LogisticRegressionParams {
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly isMultinomial: boolean;
  private readonly coef: Float64Array;
  private readonly icpt: Float64Array;
  private trainingSummary: LogisticRegressionTrainingSummary | undefined;
  /** The estimator that fitted this model (Spark's Model.parent); unset for a loaded model. */
  parent: Estimator | undefined = undefined;

  constructor(state: LogisticRegressionModelState, summary?: LogisticRegressionTrainingSummary) {
    super(state.uid);
    this.numClasses = state.numClasses;
    this.numFeatures = state.numFeatures;
    this.isMultinomial = state.isMultinomial;
    this.coef = state.coefficients;
    this.icpt = state.intercepts;
    this.trainingSummary = summary;
  }

  private binomialOnly(what: string): void {
    if (this.isMultinomial) {
      throw new EddyError(
        'ILLEGAL_STATE',
        `${this.uid}: ${what} is for binomial models; this model is multinomial, use coefficientMatrix / interceptVector`,
      );
    }
  }

  /** Binomial only (Spark throws for multinomial models too). */
  get coefficients(): DenseVector {
    this.binomialOnly('coefficients');
    return new DenseVector(this.coef.slice());
  }

  get intercept(): number {
    this.binomialOnly('intercept');
    return this.icpt[0]!;
  }

  /** numClasses × numFeatures for multinomial, 1 × numFeatures for binomial. */
  get coefficientMatrix(): DenseMatrix {
    return DenseMatrix.fromRows(this.icpt.length, this.numFeatures, this.coef);
  }

  get interceptVector(): DenseVector {
    return new DenseVector(this.icpt.slice());
  }

  get hasSummary(): boolean {
    return this.trainingSummary !== undefined;
  }

  /** The training summary; a loaded model has none (as in Spark). */
  get summary(): LogisticRegressionTrainingSummary {
    if (this.trainingSummary === undefined) {
      throw new EddyError(
        'ILLEGAL_STATE',
        `${this.uid}: no training summary available for this model (it was loaded, not fitted)`,
      );
    }
    return this.trainingSummary;
  }

  /** Row-major margins: K per row (one per row for binomial). */
  private margins(columns: readonly Float64Array[], numRows: number): Float64Array {
    if (columns.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} feature columns but got ${columns.length}`,
      );
    }
    const K = this.icpt.length;
    const d = this.numFeatures;
    const out = new Float64Array(numRows * K);
    for (let k = 0; k < K; k++) {
      const b = this.icpt[k]!;
      for (let r = 0; r < numRows; r++) out[r * K + k] = b;
      for (let j = 0; j < d; j++) {
        const w = this.coef[k * d + j]!;
        if (w === 0) continue;
        const col = columns[j]!;
        for (let r = 0; r < numRows; r++) out[r * K + k] = out[r * K + k]! + w * col[r]!;
      }
    }
    return out;
  }

  /** rawPrediction of every row, row-major (numClasses per row). */
  predictRawColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    const m = this.margins(columns, numRows);
    if (this.isMultinomial) return m;
    const out = new Float64Array(numRows * 2);
    for (let r = 0; r < numRows; r++) {
      out[2 * r] = -m[r]!;
      out[2 * r + 1] = m[r]!;
    }
    return out;
  }

  /** Spark's raw2probabilityInPlace: sigmoid of the margin (binomial) or softmax of the margins. */
  rawToProbabilityRows(raw: Float64Array, numRows: number): void {
    const C = this.numClasses;
    for (let r = 0; r < numRows; r++) {
      if (this.isMultinomial) {
        softmaxInPlace(raw.subarray(r * C, (r + 1) * C));
      } else {
        const p = 1 / (1 + Math.exp(-raw[2 * r + 1]!));
        raw[2 * r] = 1 - p;
        raw[2 * r + 1] = p;
      }
    }
  }

  predictProbabilityColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    const raw = this.predictRawColumns(columns, numRows);
    this.rawToProbabilityRows(raw, numRows);
    return raw;
  }

  predictColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    const thresholds = this.thresholdsFor(this.numClasses);
    const out = new Float64Array(numRows);
    if (!this.isMultinomial) {
      const t = this.getThreshold();
      const m = this.margins(columns, numRows);
      // σ(m) > t  ⇔  m > log(t / (1 − t)), Spark's rawThreshold.
      const rawThreshold = t === 0 ? -Infinity : t === 1 ? Infinity : Math.log(t / (1 - t));
      for (let r = 0; r < numRows; r++) out[r] = m[r]! > rawThreshold ? 1 : 0;
      return out;
    }
    const C = this.numClasses;
    if (thresholds === undefined) {
      const m = this.margins(columns, numRows);
      for (let r = 0; r < numRows; r++) out[r] = argmax(m.subarray(r * C, (r + 1) * C));
      return out;
    }
    const p = this.predictProbabilityColumns(columns, numRows);
    for (let r = 0; r < numRows; r++)
      out[r] = probabilityToPrediction(p.subarray(r * C, (r + 1) * C), thresholds, this.uid);
    return out;
  }

  /** One row: features → rawPrediction. */
  predictRaw(features: ArrayLike<number>): Float64Array {
    return this.predictRawColumns(rowAsColumns(features), 1);
  }
  predictProbability(features: ArrayLike<number>): Float64Array {
    return this.predictProbabilityColumns(rowAsColumns(features), 1);
  }
  predict(features: ArrayLike<number>): number {
    return this.predictColumns(rowAsColumns(features), 1)[0]!;
  }

  transformSchema(schema: StructType): StructType {
    return predictorSchema(this, schema, false);
  }

  /** Appends rawPrediction, probability and prediction (an empty column name leaves that column out). */
  transform(dataset: DataFrame): DataFrame {
    this.thresholdsFor(this.numClasses);
    return transformWithPredictions(this, dataset);
  }

  copy(extra?: ParamMap | Record<string, unknown>): LogisticRegressionModel {
    const m = this.copyValues(new LogisticRegressionModel(this.state(), this.trainingSummary), extra);
    m.parent = this.parent;
    return m;
  }

  private state(): LogisticRegressionModelState {
    return {
      uid: this.uid,
      numClasses: this.numClasses,
      numFeatures: this.numFeatures,
      isMultinomial: this.isMultinomial,
      coefficients: this.coef,
      intercepts: this.icpt,
    };
  }

  override toString(): string {
    return `LogisticRegressionModel: uid=${this.uid}, numClasses=${this.numClasses}, numFeatures=${this.numFeatures}`;
  }

  override async save(path: string, options?: StageSaveOptions): Promise<void> {
    const data: SavedData = {
      numClasses: this.numClasses,
      numFeatures: this.numFeatures,
      isMultinomial: this.isMultinomial,
      coefficients: Array.from(this.coef),
      // JSON has no infinities (a constant-label fit has an infinite intercept): written as Spark writes doubles.
      intercepts: Array.from(this.icpt, (v) => (Number.isFinite(v) ? v : String(v))),
    };
    await saveJsonModel(path, LOGISTIC_REGRESSION_MODEL_CLASS, this, data, options);
  }

  static async load(path: string, options?: StageLoadOptions): Promise<LogisticRegressionModel> {
    const { meta, data } = await loadJsonModel<SavedData>(path, LOGISTIC_REGRESSION_MODEL_CLASS, checkSaved, options);
    const model = new LogisticRegressionModel({
      uid: meta.uid,
      numClasses: data.numClasses,
      numFeatures: data.numFeatures,
      isMultinomial: data.isMultinomial,
      coefficients: Float64Array.from(data.coefficients),
      intercepts: Float64Array.from(data.intercepts, Number),
    });
    return model.restoreParamMaps(meta.paramMap, meta.defaultParamMap);
  }
}

function rowAsColumns(features: ArrayLike<number>): Float64Array[] {
  return Array.from({ length: features.length }, (_, j) => Float64Array.of(features[j]!));
}

function checkSaved(d: unknown): string | null {
  const x = d as Partial<Record<keyof SavedData, unknown>> | null;
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return 'is not a JSON object';
  const { numClasses, numFeatures, isMultinomial, coefficients, intercepts } = x;
  if (!Number.isInteger(numClasses) || (numClasses as number) < 2)
    return `has numClasses ${describeValue(numClasses)}; expected an integer >= 2`;
  if (!Number.isInteger(numFeatures) || (numFeatures as number) < 0)
    return `has numFeatures ${describeValue(numFeatures)}; expected an integer >= 0`;
  if (typeof isMultinomial !== 'boolean')
    return `has isMultinomial ${describeValue(isMultinomial)}; expected true or false`;
  const K = isMultinomial ? (numClasses as number) : 1;
  if (!isMultinomial && numClasses !== 2) return `is binomial but has numClasses ${String(numClasses)}`;
  const n = K * (numFeatures as number);
  if (
    !Array.isArray(coefficients) ||
    coefficients.length !== n ||
    !coefficients.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    return `lacks "coefficients": ${n} finite numbers`;
  }
  const okIntercept = (v: unknown): boolean =>
    (typeof v === 'number' && Number.isFinite(v)) || v === 'Infinity' || v === '-Infinity';
  if (!Array.isArray(intercepts) || intercepts.length !== K || !intercepts.every(okIntercept)) {
    return `lacks "intercepts": ${K} numbers`;
  }
  return null;
}
