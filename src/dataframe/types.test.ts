import { describe, expect, it } from 'vitest';
import {
  ArrayType,
  DoubleType,
  LongType,
  StringType,
  StructType,
  TimestampType,
  parseDataType,
  parseSchema,
  simpleString,
} from './types.js';
import { DenseVector, SparseVector, formatJavaDouble } from './vector.js';
import { formatTimestamp, parseTimestamp } from './values.js';

describe('types', () => {
  it('prints a schema tree exactly as Spark printSchema does, nested types included', () => {
    const s = new StructType([
      { name: 'id', dataType: LongType, nullable: false },
      { name: 'words', dataType: ArrayType(StringType, true), nullable: true },
      {
        name: 'window',
        dataType: new StructType([
          { name: 'start', dataType: TimestampType, nullable: true },
          { name: 'end', dataType: TimestampType, nullable: true },
        ]),
        nullable: true,
      },
      { name: 'n', dataType: { kind: 'int' }, nullable: true },
    ]);
    expect(s.treeString()).toBe(
      [
        'root',
        ' |-- id: long (nullable = false)',
        ' |-- words: array (nullable = true)',
        ' |    |-- element: string (containsNull = true)',
        ' |-- window: struct (nullable = true)',
        ' |    |-- start: timestamp (nullable = true)',
        ' |    |-- end: timestamp (nullable = true)',
        ' |-- n: integer (nullable = true)',
        '',
      ].join('\n'),
    );
    expect(simpleString(s)).toBe(
      'struct<id:bigint,words:array<string>,window:struct<start:timestamp,end:timestamp>,n:int>',
    );
  });

  it('parses Spark type names and DDL schemas', () => {
    expect(parseDataType('bigint')).toEqual(LongType);
    expect(parseDataType('ARRAY<DOUBLE>')).toEqual(ArrayType(DoubleType));
    expect(simpleString(parseDataType('struct<a:int,b:array<string>>'))).toBe('struct<a:int,b:array<string>>');
    expect(parseSchema('name STRING, age INT, `odd name` double').fieldNames).toEqual(['name', 'age', 'odd name']);
    expect(() => parseDataType('strnig')).toThrow(/unknown type "strnig"/);
    expect(() => parseSchema('a INT,')).toThrow(/cannot parse type/);
  });

  it('finds fields case-insensitively, preferring an exact match', () => {
    const s = new StructType([
      { name: 'A', dataType: LongType, nullable: true },
      { name: 'a', dataType: LongType, nullable: true },
    ]);
    expect(s.indexOf('a')).toBe(1);
    expect(s.indexOf('A')).toBe(0);
    expect(new StructType([{ name: 'Name', dataType: StringType, nullable: true }]).indexOf('name')).toBe(0);
  });
});

describe('value formatting', () => {
  it('prints doubles as Java does', () => {
    expect(formatJavaDouble(1)).toBe('1.0');
    expect(formatJavaDouble(0.1)).toBe('0.1');
    expect(formatJavaDouble(-2.5)).toBe('-2.5');
    expect(formatJavaDouble(1e7)).toBe('1.0E7');
    expect(formatJavaDouble(1.5e-4)).toBe('1.5E-4');
    expect(formatJavaDouble(1234567.0)).toBe('1234567.0');
    expect(formatJavaDouble(NaN)).toBe('NaN');
    expect(formatJavaDouble(-Infinity)).toBe('-Infinity');
  });

  it('prints and parses timestamps as Spark casts them', () => {
    expect(formatTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('2024-01-02 03:04:05');
    expect(formatTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5, 120))).toBe('2024-01-02 03:04:05.12');
    expect(parseTimestamp('2024-01-02 03:04:05')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parseTimestamp('2024-01-02T03:04:05.5+01:00')).toBe(Date.UTC(2024, 0, 2, 2, 4, 5, 500));
    expect(parseTimestamp('2024-01-02')).toBe(Date.UTC(2024, 0, 2));
    expect(parseTimestamp('yesterday')).toBeNull();
  });

  it('prints vectors as Spark ML does and validates sparse ones', () => {
    expect(new DenseVector([1, 2.5]).toString()).toBe('[1.0,2.5]');
    const sv = new SparseVector(4, [0, 3], [1, 2]);
    expect(sv.toString()).toBe('(4,[0,3],[1.0,2.0])');
    expect(Array.from(sv.toArray())).toEqual([1, 0, 0, 2]);
    expect(sv.get(3)).toBe(2);
    expect(() => new SparseVector(2, [1, 0], [1, 1])).toThrow(/out of order/);
  });
});
