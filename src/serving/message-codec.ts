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
 * Decodes one message value. JSON: an object carrying every required field (numbers for numeric columns,
 * strings for string ones; null is passed on for the model to judge). CSV: one line of the required fields in
 * the order of `fields` (optional ones left out). Never throws: a bad message becomes a reason.
 */
export function decodeMessage(value: Buffer | null, format: MessageFormat, fields: readonly ServingField[]): Decoded {
  if (value === null) return { ok: false, reason: 'the message has no value' };
  const text = value.toString('utf8');
  let obj: Record<string, unknown>;
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return { ok: false, reason: `not JSON: ${(e as Error).message}` };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, reason: `expected a JSON object, got ${describeValue(parsed)}` };
    }
    obj = parsed as Record<string, unknown>;
  } else {
    const wanted = fields.filter((f) => !f.optional);
    const cells = text.replace(/\r?\n$/, '').split(',');
    if (cells.length !== wanted.length) {
      return {
        ok: false,
        reason: `expected ${wanted.length} CSV fields (${wanted.map((f) => f.name).join(',')}), got ${cells.length}`,
      };
    }
    obj = {};
    for (const [i, f] of wanted.entries()) {
      const cell = cells[i]!.trim();
      if (f.type === 'string') obj[f.name] = cell;
      else if (cell === '') obj[f.name] = null;
      else {
        const n = Number(cell);
        if (!Number.isFinite(n))
          return { ok: false, reason: `field '${f.name}' is ${describeValue(cell)}, not a number` };
        obj[f.name] = n;
      }
    }
  }
  const row: Record<string, unknown> = {};
  for (const f of fields) {
    const has = Object.prototype.hasOwnProperty.call(obj, f.name);
    // A label column is not needed to predict; leaving it out keeps its indexer from refusing unseen labels.
    if (f.optional) continue;
    if (!has) return { ok: false, reason: `missing field '${f.name}'` };
    const v = obj[f.name];
    if (v === null) row[f.name] = null;
    else if (f.type === 'double' && typeof v !== 'number') {
      return { ok: false, reason: `field '${f.name}' is ${describeValue(v)}, expected a number` };
    } else if (f.type === 'string' && typeof v !== 'string') {
      return { ok: false, reason: `field '${f.name}' is ${describeValue(v)}, expected a string` };
    } else row[f.name] = v;
  }
  return { ok: true, fields: obj, row };
}
