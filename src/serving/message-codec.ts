import { EddyError, describeValue } from '../common/errors.js';
import type { ServingField } from './serving-schema.js';

export type MessageFormat = 'json' | 'csv';

export function parseMessageFormat(format: string): MessageFormat {
  const f = String(format).toLowerCase();
  if (f === 'json' || f === 'csv') return f;
  throw new EddyError('INVALID_ARGUMENT', `unknown message format ${describeValue(format)}; use 'json' or 'csv'`);
}

/** A decoded message: the fields echoed to the output, and the model's input row (by column name). */
export type Decoded =
  { ok: true; fields: Record<string, unknown>; row: Record<string, unknown> } | { ok: false; reason: string };

/**
 * Parses one message's text into its fields: a JSON object, or a CSV line of the required fields in the order
 * of `required` (numbers for numeric columns, '' as null). Returns the reason instead when it cannot.
 */
export function parseMessage(
  text: string,
  format: MessageFormat,
  required: readonly ServingField[],
): Record<string, unknown> | string {
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return `not JSON: ${(e as Error).message}`;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return `expected a JSON object, got ${describeValue(parsed)}`;
    }
    return parsed as Record<string, unknown>;
  }
  const cells = text.replace(/\r?\n$/, '').split(',');
  if (cells.length !== required.length) {
    return `expected ${required.length} CSV fields (${required.map((f) => f.name).join(',')}), got ${cells.length}`;
  }
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < required.length; i++) {
    const f = required[i]!;
    const cell = cells[i]!.trim();
    if (f.type === 'string') obj[f.name] = cell;
    else if (cell === '') obj[f.name] = null;
    else {
      const n = Number(cell);
      if (!Number.isFinite(n)) return `field '${f.name}' is ${describeValue(cell)}, not a number`;
      obj[f.name] = n;
    }
  }
  return obj;
}

/**
 * Why a required field of a parsed message is unusable (missing, or of the wrong JSON type), or null when it is
 * fine. A null value passes: the model judges it (VectorAssembler's handleInvalid).
 */
export function fieldProblem(obj: Record<string, unknown>, f: ServingField): string | null {
  const v = obj[f.name];
  if (v === undefined && !Object.prototype.hasOwnProperty.call(obj, f.name)) return `missing field '${f.name}'`;
  if (v === null) return null;
  if (f.type === 'double' && typeof v !== 'number')
    return `field '${f.name}' is ${describeValue(v)}, expected a number`;
  if (f.type === 'string' && typeof v !== 'string')
    return `field '${f.name}' is ${describeValue(v)}, expected a string`;
  return null;
}

/**
 * Decodes one message value. JSON: an object carrying every required field (numbers for numeric columns,
 * strings for string ones; null is passed on for the model to judge). CSV: one line of the required fields in
 * the order of `fields` (optional ones left out). Never throws: a bad message becomes a reason.
 */
export function decodeMessage(
  value: Uint8Array | null,
  format: MessageFormat,
  fields: readonly ServingField[],
): Decoded {
  if (value === null) return { ok: false, reason: 'the message has no value' };
  // A label column is not needed to predict; leaving it out keeps its indexer from refusing unseen labels.
  const required = fields.filter((f) => !f.optional);
  const obj = parseMessage(utf8(value), format, required);
  if (typeof obj === 'string') return { ok: false, reason: obj };
  const row: Record<string, unknown> = {};
  for (const f of required) {
    const problem = fieldProblem(obj, f);
    if (problem !== null) return { ok: false, reason: problem };
    row[f.name] = obj[f.name];
  }
  return { ok: true, fields: obj, row };
}

/** The UTF-8 text of bytes, without copying them (a Buffer view over the same memory). */
export function utf8(bytes: Uint8Array): string {
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString(
    'utf8',
  );
}
