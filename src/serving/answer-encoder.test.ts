import { describe, expect, it } from 'vitest';
import { DenseVector } from '../dataframe/vector.js';
import { AnswerEncoder } from './answer-encoder.js';
import type { ServingSchema } from './serving-schema.js';

const schema: ServingSchema = {
  fields: [
    { name: 'a', type: 'double', optional: false },
    { name: 'label', type: 'string', optional: true },
  ],
  predictionCol: 'prediction',
  probabilityCol: 'probability',
  labels: ['no', 'yes "quoted"'],
};

/** What the answer must parse to: the input's fields, then the answer's (an object spread's result). */
function expected(fields: Record<string, unknown>, p: number, prob: number[], savedAt: number | null) {
  return {
    ...fields,
    prediction: p,
    predictedLabel: schema.labels![p] ?? null,
    probability: prob,
    modelUid: 'Pipeline_1',
    ...(savedAt === null ? {} : { modelSavedAt: savedAt }),
  };
}

describe('AnswerEncoder', () => {
  it('appends the answer to the input text, equal to re-encoding the whole object', () => {
    const enc = new AnswerEncoder(schema, 'Pipeline_1', 1700000000000);
    const text = '{ "a": 5.10, "note": "kept \\u00e9 as is" }  ';
    const fields = JSON.parse(text) as Record<string, unknown>;
    const out = enc.encode(text, fields, 1, new DenseVector([0.25, 0.75]));
    expect(out.startsWith('{ "a": 5.10, "note": "kept \\u00e9 as is" ,"prediction":1')).toBe(true);
    expect(JSON.parse(out)).toEqual(expected(fields, 1, [0.25, 0.75], 1700000000000));
    expect(Object.keys(JSON.parse(out) as object)).toEqual(Object.keys(expected(fields, 1, [0.25, 0.75], 1)));
  });

  it('re-encodes a message that already carries an answer field, so the answer replaces it once', () => {
    const enc = new AnswerEncoder(schema, 'Pipeline_1', null);
    const text = '{"prediction": "mine", "a": 1, "modelUid": "x"}';
    const fields = JSON.parse(text) as Record<string, unknown>;
    const out = enc.encode(text, fields, 0, new DenseVector([1, 0]));
    expect(out.match(/"prediction"/g)).toHaveLength(1);
    expect(out.match(/"modelUid"/g)).toHaveLength(1);
    expect(JSON.parse(out)).toEqual(expected(fields, 0, [1, 0], null));
  });

  it('writes null for a prediction with no label and for non-finite numbers', () => {
    const enc = new AnswerEncoder(schema, 'Pipeline_1', null);
    const out = JSON.parse(enc.encode('{"a":1}', { a: 1 }, 7, new DenseVector([NaN, Infinity]))) as Record<
      string,
      unknown
    >;
    expect(out).toMatchObject({ prediction: 7, predictedLabel: null, probability: [null, null] });
  });

  it('with no required field, never appends to what may be an empty object', () => {
    const onlyOptional: ServingSchema = { ...schema, fields: [schema.fields[1]!], labels: null };
    const enc = new AnswerEncoder(onlyOptional, 'M', null);
    expect(JSON.parse(enc.encode('{}', {}, 1, null))).toEqual({ prediction: 1, probability: null, modelUid: 'M' });
  });
});
