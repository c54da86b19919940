import { EddyError } from '../../common/errors.js';

/**
 * Internal DataFrame values ⇄ JSON for the state store: longs are bigints, binaries Uint8Arrays and doubles may
 * be NaN or infinite, none of which JSON keeps. Tagged objects ({"$l": "12"}) carry them; windows and other
 * structs are plain objects and arrays, kept as they are.
 */
export function encodeValue(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $d: String(v) };
  if (typeof v === 'bigint') return { $l: v.toString() };
  if (v instanceof Uint8Array) return { $b: Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64') };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = encodeValue(x);
    return out;
  }
  throw new EddyError('UNSUPPORTED', `a value of type ${typeof v} cannot be kept in streaming state`);
}

export function decodeValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  const o = v as Record<string, unknown>;
  if (typeof o['$l'] === 'string') return BigInt(o['$l']);
  if (typeof o['$d'] === 'string') return Number(o['$d']);
  if (typeof o['$b'] === 'string') return new Uint8Array(Buffer.from(o['$b'], 'base64'));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decodeValue(x);
  return out;
}

/**
 * JSON.stringify(encodeValue(v)), written directly for the values state keys and buffers are made of (strings,
 * numbers, longs, arrays of them), so that a batch's many keys and buffers are encoded without building the
 * tagged objects first. Other values (structs such as windows, binaries) take the general path.
 */
export function stateJson(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : `{"$d":"${String(v)}"}`;
    case 'bigint':
      return `{"$l":"${v.toString()}"}`;
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + stateJson(v[i]);
        return `${out}]`;
      }
      return JSON.stringify(encodeValue(v));
  }
}
