import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import { EddyError, describeValue } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';

/** The TensorFlow.js backends Eddy can run on, fastest first. */
export const TF_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type TfBackendName = (typeof TF_BACKENDS)[number];

export type Tf = typeof TfCore;

/**
 * Relative precision of an objective computed in float32 on TensorFlow.js (two units in the last place): the
 * optimizers stop a line search rather than halve steps on differences smaller than this.
 */
export const FLOAT32_RELATIVE_NOISE = 2 * 2 ** -23;

const log = getLogger('ml.tf');
// tfjs-node is not a dependency (its install downloads a native library from outside the npm registry); a user
// who installed it gets it. The name is in a variable so TypeScript does not require its types.
const TFJS_NODE = '@tensorflow/tfjs-node';
let ready: Promise<Tf> | undefined;
let loaded: Tf | undefined;
let wasmPathsSet = false;

function parseBackend(value: string, where: string): TfBackendName {
  const v = value.toLowerCase() === 'node' ? 'tensorflow' : value.toLowerCase();
  if (!(TF_BACKENDS as readonly string[]).includes(v)) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${where} is ${describeValue(value)}; use one of ${TF_BACKENDS.join(', ')} (or leave it unset to pick the fastest available)`,
    );
  }
  return v as TfBackendName;
}

async function tryBackend(tf: Tf, name: TfBackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      await import(TFJS_NODE);
    } else if (name === 'wasm' && !wasmPathsSet) {
      const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
      // The .wasm binaries ship inside the npm package: point the loader at that folder on disk.
      const wasmFile = createRequire(import.meta.url).resolve(
        '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
      );
      setWasmPaths(`${dirname(wasmFile)}/`);
      wasmPathsSet = true;
    }
    if (tf.findBackendFactory(name) === null) return false;
    return await tf.setBackend(name);
  } catch (e) {
    log.debug(`TensorFlow.js backend ${name} is not available: ${(e as Error).message}`);
    return false;
  }
}

async function select(forced: TfBackendName | undefined): Promise<Tf> {
  // Loaded on first use only: TensorFlow.js takes a noticeable part of a second to import, which every CLI
  // command (and every program that never fits one of these models) would otherwise pay.
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  // PROD silences tfjs's console warnings (the cpu backend prints a banner urging tfjs-node on first use);
  // Eddy reports the backend it chose through its own logger instead.
  tf.env().set('PROD', true);
  const order = forced === undefined ? TF_BACKENDS : [forced];
  for (const name of order) {
    if (await tryBackend(tf, name)) {
      log.debug(`TensorFlow.js backend: ${tf.getBackend()}`);
      loaded = tf;
      return tf;
    }
  }
  throw new EddyError(
    forced === undefined ? 'INTERNAL' : 'UNSUPPORTED',
    forced === undefined
      ? 'no TensorFlow.js backend could be started (not even cpu)'
      : `the TensorFlow.js backend ${forced} cannot be started here${forced === 'tensorflow' ? ' (install @tensorflow/tfjs-node to use it)' : ''}; unset EDDY_TF_BACKEND or choose another of ${TF_BACKENDS.join(', ')}`,
  );
}

/**
 * TensorFlow.js with a backend ready: EDDY_TF_BACKEND (tensorflow | wasm | cpu) when set, else
 * @tensorflow/tfjs-node when the user has installed it, else wasm, else the plain JavaScript cpu backend.
 */
export function tfReady(): Promise<Tf> {
  if (ready === undefined) {
    const env = process.env['EDDY_TF_BACKEND'];
    const forced = env === undefined || env === '' ? undefined : parseBackend(env, 'EDDY_TF_BACKEND');
    ready = select(forced);
    // A failed start is not remembered, so that a corrected setting takes effect on the next call.
    ready.catch(() => (ready = undefined));
  }
  return ready;
}

/** Forces a backend for the rest of the process (as EDDY_TF_BACKEND does at start). */
export function setTfBackend(name: string): Promise<Tf> {
  ready = select(parseBackend(name, 'the TensorFlow.js backend'));
  ready.catch(() => (ready = undefined));
  return ready;
}

/** The backend in use, or undefined before the first fit. */
export function tfBackendName(): string | undefined {
  return ready === undefined ? undefined : loaded?.getBackend();
}
