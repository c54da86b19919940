import { describe, expect, it } from 'vitest';
import { BatchDecoder, messagesOfList, type InputMessage } from './message-batch.js';
import { decodeMessage } from './message-codec.js';
import type { ServingField } from './serving-schema.js';

const fields: ServingField[] = [
  { name: 'x', type: 'double', optional: false },
  { name: 'label', type: 'string', optional: true },
  { name: 'word', type: 'string', optional: false },
];

const message = (value: string | null, offset: number): InputMessage => ({
  key: Buffer.from(`k${offset}`),
  value: value === null ? null : Buffer.from(value),
  partition: offset % 2,
  offset: BigInt(offset),
  timestampMs: 1000 + offset,
});

describe('BatchDecoder', () => {
  const values = [
    '{"x": 1.5, "word": "a"}',
    'nope',
    '{"x": null, "word": "b", "label": "L"}',
    null,
    '{"x": "2", "word": "c"}',
    '[1]',
    '{"word": "d"}',
    '{"x": 3, "word": "e"}',
  ];
  const batch = messagesOfList(values.map((v, i) => message(v, i)));

  it('fills typed columns with the good messages and gives decodeMessage’s reasons for the others', () => {
    const d = new BatchDecoder('json', fields).decode(batch);
    expect(d.good).toEqual([0, 2, 7]);
    // All three are flat: read from their bytes, the answer to be appended before their closing brace.
    expect(Array.from(d.closeAt)).toEqual([0, 2, 7].map((i) => values[i]!.lastIndexOf('}')));
    expect(d.texts).toEqual([undefined, undefined, undefined]);
    const [x, word] = d.columns;
    expect(x!.data).toBeInstanceOf(Float64Array);
    expect([0, 1, 2].map((i) => x!.get(i))).toEqual([1.5, null, 3]);
    expect([0, 1, 2].map((i) => word!.get(i))).toEqual(['a', 'b', 'e']);
    for (const { index, reason } of d.dead) {
      const one = decodeMessage(batch.values[index]!, 'json', fields);
      expect(one.ok).toBe(false);
      expect(reason).toBe((one as { reason: string }).reason);
    }
    expect(d.dead.map((x) => x.index)).toEqual([1, 3, 4, 5, 6]);
  });

  it('decodes CSV lines of the required fields, echoing them as JSON', () => {
    const csv = messagesOfList(['1.5,a', '2,b,extra', ',c'].map((v, i) => message(v, i)));
    const d = new BatchDecoder('csv', fields).decode(csv);
    expect(Array.from(d.closeAt)).toEqual([-1, -1]);
    expect(d.good).toEqual([0, 2]);
    expect(d.texts.map((t) => JSON.parse(t!) as unknown)).toEqual([
      { x: 1.5, word: 'a' },
      { x: null, word: 'c' },
    ]);
    expect(d.dead).toEqual([{ index: 1, reason: 'expected 2 CSV fields (x,word), got 3' }]);
  });
});

it('takes the JSON.parse path for what the scanner does not accept, with the same values', () => {
  const values = [
    '{"x": 1e400, "word": "a"}', // Number() of the text, through the scanner
    '{"x": 2, "word": "esc\\u00e9", "nested": {"a": [1]}}', // nested: JSON.parse
    '{"x": 3, "word": "f", "prediction": 1}', // an answer field: JSON.parse, so the answer replaces it
    '{"x": 4, "x": null, "word": "g"}', // a duplicate: the last wins, as in JSON.parse
  ];
  const d = new BatchDecoder('json', fields, ['prediction']).decode(
    messagesOfList(values.map((v, i) => message(v, i))),
  );
  expect(d.good).toEqual([0, 1, 2, 3]);
  expect(Array.from(d.closeAt).map((c) => c >= 0)).toEqual([true, false, false, true]);
  const [x, word] = d.columns;
  const parsed = values.map((v) => JSON.parse(v) as { x: number | null; word: string });
  expect([0, 1, 2, 3].map((i) => x!.get(i))).toEqual(parsed.map((p) => p.x));
  expect([0, 1, 2, 3].map((i) => word!.get(i))).toEqual(parsed.map((p) => p.word));
  expect(d.objects[2]).toEqual(parsed[2]);
});
