import type { Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../tf/backend.js';
import type { DiffFunction } from '../optim/lbfgs.js';

export interface LogisticLossData {
  /** Row-major standardized features, n × d. */
  x: Float32Array;
  numRows: number;
  numFeatures: number;
  labels: Float64Array;
  /** Instance weights; undefined: all 1. */
  weights: Float64Array | undefined;
  numClasses: number;
  multinomial: boolean;
  fitIntercept: boolean;
  /** L2 weight of each coefficient (0 for intercepts), laid out as the parameter vector. */
  l2: Float64Array;
}

export interface LogisticLoss {
  /** Weighted mean log-loss plus ½ Σ l2·x², and its gradient; computed by TensorFlow.js. */
  f: DiffFunction;
  /** Length of the parameter vector: binomial d (+1), multinomial K·d (+K); intercepts last. */
  numParams: number;
  dispose(): void;
}

/**
 * The logistic regression objective with its gradient written out (tfjs-core's autodiff needs kernels'
 * gradients registered, which its Node bundle does not do; the closed forms are short and cheaper):
 * binomial ∇ = Xᵀ(w ⊙ (σ(Xβ + b) − y)) / Σw, multinomial ∇ = (w ⊙ (softmax(XBᵀ + b) − Y))ᵀ X / Σw.
 * The data tensors live until dispose(); each evaluation runs inside tidy() so nothing else is kept.
 */
export function logisticLoss(tf: Tf, data: LogisticLossData): LogisticLoss {
  const { numRows: n, numFeatures: d, numClasses, multinomial, fitIntercept, l2 } = data;
  const K = multinomial ? numClasses : 1;
  const numParams = K * d + (fitIntercept ? K : 0);
  let sumW = n;
  if (data.weights !== undefined) {
    sumW = 0;
    for (const w of data.weights) sumW += w;
  }
  const X = tf.tensor2d(data.x, [n, d], 'float32');
  const W = tf.tensor2d(
    data.weights === undefined ? new Float32Array(n).fill(1) : Float32Array.from(data.weights),
    [n, 1],
    'float32',
  );
  const Y = multinomial
    ? tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(data.labels), 'int32'), numClasses), 'float32'))
    : tf.tensor2d(Float32Array.from(data.labels), [n, 1], 'float32');
  const kept: Tensor[] = [X, W, Y];

  const f: DiffFunction = (params) => {
    const out = tf.tidy(() => {
      // Coefficients go in as d × K so that no matMul needs a transpose flag (slow on the wasm backend).
      const coefT = new Float32Array(d * K);
      for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) coefT[j * K + k] = params[k * d + j]!;
      let margins = tf.matMul(X, tf.tensor2d(coefT, [d, K]));
      if (fitIntercept) margins = tf.add(margins, tf.tensor2d(Float32Array.from(params.subarray(K * d)), [1, K]));
      let perRow: Tensor;
      let residual: Tensor;
      if (multinomial) {
        // log Σ exp and softmax from one max-shifted exponent, written out (tf.logSumExp is slow on wasm).
        const shifted = tf.sub(margins, tf.max(margins, 1, true));
        const lse = tf.log(tf.sum(tf.exp(shifted), 1, true));
        perRow = tf.sub(lse, tf.sum(tf.mul(shifted, Y), 1, true));
        residual = tf.mul(tf.sub(tf.exp(tf.sub(shifted, lse)), Y), W);
      } else {
        // log(1 + e^m) − y·m is the binomial log-loss with margin m; softplus keeps it finite for large m.
        perRow = tf.sub(tf.softplus(margins), tf.mul(Y, margins));
        residual = tf.mul(tf.sub(tf.sigmoid(margins), Y), W);
      }
      // Per-row losses come back to be summed in double precision: a float32 sum over many rows would blur the
      // small differences the line search compares near the optimum.
      const loss = tf.reshape(tf.mul(perRow, W), [-1]);
      // K × n · n × d: the gradient rows come out in the parameter layout (class-major).
      const residualT = K === 1 ? tf.reshape(residual, [1, n]) : tf.transpose(residual);
      const gradCoef = tf.reshape(tf.matMul(residualT, X), [-1]);
      const parts = [loss, gradCoef];
      if (fitIntercept) parts.push(tf.sum(residual, 0));
      return tf.concat(parts);
    });
    const raw = out.dataSync();
    out.dispose();
    const gradient = new Float64Array(numParams);
    let lossSum = 0;
    for (let i = 0; i < n; i++) lossSum += raw[i]!;
    let value = lossSum / sumW;
    for (let i = 0; i < numParams; i++) {
      const p = params[i]!;
      gradient[i] = raw[n + i]! / sumW + l2[i]! * p;
      value += 0.5 * l2[i]! * p * p;
    }
    return { value, gradient };
  };
  return {
    f,
    numParams,
    dispose: () => {
      for (const t of kept) t.dispose();
    },
  };
}
