import { describe, expect, it } from 'vitest';
import { decodeBatch, messagesOfList, type InputMessage } from './message-batch.js';
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

describe('decodeBatch', () => {
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
    const d = decodeBatch(batch, 'json', fields);
    expect(d.good).toEqual([0, 2, 7]);
    expect(d.texts).toEqual([values[0], values[2], values[7]]);
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
    const d = decodeBatch(csv, 'csv', fields);
    expect(d.good).toEqual([0, 2]);
    expect(d.texts.map((t) => JSON.parse(t) as unknown)).toEqual([
      { x: 1.5, word: 'a' },
      { x: null, word: 'c' },
    ]);
    expect(d.dead).toEqual([{ index: 1, reason: 'expected 2 CSV fields (x,word), got 3' }]);
  });
});
