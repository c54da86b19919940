import { EddyError, describeValue } from '../../common/errors.js';
import { eddyVersion } from '../../common/paths.js';
import type { Params } from '../param/params.js';

/** metadata.json of a saved stage, in the shape of Spark's DefaultParamsWriter plus formatVersion. */
export interface ModelMetadata {
  class: string;
  formatVersion: number;
  eddyVersion: string;
  timestamp: number;
  uid: string;
  paramMap: Record<string, unknown>;
  defaultParamMap: Record<string, unknown>;
  [extra: string]: unknown;
}

/** JSON has no NaN or infinities: as Spark's param JSON, they are written as the strings "NaN", "Infinity", "-Infinity". */
function encodeDouble(v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

function encodeDoubles(stage: Params, map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(map)) {
    const kind = stage.getParam(name).kind;
    out[name] =
      kind === 'double'
        ? encodeDouble(value)
        : kind === 'doubleArray' && Array.isArray(value)
          ? value.map(encodeDouble)
          : value;
  }
  return out;
}

export function buildMetadata(
  className: string,
  formatVersion: number,
  stage: Params,
  extra: Record<string, unknown>,
): ModelMetadata {
  return {
    class: className,
    formatVersion,
    eddyVersion: eddyVersion(),
    timestamp: Date.now(),
    uid: stage.uid,
    paramMap: encodeDoubles(stage, stage.userParamMap()),
    defaultParamMap: encodeDoubles(stage, stage.defaultParamMap()),
    ...extra,
  };
}

export function encodeMetadata(meta: ModelMetadata): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(meta, null, 2) + '\n');
}

/**
 * Parses and checks metadata.json: well-formed, of the expected class, in a format version this build reads.
 * Every error names the path and what is wrong.
 */
export function parseMetadata(
  bytes: Uint8Array,
  path: string,
  expectedClass: string,
  supportedVersions: readonly number[],
): ModelMetadata {
  let meta: ModelMetadata;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes)) as ModelMetadata;
  } catch (e) {
    throw new EddyError(
      'CORRUPT_DATA',
      `cannot load the model at ${path}: metadata.json is not valid JSON (truncated?)`,
      {
        cause: e,
      },
    );
  }
  if (meta === null || typeof meta !== 'object' || typeof meta.class !== 'string' || typeof meta.uid !== 'string') {
    throw new EddyError('CORRUPT_DATA', `cannot load the model at ${path}: metadata.json lacks "class" or "uid"`);
  }
  if (meta.class !== expectedClass) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `cannot load the model at ${path} as ${expectedClass}: it holds a ${meta.class}; load it with ${meta.class}.load`,
    );
  }
  if (!supportedVersions.includes(meta.formatVersion)) {
    throw new EddyError(
      'UNSUPPORTED',
      `cannot load the model at ${path}: formatVersion ${describeValue(meta.formatVersion)} is not one this Eddy ` +
        `(${eddyVersion()}) reads (${supportedVersions.join(', ')}); it was written by Eddy ${describeValue(meta.eddyVersion)}`,
    );
  }
  if (typeof meta.paramMap !== 'object' || meta.paramMap === null) {
    throw new EddyError('CORRUPT_DATA', `cannot load the model at ${path}: metadata.json has no paramMap`);
  }
  return meta;
}
