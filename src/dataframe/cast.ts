import { EddyError } from '../common/errors.js';
import { simpleString, type DataType } from './types.js';
import { formatValue, parseTimestamp } from './values.js';
import { Vector } from './vector.js';

/**
 * Spark's (non-ANSI) CAST on one internal value: a value that does not convert becomes null rather than an
 * error, as Spark does with spark.sql.ansi.enabled=false (its default before 4.0).
 */
export function castValue(v: unknown, from: DataType, to: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (to.kind) {
    case 'string':
      if (from.kind === 'binary') return new TextDecoder().decode(v as Uint8Array);
      return formatValue(v, from);
    case 'double':
      return toNumber(v, from);
    case 'int': {
      const n = toNumber(v, from);
      return n === null || !Number.isFinite(n) ? null : Math.trunc(n) | 0;
    }
    case 'long': {
      if (typeof v === 'bigint') return v;
      if (from.kind === 'string') {
        const s = (v as string).trim();
        if (/^[+-]?\d+$/.test(s)) {
          const b = BigInt(s);
          return BigInt.asIntN(64, b) === b ? b : null;
        }
      }
      const n = toNumber(v, from);
      return n === null || !Number.isFinite(n) ? null : BigInt.asIntN(64, BigInt(Math.trunc(n)));
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase();
        if (['t', 'true', 'y', 'yes', '1'].includes(s)) return true;
        if (['f', 'false', 'n', 'no', '0'].includes(s)) return false;
        return null;
      }
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'bigint') return v !== 0n;
      return null;
    case 'timestamp':
      if (from.kind === 'timestamp') return v;
      if (typeof v === 'string') return parseTimestamp(v);
      // Spark reads numbers cast to timestamp as seconds since the epoch.
      if (typeof v === 'number') return v * 1000;
      if (typeof v === 'bigint') return Number(v) * 1000;
      return null;
    case 'binary':
      if (v instanceof Uint8Array) return v;
      if (typeof v === 'string') return new TextEncoder().encode(v);
      return null;
    case 'array':
      if (from.kind !== 'array') return null;
      return (v as unknown[]).map((x) => castValue(x, from.elementType, to.elementType));
    case 'vector':
      if (v instanceof Vector) return v;
      return null;
    case 'struct':
      return from.kind === 'struct' ? v : null;
    case 'null':
      return null;
  }
}

function toNumber(v: unknown, from: DataType): number | null {
  if (typeof v === 'number') return from.kind === 'timestamp' ? v / 1000 : v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return null;
    const n = Number(s);
    return Number.isNaN(n) && s !== 'NaN' ? null : n;
  }
  return null;
}

/** Whether CAST(from AS to) is allowed at all (Spark's Cast.canCast, simplified). */
export function canCast(from: DataType, to: DataType): boolean {
  if (from.kind === to.kind || from.kind === 'null' || to.kind === 'string') {
    return from.kind !== 'array' || to.kind !== 'array' || canCast(from.elementType, to.elementType);
  }
  const scalar = ['string', 'boolean', 'int', 'long', 'double', 'timestamp'];
  if (scalar.includes(from.kind) && scalar.includes(to.kind)) return true;
  if (to.kind === 'binary') return from.kind === 'string';
  if (from.kind === 'array' && to.kind === 'array') return canCast(from.elementType, to.elementType);
  return false;
}

export function castError(name: string, from: DataType, to: DataType): EddyError {
  return new EddyError(
    'ANALYSIS_ERROR',
    `cannot resolve '${name}' due to data type mismatch: cannot cast ${simpleString(from)} to ${simpleString(to)}`,
  );
}
