import { describe, expect, it } from 'vitest';
import { ColumnVector } from './column-vector.js';
import { GroupIndex } from './group-index.js';
import { BooleanType, DoubleType, LongType, StringType, TimestampType, StructType } from './types.js';

const WINDOW = new StructType([
  { name: 'start', dataType: TimestampType, nullable: true },
  { name: 'end', dataType: TimestampType, nullable: true },
]);

describe('GroupIndex', () => {
  it('one key: ids in order of first appearance, nulls one group, NaN one group, 0 and -0 one group', () => {
    const idx = new GroupIndex(1);
    const words = ColumnVector.fromValues(StringType, ['b', 'a', null, 'b', null]);
    expect([...idx.assign([words], 5)]).toEqual([0, 1, 2, 0, 2]);
    expect(idx.keyValues(0)).toEqual(['b', 'a', null]);
    // Later batches continue the same ids.
    expect([...idx.assign([ColumnVector.fromValues(StringType, ['c', 'a'])], 2)]).toEqual([3, 1]);
    expect(idx.size).toBe(4);
    const d = new GroupIndex(1);
    expect([...d.assign([ColumnVector.fromValues(DoubleType, [NaN, 0, -0, NaN, 1.5])], 5)]).toEqual([0, 1, 1, 0, 2]);
  });

  it('several keys of several types, structs compared by value', () => {
    const idx = new GroupIndex(3);
    const w1 = { start: 0, end: 10 };
    const cols = [
      ColumnVector.fromValues(WINDOW, [w1, { start: 0, end: 10 }, w1, { start: 10, end: 20 }, null]),
      ColumnVector.fromValues(LongType, [1n, 1n, 2n, 1n, 1n]),
      ColumnVector.fromValues(BooleanType, [true, true, true, true, false]),
    ];
    expect([...idx.assign(cols, 5)]).toEqual([0, 0, 1, 2, 3]);
    expect(idx.keyValues(0)).toEqual([w1, w1, { start: 10, end: 20 }, null]);
    expect(idx.keyValues(1)).toEqual([1n, 2n, 1n, 1n]);
    expect(idx.keyValues(2)).toEqual([true, true, true, false]);
    // Groups sharing a value share its code.
    expect(idx.code(0, 0)).toBe(idx.code(0, 1));
    expect(idx.code(0, 2)).not.toBe(idx.code(0, 0));
    expect(idx.distinctValues(0)).toBe(3);
  });

  it('two keys: pairs are told apart however the codes combine', () => {
    const idx = new GroupIndex(2);
    const a = ColumnVector.fromValues(StringType, ['x', 'x', 'y', 'y', 'x']);
    const b = ColumnVector.fromValues(StringType, ['1', '2', '1', '2', '1']);
    expect([...idx.assign([a, b], 5)]).toEqual([0, 1, 2, 3, 0]);
    expect(idx.keyValues(0)).toEqual(['x', 'x', 'y', 'y']);
    expect(idx.keyValues(1)).toEqual(['1', '2', '1', '2']);
  });

  it('two keys with many values on both sides: ids stay right when the pair tables give way to Maps', () => {
    const idx = new GroupIndex(2);
    // Every first value meets an early-coded second value, then a late-coded one, so each table grows to thousands
    // of cells: past the tables' budget, a table's pairs move to a Map. Ids must match a reference keyed by the pair, batch after batch.
    const reference = new Map<string, number>();
    for (let batch = 0; batch < 3; batch++) {
      const as: number[] = [];
      const bs: number[] = [];
      for (let b = 0; b < 3000; b++) {
        as.push(0);
        bs.push(b);
      }
      for (let a = 1; a < 2000; a++) {
        as.push(a, a, a);
        bs.push(a % 50, 2999 - (a % 7), (a * batch) % 3000);
      }
      const gids = idx.assign(
        [ColumnVector.fromValues(LongType, as.map(BigInt)), ColumnVector.fromValues(LongType, bs.map(BigInt))],
        as.length,
      );
      for (let i = 0; i < as.length; i++) {
        const key = `${as[i]}|${bs[i]}`;
        if (!reference.has(key)) reference.set(key, reference.size);
        expect(gids[i]).toBe(reference.get(key));
      }
    }
    expect(idx.size).toBe(reference.size);
  });

  it('no keys: one group', () => {
    const idx = new GroupIndex(0);
    expect([...idx.assign([], 3)]).toEqual([0, 0, 0]);
    expect(idx.size).toBe(1);
  });
});
