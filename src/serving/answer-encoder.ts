import { Vector } from '../dataframe/vector.js';
import type { ServingSchema } from './serving-schema.js';

/**
 * Writes answer messages: the input's fields, then the prediction, its label, the probability and the model
 * that answered. The input's JSON text is kept as it came and the answer's fields are appended to it, which
 * spares a JSON.stringify of every field of every message; a message already carrying one of the answer's field
 * names is re-encoded whole instead, so the answer's value replaces it (as an object spread would).
 */
export class AnswerEncoder {
  private readonly answerKeys: string[];
  private readonly labelJson: string[] | null;
  private readonly predictionKey: string | null;
  private readonly probabilityKey: string | null;
  /** A message carries every required field, so with one or more it is never the empty object. */
  private readonly hasRequired: boolean;
  /** `,"modelUid":…,"modelSavedAt":…}`: the same for every answer of one model. */
  private readonly tail: string;

  constructor(
    private readonly schema: ServingSchema,
    private readonly modelUid: string,
    private readonly savedAt: number | null,
  ) {
    const s = schema;
    this.answerKeys = [s.predictionCol, s.labels ? 'predictedLabel' : null, s.probabilityCol, 'modelUid']
      .concat(savedAt !== null ? ['modelSavedAt'] : [])
      .filter((k): k is string => k !== null);
    this.hasRequired = s.fields.some((f) => !f.optional);
    this.labelJson = s.labels ? s.labels.map((l) => JSON.stringify(l)) : null;
    this.predictionKey = s.predictionCol ? `,${JSON.stringify(s.predictionCol)}:` : null;
    this.probabilityKey = s.probabilityCol ? `,${JSON.stringify(s.probabilityCol)}:` : null;
    this.tail =
      `,"modelUid":${JSON.stringify(modelUid)}` +
      (savedAt !== null ? `,"modelSavedAt":${jsonNumber(savedAt)}` : '') +
      '}';
  }

  /**
   * One answer. `text` is the message's JSON object text and `fields` its parse; prediction and probability are
   * the model's outputs for it (a number, a Vector; null or undefined when the model has none).
   */
  encode(text: string, fields: Record<string, unknown>, prediction: unknown, probability: unknown): string {
    const end = text.lastIndexOf('}');
    if (end < 0 || this.collides(fields)) return JSON.stringify(this.object(fields, prediction, probability));
    let out = text.slice(0, end);
    if (this.predictionKey !== null) {
      out += this.predictionKey + jsonValue(prediction);
      if (this.labelJson !== null) {
        const label = typeof prediction === 'number' ? this.labelJson[prediction] : undefined;
        out += `,"predictedLabel":${label ?? 'null'}`;
      }
    }
    if (this.probabilityKey !== null) out += this.probabilityKey + jsonValue(probability);
    return out + this.tail;
  }

  /** Whether the input's text cannot simply be appended to: it holds an answer field, or may be `{}`. */
  private collides(fields: Record<string, unknown>): boolean {
    if (!this.hasRequired) return true;
    for (const k of this.answerKeys) if (Object.prototype.hasOwnProperty.call(fields, k)) return true;
    return false;
  }

  private object(fields: Record<string, unknown>, prediction: unknown, probability: unknown): Record<string, unknown> {
    const s = this.schema;
    const out: Record<string, unknown> = { ...fields };
    if (s.predictionCol) {
      out[s.predictionCol] = prediction ?? null;
      if (s.labels) out['predictedLabel'] = typeof prediction === 'number' ? (s.labels[prediction] ?? null) : null;
    }
    if (s.probabilityCol)
      out[s.probabilityCol] = probability instanceof Vector ? Array.from(probability.toArray()) : (probability ?? null);
    out['modelUid'] = this.modelUid;
    if (this.savedAt !== null) out['modelSavedAt'] = this.savedAt;
    return out;
  }
}

function jsonNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

/** JSON of a model output: numbers and vectors (as arrays) written directly, anything else by JSON.stringify. */
function jsonValue(v: unknown): string {
  if (typeof v === 'number') return jsonNumber(v);
  if (v instanceof Vector) {
    const a = v.toArray();
    let s = '[';
    for (let i = 0; i < a.length; i++) s += (i === 0 ? '' : ',') + jsonNumber(a[i]!);
    return s + ']';
  }
  return v === undefined ? 'null' : JSON.stringify(v);
}
