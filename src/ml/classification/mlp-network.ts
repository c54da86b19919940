import type { Tensor } from '@tensorflow/tfjs-core';
import { EddyError, describeValue } from '../../common/errors.js';
import type { DiffFunction } from '../optim/lbfgs.js';
import type { Tf } from '../tf/backend.js';
import { SeededRandom } from '../tree/seeded-random.js';

/**
 * The feed-forward network of Spark's MultilayerPerceptronClassifier: affine layers, sigmoid between them and a
 * softmax output trained on cross-entropy. All weights live in one flat vector in Spark's order: per layer the
 * numOut × numIn matrix column by column (so input j's weights to every output sit together), then the numOut
 * biases. Read row-major as numIn × numOut, that slice is Wᵀ, which is what x·Wᵀ + b multiplies by.
 */
export function numWeights(layers: readonly number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < layers.length; l++) n += layers[l]! * layers[l + 1]! + layers[l + 1]!;
  return n;
}

/** Spark's AffineLayer.initModel: every weight and bias uniform in ±2.4 / numIn, from a seeded generator. */
export function initialWeights(layers: readonly number[], seed: number): Float64Array {
  const random = new SeededRandom(seed);
  const out = new Float64Array(numWeights(layers));
  let at = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const size = layers[l]! * layers[l + 1]! + layers[l + 1]!;
    for (let i = 0; i < size; i++) out[at++] = (random.nextDouble() * 4.8 - 2.4) / layers[l]!;
  }
  return out;
}

/** Output-layer values (before the softmax: Spark's rawPrediction) for row-major inputs, in double precision. */
export function forwardRaw(
  layers: readonly number[],
  weights: Float64Array,
  input: Float64Array,
  numRows: number,
): Float64Array {
  let a = input;
  let at = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const nIn = layers[l]!;
    const nOut = layers[l + 1]!;
    const z = new Float64Array(numRows * nOut);
    const biasAt = at + nIn * nOut;
    for (let r = 0; r < numRows; r++) {
      for (let o = 0; o < nOut; o++) {
        let s = weights[biasAt + o]!;
        for (let i = 0; i < nIn; i++) s += a[r * nIn + i]! * weights[at + i * nOut + o]!;
        z[r * nOut + o] = l + 2 < layers.length ? 1 / (1 + Math.exp(-s)) : s;
      }
    }
    at = biasAt + nOut;
    a = z;
  }
  return a;
}

export interface MlpLoss {
  /** Mean cross-entropy over all rows and its gradient by backpropagation, on TensorFlow.js. */
  f: DiffFunction;
  dispose(): void;
}

/**
 * The training objective, evaluated block by block (blockSize rows stacked into one matrix, Spark's blockSize)
 * with the gradients summed in double precision. Backpropagation is written out: tfjs-core's autodiff needs
 * gradient registrations its Node bundle does not make, and the closed form for sigmoid/softmax layers is short.
 */
export function mlpLoss(
  tf: Tf,
  layers: readonly number[],
  x: Float32Array,
  labels: Float64Array,
  numRows: number,
  blockSize: number,
): MlpLoss {
  const nIn = layers[0]!;
  const K = layers.at(-1)!;
  const L = layers.length - 1;
  const total = numWeights(layers);
  const blocks: { x: Tensor; y: Tensor }[] = [];
  for (let start = 0; start < numRows; start += blockSize) {
    const end = Math.min(numRows, start + blockSize);
    const rows = end - start;
    blocks.push(
      tf.tidy(() => ({
        x: tf.tensor2d(x.subarray(start * nIn, end * nIn), [rows, nIn]),
        y: tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(labels.subarray(start, end)), 'int32'), K), 'float32'),
      })),
    );
  }
  const f: DiffFunction = (weights) => {
    const params: { w: Tensor; wT: Tensor; b: Tensor }[] = [];
    let at = 0;
    for (let l = 0; l < L; l++) {
      const i = layers[l]!;
      const o = layers[l + 1]!;
      const w = tf.tensor2d(Float32Array.from(weights.subarray(at, at + i * o)), [i, o]);
      // Wᵀ once per evaluation: matMul's transpose flags are slow on the wasm backend.
      params.push({
        w,
        wT: tf.transpose(w),
        b: tf.tensor2d(Float32Array.from(weights.subarray(at + i * o, at + i * o + o)), [1, o]),
      });
      at += i * o + o;
    }
    const losses: Tensor[] = [];
    let sums: Tensor[] | undefined;
    let out: Tensor | undefined;
    try {
      for (const block of blocks) {
        const res = tf.tidy(() => {
          const acts: Tensor[] = [block.x];
          let z: Tensor = block.x;
          for (let l = 0; l < L; l++) {
            z = tf.add(tf.matMul(acts[l]!, params[l]!.w), params[l]!.b);
            if (l + 1 < L) acts.push(tf.sigmoid(z));
          }
          // Cross-entropy and softmax from one max-shifted exponent (tf.logSumExp is slow on wasm).
          const shifted = tf.sub(z, tf.max(z, 1, true));
          const lse = tf.log(tf.sum(tf.exp(shifted), 1, true));
          const loss = tf.reshape(tf.sum(tf.sub(lse, tf.sum(tf.mul(shifted, block.y), 1, true))), [1]);
          let delta: Tensor = tf.sub(tf.exp(tf.sub(shifted, lse)), block.y);
          const grads: Tensor[] = [];
          for (let l = L - 1; l >= 0; l--) {
            grads.push(tf.reshape(tf.sum(delta, 0), [-1]));
            grads.push(tf.reshape(tf.matMul(tf.transpose(acts[l]!), delta), [-1]));
            if (l > 0) {
              const a = acts[l]!;
              delta = tf.mul(tf.matMul(delta, params[l]!.wT), tf.mul(a, tf.sub(1, a)));
            }
          }
          // Gradients were produced last layer first, bias before weights: reverse into Spark's order.
          return [loss, ...grads.reverse()];
        });
        losses.push(res[0]!);
        const grads = res.slice(1);
        if (sums === undefined) {
          sums = grads;
        } else {
          const prev: Tensor[] = sums;
          sums = prev.map((g, k) => tf.add(g, grads[k]!));
          for (const t of [...prev, ...grads]) t.dispose();
        }
      }
      // One read back per evaluation; block losses come back one by one to be summed in double precision.
      const parts = [...losses, ...sums!];
      out = tf.tidy(() => tf.concat(parts));
      const data = out.dataSync();
      const B = losses.length;
      let lossSum = 0;
      for (let k = 0; k < B; k++) lossSum += data[k]!;
      const gradient = new Float64Array(total);
      for (let k = 0; k < total; k++) gradient[k] = data[B + k]! / numRows;
      return { value: lossSum / numRows, gradient };
    } finally {
      out?.dispose();
      for (const t of [...losses, ...(sums ?? [])]) t.dispose();
      for (const p of params) {
        p.w.dispose();
        p.wT.dispose();
        p.b.dispose();
      }
    }
  };
  return {
    f,
    dispose: () => {
      for (const b of blocks) {
        b.x.dispose();
        b.y.dispose();
      }
    },
  };
}

/** Checks a layers array against the data: first = numFeatures, last = numClasses. */
export function checkLayers(uid: string, layers: readonly number[], numFeatures: number, numClasses: number): void {
  if (layers[0] !== numFeatures) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${uid}: layers ${describeValue(layers)} starts with ${layers[0]} inputs but the features have ${numFeatures}; the first layer must equal the feature count`,
    );
  }
  if (layers.at(-1)! < numClasses) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${uid}: layers ${describeValue(layers)} ends with ${layers.at(-1)} outputs but the label has ${numClasses} classes; the last layer must be the number of classes`,
    );
  }
}
