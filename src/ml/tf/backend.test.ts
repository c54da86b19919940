import { afterEach, describe, expect, it } from 'vitest';
import { setTfBackend, tfBackendName, tfReady } from './backend.js';

const saved = process.env['EDDY_TF_BACKEND'];
afterEach(() => {
  if (saved === undefined) delete process.env['EDDY_TF_BACKEND'];
  else process.env['EDDY_TF_BACKEND'] = saved;
});

describe('TensorFlow.js backend selection', () => {
  it('refuses an unknown EDDY_TF_BACKEND, naming it and the choices, and recovers once it is corrected', async () => {
    process.env['EDDY_TF_BACKEND'] = 'gpu';
    expect(() => tfReady()).toThrow(/EDDY_TF_BACKEND is "gpu"; use one of tensorflow, wasm, cpu/);
    process.env['EDDY_TF_BACKEND'] = 'cpu';
    const tf = await tfReady();
    expect(tf.getBackend()).toBe('cpu');
    expect(tfBackendName()).toBe('cpu');
  });

  it('switches between wasm and cpu; both compute the same product', async () => {
    const results: number[][] = [];
    for (const name of ['wasm', 'cpu']) {
      const tf = await setTfBackend(name);
      expect(tf.getBackend()).toBe(name);
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[4], [5], [6]])));
      results.push(Array.from(out.dataSync()));
      out.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(results).toEqual([[32], [32]]);
  });

  it('a logistic regression fitted on wasm and on cpu reaches the same optimum', async () => {
    const { LogisticRegression, Vectors, createDataFrame } = await import('../../index.js');
    const { FileSystemRegistry } = await import('../../storage/registry.js');
    const registry = new FileSystemRegistry();
    const rows = Array.from({ length: 40 }, (_, i) => {
      const a = Math.sin(i * 1.3);
      const b = Math.cos(i * 0.7) * 3;
      return [Vectors.dense([a, b]), a + 0.2 * b + Math.sin(i * 5.1) > 0 ? 1 : 0];
    });
    const df = createDataFrame({ resolvePath: (p) => registry.resolve(p) }, rows, 'features VECTOR, label DOUBLE');
    const fits: number[][] = [];
    for (const name of ['wasm', 'cpu']) {
      await setTfBackend(name);
      const m = await new LogisticRegression({ regParam: 0.01 }).fit(df);
      fits.push([...m.coefficients.values, m.intercept]);
    }
    fits[0]!.forEach((v, i) => expect(Math.abs(v - fits[1]![i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
  });

  it('asking for tfjs-node where it is not installed is a clear error', async () => {
    let installed = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      installed = false;
    }
    if (installed) {
      expect((await setTfBackend('node')).getBackend()).toBe('tensorflow');
    } else {
      await expect(setTfBackend('tensorflow')).rejects.toThrow(
        /the TensorFlow.js backend tensorflow cannot be started here \(install @tensorflow\/tfjs-node to use it\)/,
      );
    }
    // A failed choice is forgotten: the next call picks a working backend again.
    delete process.env['EDDY_TF_BACKEND'];
    expect(['tensorflow', 'wasm']).toContain((await tfReady()).getBackend());
  });
});
