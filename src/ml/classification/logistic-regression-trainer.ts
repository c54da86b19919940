import { getLogger } from '../../common/log.js';
import { minimizeLbfgs, type StopReason } from '../optim/lbfgs.js';
import { FLOAT32_RELATIVE_NOISE, type Tf } from '../tf/backend.js';
import { logisticLoss } from './logistic-loss.js';

const log = getLogger('ml.LogisticRegression');

export interface LogisticTrainingInput {
  /** Column-major features: features[j][i] is row i's feature j. */
  features: readonly Float64Array[];
  numRows: number;
  /** Class indices 0 … numClasses − 1. */
  labels: Float64Array;
  weights: Float64Array | undefined;
  numClasses: number;
  multinomial: boolean;
  fitIntercept: boolean;
  standardization: boolean;
  regParam: number;
  elasticNetParam: number;
  maxIter: number;
  tol: number;
}

export interface LogisticTrainingResult {
  /** Row-major, one row per class (one row for binomial), in the original feature scale. */
  coefficientMatrix: Float64Array;
  interceptVector: Float64Array;
  objectiveHistory: number[];
  totalIterations: number;
  stopReason: StopReason | 'constant label';
}

/** Weighted mean and unbiased weighted standard deviation of each feature, as Spark's summarizer. */
function featureMoments(input: LogisticTrainingInput): { mean: Float64Array; std: Float64Array; sumW: number } {
  const { features, numRows: n, weights } = input;
  const d = features.length;
  let sumW = 0;
  let sumW2 = 0;
  for (let i = 0; i < n; i++) {
    const w = weights?.[i] ?? 1;
    sumW += w;
    sumW2 += w * w;
  }
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  const denom = sumW - sumW2 / sumW;
  for (let j = 0; j < d; j++) {
    const col = features[j]!;
    let s = 0;
    for (let i = 0; i < n; i++) s += (weights?.[i] ?? 1) * col[i]!;
    const mu = s / sumW;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (weights?.[i] ?? 1) * (col[i]! - mu) ** 2;
    mean[j] = mu;
    std[j] = denom > 0 ? Math.sqrt(ss / denom) : 0;
  }
  return { mean, std, sumW };
}

/**
 * Fits Spark's logistic regression objective, mean log-loss + regParam·(α‖w‖₁ + (1−α)/2‖w‖²), on standardized
 * features with L-BFGS (OWL-QN when α·regParam > 0); the loss and its gradient run on TensorFlow.js.
 * Standardization only changes the penalty's scale (with standardization false the penalty is applied to the
 * original-scale coefficients, as Spark does); features are centered too when an intercept is fitted, which
 * leaves the optimum unchanged (the intercept is not penalized) but conditions the problem better.
 */
export function trainLogisticRegression(tf: Tf, input: LogisticTrainingInput): LogisticTrainingResult {
  const { numRows: n, labels, weights, numClasses, multinomial, fitIntercept } = input;
  const d = input.features.length;
  const K = multinomial ? numClasses : 1;
  const { mean, std } = featureMoments(input);
  const histogram = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) histogram[labels[i]!] = histogram[labels[i]!]! + (weights?.[i] ?? 1);
  const present = histogram.reduce((c, h) => c + (h > 0 ? 1 : 0), 0);

  if (fitIntercept && present === 1) {
    // Spark's shortcut: with one label value the likelihood grows without bound as the intercept goes to ±∞.
    const only = histogram.findIndex((h) => h > 0);
    log.warn(`all labels are ${only}.0 and fitIntercept is true: coefficients are zeros and the intercept infinite`);
    const interceptVector = multinomial
      ? Float64Array.from({ length: K }, (_, k) => (k === only ? Infinity : 0))
      : Float64Array.of(only === 1 ? Infinity : -Infinity);
    return {
      coefficientMatrix: new Float64Array(K * d),
      interceptVector,
      objectiveHistory: [],
      totalIterations: 0,
      stopReason: 'constant label',
    };
  }

  const centered = fitIntercept;
  const x = new Float32Array(n * d);
  for (let j = 0; j < d; j++) {
    const col = input.features[j]!;
    const s = std[j]!;
    if (s === 0) continue;
    const mu = centered ? mean[j]! : 0;
    for (let i = 0; i < n; i++) x[i * d + j] = (col[i]! - mu) / s;
  }

  const numParams = K * d + (fitIntercept ? K : 0);
  const l1Weight = input.regParam * input.elasticNetParam;
  const l2Weight = input.regParam * (1 - input.elasticNetParam);
  const l2 = new Float64Array(numParams);
  const l1 = new Float64Array(numParams);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < d; j++) {
      // Coefficients live in the standardized space; without standardization the penalty is on β/σ.
      const scale = input.standardization ? 1 : std[j]! > 0 ? 1 / std[j]! : 0;
      l2[k * d + j] = l2Weight * scale * scale;
      l1[k * d + j] = l1Weight * scale;
    }
  }

  const x0 = new Float64Array(numParams);
  if (fitIntercept) {
    if (!multinomial && histogram[0]! > 0 && histogram[1]! > 0) {
      x0[d] = Math.log(histogram[1]! / histogram[0]!);
    } else if (multinomial && histogram.every((h) => h > 0)) {
      const logs = Array.from(histogram, Math.log);
      const avg = logs.reduce((a, b) => a + b, 0) / K;
      for (let k = 0; k < K; k++) x0[K * d + k] = logs[k]! - avg;
    }
  }

  const loss = logisticLoss(tf, {
    x,
    numRows: n,
    numFeatures: d,
    labels,
    weights,
    numClasses,
    multinomial,
    fitIntercept,
    l2,
  });
  let result;
  try {
    result = minimizeLbfgs(loss.f, x0, {
      maxIter: input.maxIter,
      tol: input.tol,
      relativeNoise: FLOAT32_RELATIVE_NOISE,
      ...(l1Weight > 0 ? { l1 } : {}),
    });
  } finally {
    loss.dispose();
  }
  log.debug(`L-BFGS stopped after ${result.iterations} iterations: ${result.reason}`);

  const coefficientMatrix = new Float64Array(K * d);
  const interceptVector = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let shift = 0;
    for (let j = 0; j < d; j++) {
      const w = std[j]! > 0 ? result.x[k * d + j]! / std[j]! : 0;
      coefficientMatrix[k * d + j] = w;
      if (centered) shift += w * mean[j]!;
    }
    interceptVector[k] = fitIntercept ? result.x[K * d + k]! - shift : 0;
  }
  if (multinomial) {
    // Softmax is unchanged by adding a constant across classes: Spark reports the centered solution, for the
    // coefficients when nothing else pins them down (no regularization) and for the intercepts always.
    if (input.regParam === 0) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += coefficientMatrix[k * d + j]!;
        for (let k = 0; k < K; k++) coefficientMatrix[k * d + j] = coefficientMatrix[k * d + j]! - s / K;
      }
    }
    if (fitIntercept) {
      const avg = interceptVector.reduce((a, b) => a + b, 0) / K;
      for (let k = 0; k < K; k++) interceptVector[k] = interceptVector[k]! - avg;
    }
  }
  return {
    coefficientMatrix,
    interceptVector,
    objectiveHistory: result.objectiveHistory,
    totalIterations: result.iterations,
    stopReason: result.reason,
  };
}
