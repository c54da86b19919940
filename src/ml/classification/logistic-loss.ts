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
      const coef = tf.tensor2d(Float32Array.from(params.subarray(0, K * d)), [K, d]);
      let margins = tf.matMul(X, coef, false, true);
      if (fitIntercept) margins = tf.add(margins, tf.tensor2d(Float32Array.from(params.subarray(K * d)), [1, K]));
      let perRow: Tensor;
      let residual: Tensor;
      if (multinomial) {
        perRow = tf.sub(tf.logSumExp(margins, 1, true), tf.sum(tf.mul(margins, Y), 1, true));
        residual = tf.mul(tf.sub(tf.softmax(margins), Y), W);
      } else {
        // log(1 + e^m) − y·m is the binomial log-loss with margin m; softplus keeps it finite for large m.
        perRow = tf.sub(tf.softplus(margins), tf.mul(Y, margins));
        residual = tf.mul(tf.sub(tf.sigmoid(margins), Y), W);
      }
      const loss = tf.reshape(tf.sum(tf.mul(perRow, W)), [1]);
      const gradCoef = tf.reshape(tf.matMul(residual, X, true, false), [-1]);
      const parts = [loss, gradCoef];
      if (fitIntercept) parts.push(tf.sum(residual, 0));
      return tf.concat(parts);
    });
    const raw = out.dataSync();
    out.dispose();
    const gradient = new Float64Array(numParams);
    let value = raw[0]! / sumW;
    for (let i = 0; i < numParams; i++) {
      const p = params[i]!;
      gradient[i] = raw[i + 1]! / sumW + l2[i]! * p;
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
