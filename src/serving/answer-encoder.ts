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
    return text.slice(0, end) + this.suffix(prediction, probability);
  }

  /**
   * One answer written as bytes into `arena`: the message's bytes up to its closing brace (at `closeAt`; the
   * flat-JSON scanner has checked the message holds no answer field), then the answer's fields.
   */
  encodeInto(arena: ByteArena, bytes: Uint8Array, closeAt: number, prediction: unknown, probability: unknown): Buffer {
    const suffix = this.suffix(prediction, probability);
    return arena.put(bytes, closeAt, suffix);
  }

  /** The answer's fields, from the comma after the input's last field to the closing brace. */
  private suffix(prediction: unknown, probability: unknown): string {
    let out = '';
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

  /** The answer's field names: a message carrying one of them is re-encoded whole. */
  get fieldNames(): readonly string[] {
    return this.answerKeys;
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

/**
 * The bytes of a batch's answers, in chunks: each answer is a view into a chunk, so writing N answers costs a
 * few allocations, not N buffers and N strings.
 */
export class ByteArena {
  private chunk = Buffer.allocUnsafe(0);
  private used = 0;

  constructor(private readonly chunkSize = 256 * 1024) {}

  /** Appends bytes[0, end) then `text` (UTF-8); returns a view of what was appended. */
  put(bytes: Uint8Array, end: number, text: string): Buffer {
    const need = end + text.length * 3;
    if (this.chunk.length - this.used < need) {
      this.chunk = Buffer.allocUnsafe(Math.max(this.chunkSize, need));
      this.used = 0;
    }
    const start = this.used;
    this.chunk.set(end === bytes.length ? bytes : bytes.subarray(0, end), start);
    const written = this.chunk.write(text, start + end, 'utf8');
    this.used = start + end + written;
    return this.chunk.subarray(start, this.used);
  }
}
