import * as arrow from 'apache-arrow';
import { EddyError, describeValue } from '../common/errors.js';
import { RecordBatch } from './batch.js';
import { ColumnBuilder, ColumnVector } from './column-vector.js';
import {
  ArrayType,
  BinaryType,
  BooleanType,
  DoubleType,
  IntegerType,
  LongType,
  StringType,
  StructType,
  TimestampType,
  VectorType,
  simpleString,
  type DataType,
} from './types.js';
import { DenseVector, Vector } from './vector.js';

/**
 * Conversion to and from Apache Arrow tables (apache-arrow on npm). Numeric columns without nulls are handed
 * over as their typed arrays, without copying row by row; validity bytes are packed into Arrow's bitmaps.
 * A vector column becomes List<Float64> with field metadata `eddy.type = vector`, so fromArrow restores it.
 */

function arrowType(t: DataType): arrow.DataType {
  switch (t.kind) {
    case 'string':
      return new arrow.Utf8();
    case 'boolean':
      return new arrow.Bool();
    case 'int':
      return new arrow.Int32();
    case 'long':
      return new arrow.Int64();
    case 'double':
      return new arrow.Float64();
    case 'timestamp':
      return new arrow.TimestampMillisecond('UTC');
    case 'binary':
      return new arrow.Binary();
    case 'vector':
      return new arrow.List(new arrow.Field('element', new arrow.Float64(), false));
    case 'array':
      return new arrow.List(new arrow.Field('element', arrowType(t.elementType), t.containsNull));
    case 'struct':
      return new arrow.Struct(t.fields.map((f) => new arrow.Field(f.name, arrowType(f.dataType), f.nullable)));
    case 'null':
      return new arrow.Null();
  }
}

function packBits(validity: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) if (validity[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

function toArrowValue(v: unknown, t: DataType): unknown {
  if (v === null) return null;
  if (t.kind === 'vector') return (v as Vector).toArray();
  if (t.kind === 'array') return (v as unknown[]).map((x) => toArrowValue(x, t.elementType));
  if (t.kind === 'struct') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(t.fields.map((f) => [f.name, toArrowValue(o[f.name] ?? null, f.dataType)]));
  }
  return v;
}

function arrowVector(c: ColumnVector): arrow.Vector {
  const t = c.type;
  const type = arrowType(t);
  const n = c.length;
  const nullCount = c.nullCount();
  const nullBitmap = nullCount > 0 && c.validity ? packBits(c.validity, n) : undefined;
  if (t.kind === 'double' || t.kind === 'int' || t.kind === 'long') {
    return arrow.makeVector(
      arrow.makeData({ type: type as arrow.Float64, length: n, nullCount, data: c.data as Float64Array, nullBitmap }),
    );
  }
  if (t.kind === 'timestamp') {
    const data = BigInt64Array.from(c.data as Float64Array, (ms) => BigInt(Math.round(ms)));
    return arrow.makeVector(
      arrow.makeData({ type: type as arrow.TimestampMillisecond, length: n, nullCount, data, nullBitmap }),
    );
  }
  if (t.kind === 'boolean') {
    const bits = packBits(c.data as Uint8Array, n);
    return arrow.makeVector(arrow.makeData({ type: type as arrow.Bool, length: n, nullCount, data: bits, nullBitmap }));
  }
  const values: unknown[] = new Array<unknown>(n);
  for (let i = 0; i < n; i++) values[i] = toArrowValue(c.get(i), t);
  return arrow.vectorFromArray(values, type);
}

/** A DataFrame's batch as an Arrow table (the same column names, Arrow's types for Eddy's). */
export function batchToArrow(b: RecordBatch): arrow.Table {
  const fields = b.schema.fields.map(
    (f) =>
      new arrow.Field(
        f.name,
        arrowType(f.dataType),
        f.nullable,
        f.dataType.kind === 'vector' ? new Map([['eddy.type', 'vector']]) : undefined,
      ),
  );
  const schema = new arrow.Schema(fields);
  const children = b.columns.map((c) => arrowVector(c).data[0]!);
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: b.numRows, nullCount: 0, children });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, struct));
}

function eddyType(f: arrow.Field): DataType {
  if (f.metadata.get('eddy.type') === 'vector') return VectorType;
  return fromArrowType(f.type as arrow.DataType, f.name);
}

function fromArrowType(t: arrow.DataType, name: string): DataType {
  if (arrow.DataType.isFloat(t) || arrow.DataType.isDecimal(t)) return DoubleType;
  if (arrow.DataType.isInt(t)) return t.bitWidth === 64 || (t.bitWidth === 32 && !t.isSigned) ? LongType : IntegerType;
  if (arrow.DataType.isBool(t)) return BooleanType;
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return StringType;
  if (arrow.DataType.isDictionary(t)) return fromArrowType(t.dictionary, name);
  if (arrow.DataType.isBinary(t) || arrow.DataType.isLargeBinary(t) || arrow.DataType.isFixedSizeBinary(t))
    return BinaryType;
  if (arrow.DataType.isTimestamp(t) || arrow.DataType.isDate(t)) return TimestampType;
  if (arrow.DataType.isList(t) || arrow.DataType.isFixedSizeList(t)) {
    const child = t.children[0]!;
    return ArrayType(fromArrowType(child.type as arrow.DataType, name), child.nullable);
  }
  if (arrow.DataType.isStruct(t)) {
    return new StructType(
      t.children.map((c) => ({
        name: c.name,
        dataType: fromArrowType(c.type as arrow.DataType, c.name),
        nullable: c.nullable,
      })),
    );
  }
  throw new EddyError(
    'UNSUPPORTED',
    `Arrow column ${describeValue(name)} has type ${String(t)}, which Eddy cannot hold; cast it first`,
  );
}

function fromArrowValue(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'long':
      return typeof v === 'bigint' ? v : BigInt(v as number);
    case 'int':
    case 'double':
      return typeof v === 'bigint' ? Number(v) : v;
    case 'timestamp':
      return v instanceof Date ? v.getTime() : Number(v);
    case 'vector':
      return new DenseVector(Float64Array.from(v as Iterable<number>));
    case 'array':
      return Array.from(v as Iterable<unknown>, (x) => fromArrowValue(x, t.elementType));
    case 'struct': {
      const o = (v as { toJSON(): Record<string, unknown> }).toJSON();
      return Object.fromEntries(t.fields.map((f) => [f.name, fromArrowValue(o[f.name], f.dataType)]));
    }
    default:
      return v;
  }
}

/** An Arrow table as Eddy batches (one per Arrow record batch), and its schema. */
export function arrowToBatches(table: arrow.Table): { schema: StructType; batches: RecordBatch[] } {
  const schema = new StructType(
    table.schema.fields.map((f) => ({ name: f.name, dataType: eddyType(f), nullable: f.nullable })),
  );
  const batches = table.batches.map((rb) => {
    const cols = schema.fields.map((f, j) => {
      const v = rb.getChildAt(j)!;
      const t = f.dataType;
      const direct =
        v.nullCount === 0 &&
        ((t.kind === 'double' && arrow.DataType.isFloat(v.type) && v.type.precision === arrow.Precision.DOUBLE) ||
          (t.kind === 'int' && arrow.DataType.isInt(v.type) && v.type.bitWidth === 32 && v.type.isSigned) ||
          (t.kind === 'long' && arrow.DataType.isInt(v.type) && v.type.bitWidth === 64 && v.type.isSigned));
      if (direct) return new ColumnVector(t, rb.numRows, v.toArray() as Float64Array, null);
      const b = new ColumnBuilder(t, rb.numRows);
      for (let i = 0; i < rb.numRows; i++) b.append(fromArrowValue(v.get(i), t));
      return b.finish();
    });
    return new RecordBatch(schema, cols, rb.numRows);
  });
  for (const f of schema.fields)
    if (f.dataType.kind === 'null')
      throw new EddyError('UNSUPPORTED', `Arrow column ${f.name} of ${simpleString(f.dataType)} type`);
  return { schema, batches };
}

export { arrow };
