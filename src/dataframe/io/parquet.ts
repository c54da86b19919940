import {
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
  type SchemaTree,
} from 'hyparquet';
import { ByteWriter, ParquetWriter, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import { EddyError, describeValue, toEddyError } from '../../common/errors.js';
import type { FileSystem, ReadableFile } from '../../storage/filesystem.js';
import { RecordBatch } from '../batch.js';
import { ColumnBuilder, ColumnVector } from '../column-vector.js';
import type { Partition } from '../plan.js';
import { PrunedColumn } from '../pruned-column.js';
import { passes, type ScanRequest, type SourceFilter } from '../scan-request.js';
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
  type StructField,
} from '../types.js';
import { mergeTypes } from '../values.js';
import { DenseVector, SparseVector, type Vector } from '../vector.js';
import type { Dataset } from './dataset-files.js';
import type { Options } from './options.js';
import type { FileWriterFactory } from './text-writers.js';
import type { OutputFile } from './writer.js';

/**
 * Parquet through hyparquet (reading) and hyparquet-writer (writing): pure JavaScript, maintained, with
 * snappy built in, so no native binary is needed. Files are written as Spark writes them (root
 * "spark_schema", UTF8 strings, TIMESTAMP_MICROS adjusted to UTC, 3-level LISTs, snappy by default) and are
 * read back as one partition per row group. Vectors are stored as Spark ML's VectorUDT struct
 * (type, size, indices, values), so Spark reads them as vectors and Eddy reads Spark's back.
 */

function asyncBuffer(file: ReadableFile): AsyncBuffer {
  return {
    byteLength: file.length,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const e = end ?? file.length;
      const bytes = await file.read(start, e - start);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

// Timestamps come back as epoch milliseconds, Eddy's internal unit, without building Date objects.
const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(v) / 1000,
  timestampFromNanoseconds: (v: bigint) => Number(v) / 1e6,
  dateFromDays: (d: number) => d * 86_400_000,
};

/** The Eddy type of a Parquet schema node. */
function typeOf(node: SchemaTree): DataType {
  const el = node.element;
  const logical = el.logical_type?.type;
  if (el.converted_type === 'LIST' || logical === 'LIST') {
    const repeated = node.children[0];
    if (!repeated) return ArrayType(StringType);
    // 3-level lists (list/element) and the legacy 2-level form (a repeated leaf).
    const elem =
      repeated.children.length === 1 && repeated.element.repetition_type === 'REPEATED' && repeated.children[0]
        ? repeated.children[0]
        : repeated;
    return ArrayType(typeOf(elem));
  }
  if (node.children.length > 0) {
    if (isVectorUdt(node)) return VectorType;
    return new StructType(
      node.children.map((c) => ({
        name: c.element.name,
        dataType: typeOf(c),
        nullable: c.element.repetition_type !== 'REQUIRED',
      })),
    );
  }
  switch (el.type) {
    case 'BOOLEAN':
      return BooleanType;
    case 'INT32':
      if (el.converted_type === 'DATE' || logical === 'DATE') return TimestampType;
      if (el.converted_type === 'DECIMAL' || logical === 'DECIMAL') return DoubleType;
      return IntegerType;
    case 'INT64':
      if (
        el.converted_type === 'TIMESTAMP_MILLIS' ||
        el.converted_type === 'TIMESTAMP_MICROS' ||
        logical === 'TIMESTAMP'
      )
        return TimestampType;
      if (el.converted_type === 'DECIMAL' || logical === 'DECIMAL') return DoubleType;
      return LongType;
    case 'INT96':
      return TimestampType;
    case 'FLOAT':
    case 'DOUBLE':
      return DoubleType;
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      if (
        el.converted_type === 'UTF8' ||
        el.converted_type === 'JSON' ||
        el.converted_type === 'ENUM' ||
        logical === 'STRING' ||
        logical === 'JSON' ||
        logical === 'ENUM'
      )
        return StringType;
      if (el.converted_type === 'DECIMAL' || logical === 'DECIMAL') return DoubleType;
      return BinaryType;
    default:
      throw new EddyError(
        'UNSUPPORTED',
        `Parquet column ${describeValue(el.name)} has unsupported type ${describeValue(el.type)}`,
      );
  }
}

/** Spark ML stores a vector as struct<type: tinyint, size: int, indices: array<int>, values: array<double>>. */
function isVectorUdt(node: SchemaTree): boolean {
  return node.children.map((c) => c.element.name).join(',') === 'type,size,indices,values';
}

/** A value as hyparquet decodes it, turned into Eddy's internal value of type t. */
function fromParquet(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'timestamp':
      return v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : v;
    case 'long':
      return typeof v === 'bigint' ? v : BigInt(v as number);
    case 'int':
    case 'double':
      return typeof v === 'bigint' ? Number(v) : v;
    case 'string':
      return typeof v === 'string'
        ? v
        : v instanceof Uint8Array
          ? new TextDecoder().decode(v)
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v);
    case 'array':
      return (v as unknown[]).map((x) => fromParquet(x, t.elementType));
    case 'struct': {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(t.fields.map((f) => [f.name, fromParquet(o[f.name], f.dataType)]));
    }
    case 'vector': {
      const o = v as { type?: number; size?: number | null; indices?: number[] | null; values?: number[] | null };
      const values = (o.values ?? []).map(Number);
      return Number(o.type) === 0
        ? new SparseVector(Number(o.size), (o.indices ?? []).map(Number), values)
        : new DenseVector(values);
    }
    default:
      return v;
  }
}

async function withFile<T>(fs: FileSystem, path: string, fn: (file: ReadableFile) => Promise<T>): Promise<T> {
  const file = await fs.open(path);
  try {
    return await fn(file);
  } finally {
    await file.close();
  }
}

function fileFields(meta: FileMetaData): StructField[] {
  const root = parquetSchema(meta);
  return root.children.map((c) => ({
    name: c.element.name,
    dataType: typeOf(c),
    nullable: c.element.repetition_type !== 'REQUIRED',
  }));
}

export async function parquetScan(
  fs: FileSystem,
  ds: Dataset,
  _opts: Options,
  userSchema: StructType | null,
): Promise<{ schema: StructType; partitions: (req: ScanRequest) => Partition[] }> {
  const files = ds.files.filter((f) => f.status.length > 0);
  const metas: FileMetaData[] = [];
  for (const f of files) {
    try {
      metas.push(await withFile(fs, f.status.path, (file) => parquetMetadataAsync(asyncBuffer(file))));
    } catch (e) {
      throw toEddyError(e, 'CORRUPT_DATA', `${f.status.uri} is not a readable Parquet file`);
    }
  }
  let data: StructField[];
  if (userSchema) data = [...userSchema.fields];
  else {
    if (metas.length === 0)
      throw new EddyError(
        'ANALYSIS_ERROR',
        'unable to infer schema for Parquet: no data files; it must be specified manually with .schema(...)',
      );
    // Spark takes the schema of one file (mergeSchema=false); numeric widening covers files written apart.
    const merged = new Map<string, StructField>();
    for (const m of metas) {
      for (const f of fileFields(m)) {
        const prev = merged.get(f.name);
        merged.set(
          f.name,
          prev ? { ...prev, dataType: mergeTypes(prev.dataType, f.dataType) ?? prev.dataType, nullable: true } : f,
        );
      }
    }
    data = [...merged.values()];
  }
  const names = new Set(data.map((f) => f.name.toLowerCase()));
  const schema = new StructType([...data, ...ds.partitionFields.filter((f) => !names.has(f.name.toLowerCase()))]);
  // Only the requested columns' chunks are read and decoded (Parquet is columnar: the others are not touched).
  const partitions = (req: ScanRequest): Partition[] => {
    const built = (j: number): boolean => req.columns === null || req.columns.includes(j);
    const out: Partition[] = [];
    // Partition pruning: a file whose partition values a filter rejects is not read.
    const onPartitions = req.filters.filter((x) => x.column >= data.length);
    const rowFilters = req.filters.filter((x) => x.column < data.length);
    const lower = ds.partitionFields.map((x) => x.name.toLowerCase());
    const valueOf = (f: (typeof files)[number], j: number): unknown =>
      f.partitionValues[lower.indexOf(schema.fields[j]!.name.toLowerCase())] ?? null;
    files.forEach((f, fi) => {
      if (!onPartitions.every((x) => passes(x, valueOf(f, x.column)))) return;
      const meta = metas[fi]!;
      const present = new Set(fileFields(meta).map((x) => x.name));
      let rowStart = 0;
      for (const rg of meta.row_groups) {
        const start = rowStart;
        const end = start + Number(rg.num_rows);
        rowStart = end;
        if (end === start || rowGroupRejected(rg, rowFilters, data)) continue;
        const n = end - start;
        out.push(async function* () {
          const cols = await withFile(fs, f.status.path, async (file) => {
            const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
            const wanted = data.filter((d, j) => built(j) && present.has(d.name)).map((d) => d.name);
            if (wanted.length > 0) {
              await parquetRead({
                file: asyncBuffer(file),
                metadata: meta,
                columns: wanted,
                rowStart: start,
                rowEnd: end,
                parsers: PARSERS,
                onChunk: (c) => {
                  const list = chunks.get(c.columnName) ?? [];
                  list.push({ rowStart: c.rowStart, data: c.columnData as ArrayLike<unknown> });
                  chunks.set(c.columnName, list);
                },
              });
            }
            return data.map((d, j) =>
              built(j) ? column(d, chunks.get(d.name) ?? [], start, end) : new PrunedColumn(d.dataType, n),
            );
          });
          let k = 0;
          ds.partitionFields.forEach((pf, pk) => {
            if (names.has(pf.name.toLowerCase())) return;
            const j = data.length + k++;
            cols.push(
              built(j)
                ? ColumnVector.constant(pf.dataType, f.partitionValues[pk], n)
                : new PrunedColumn(pf.dataType, n),
            );
          });
          yield new RecordBatch(schema, cols, n);
        });
      }
    });
    return out;
  };
  return { schema, partitions };
}

/**
 * Whether a row group's statistics show that no row can pass a filter (Spark's Parquet filter pushdown), so
 * it is not read. Only numeric min/max are trusted: the rows a skipped group holds would all fail the Filter
 * above (NaN and null fail every comparison), so skipping one never changes a result.
 */
function rowGroupRejected(
  rg: FileMetaData['row_groups'][number],
  filters: readonly SourceFilter[],
  data: readonly StructField[],
): boolean {
  for (const f of filters) {
    if (!('value' in f) || typeof f.value !== 'number') continue;
    const name = data[f.column]!.name;
    const chunk = rg.columns.find(
      (c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name,
    );
    const st = chunk?.meta_data?.statistics;
    const min: unknown = st?.min_value ?? st?.min;
    const max: unknown = st?.max_value ?? st?.max;
    if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max)) continue;
    const v = f.value;
    const none =
      f.op === 'gt'
        ? max <= v
        : f.op === 'ge'
          ? max < v
          : f.op === 'lt'
            ? min >= v
            : f.op === 'le'
              ? min > v
              : v < min || v > max;
    if (none) return true;
  }
  return false;
}

/** Assembles rows [start, end) of one column from the chunks hyparquet decoded. */
function column(
  field: StructField,
  chunks: { rowStart: number; data: ArrayLike<unknown> }[],
  start: number,
  end: number,
): ColumnVector {
  const n = end - start;
  const t = field.dataType;
  if (chunks.length === 1 && chunks[0]!.rowStart === start && chunks[0]!.data.length === n) {
    const d = chunks[0]!.data;
    // Fast paths: hyparquet hands back typed arrays for required numeric columns.
    if (t.kind === 'double' && d instanceof Float64Array) return new ColumnVector(t, n, d, null);
    if (t.kind === 'int' && d instanceof Int32Array) return new ColumnVector(t, n, d, null);
    if (t.kind === 'long' && d instanceof BigInt64Array) return new ColumnVector(t, n, d, null);
  }
  const b = new ColumnBuilder(t, n);
  let row = start;
  for (const c of chunks.sort((x, y) => x.rowStart - y.rowStart)) {
    for (let i = Math.max(0, row - c.rowStart); i < c.data.length && c.rowStart + i < end; i++) {
      b.append(fromParquet(c.data[i], t));
      row = c.rowStart + i + 1;
    }
  }
  while (b.length < n) b.append(null);
  return b.finish();
}

/** The Parquet schema element(s) of a field, as Spark writes them. */
function elements(name: string, t: DataType, nullable: boolean): SchemaElement[] {
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (t.kind) {
    case 'string':
      return [{ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type }];
    case 'int':
      return [{ name, type: 'INT32', repetition_type }];
    case 'long':
      return [{ name, type: 'INT64', repetition_type }];
    case 'double':
      return [{ name, type: 'DOUBLE', repetition_type }];
    case 'boolean':
      return [{ name, type: 'BOOLEAN', repetition_type }];
    case 'binary':
      return [{ name, type: 'BYTE_ARRAY', repetition_type }];
    case 'timestamp':
      return [
        {
          name,
          type: 'INT64',
          converted_type: 'TIMESTAMP_MICROS',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
          repetition_type,
        },
      ];
    case 'array':
      return [
        { name, repetition_type, converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        ...elements('element', t.elementType, true),
      ];
    case 'struct':
      return [
        { name, repetition_type, num_children: t.fields.length },
        ...t.fields.flatMap((f) => elements(f.name, f.dataType, f.nullable)),
      ];
    case 'vector':
      return [
        { name, repetition_type, num_children: 4 },
        { name: 'type', type: 'INT32', converted_type: 'INT_8', repetition_type: 'REQUIRED' },
        { name: 'size', type: 'INT32', repetition_type: 'OPTIONAL' },
        ...elements('indices', { kind: 'array', elementType: IntegerType, containsNull: false }, true).map((e, i) =>
          i === 2 ? { ...e, repetition_type: 'REQUIRED' as const } : e,
        ),
        ...elements('values', { kind: 'array', elementType: DoubleType, containsNull: false }, true).map((e, i) =>
          i === 2 ? { ...e, repetition_type: 'REQUIRED' as const } : e,
        ),
      ];
    default:
      throw new EddyError(
        'UNSUPPORTED',
        `Parquet output of ${simpleString(t)} (column ${describeValue(name)}) is not supported; write JSON, or cast it first`,
      );
  }
}

/** Column values in the form hyparquet-writer takes: typed arrays when there are no nulls, else plain arrays. */
function columnData(c: ColumnVector): ColumnSource['data'] {
  const t = c.type;
  if (c.validity === null) {
    if (t.kind === 'double' || t.kind === 'int' || t.kind === 'long') return c.data as Float64Array;
  }
  const out: unknown[] = new Array<unknown>(c.length);
  for (let i = 0; i < c.length; i++) out[i] = toParquet(c.get(i), t);
  return out as ColumnSource['data'];
}

function toParquet(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (t.kind === 'timestamp') return BigInt(Math.round((v as number) * 1000));
  if (t.kind === 'array') return (v as unknown[]).map((x) => toParquet(x, t.elementType));
  if (t.kind === 'struct') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(t.fields.map((f) => [f.name, toParquet(o[f.name], f.dataType)]));
  }
  if (t.kind === 'vector') {
    if (v instanceof SparseVector)
      return { type: 0, size: v.size, indices: Array.from(v.indices), values: Array.from(v.values) };
    return { type: 1, size: null, indices: null, values: Array.from((v as Vector).toArray()) };
  }
  return v;
}

const CODECS: Record<string, 'SNAPPY' | 'UNCOMPRESSED'> = {
  snappy: 'SNAPPY',
  none: 'UNCOMPRESSED',
  uncompressed: 'UNCOMPRESSED',
};

export function parquetFileWriter(schema: StructType, opts: Options): FileWriterFactory {
  const codecName = opts.string('compression', 'snappy').toLowerCase();
  const codec = CODECS[codecName];
  if (!codec)
    throw new EddyError(
      'UNSUPPORTED',
      `Parquet compression ${describeValue(codecName)} is not supported; use snappy (default) or none`,
    );
  const schemaElements: SchemaElement[] = [
    { name: 'spark_schema', num_children: schema.fields.length },
    ...schema.fields.flatMap((f) => elements(f.name, f.dataType, f.nullable)),
  ];
  const rowGroupSize = opts.int('parquet.block.rows', 1_000_000) || 1_000_000;
  return {
    extension: codec === 'SNAPPY' ? '.snappy.parquet' : '.parquet',
    async create(fs, path): Promise<OutputFile> {
      const file = await fs.create(path, { overwrite: false });
      // Bytes leave for the file after every row group, so memory holds one row group, not the whole file.
      const bytes = new ByteWriter() as ByteWriter & { flush?: () => Promise<void> };
      let pending = Promise.resolve();
      const flush = (): Promise<void> => {
        const chunk = new Uint8Array(bytes.buffer, 0, bytes.index).slice();
        bytes.index = 0;
        pending = pending.then(() => file.write(chunk));
        return pending;
      };
      bytes.flush = flush;
      bytes.finish = () => void flush();
      const writer = new ParquetWriter({
        writer: bytes,
        schema: schemaElements,
        codec,
        createdBy: 'Eddy (hyparquet-writer)',
      });
      let batches: RecordBatch[] = [];
      let rows = 0;
      const writeGroup = async (): Promise<void> => {
        if (rows === 0) return;
        const all = RecordBatch.concat(schema, batches);
        batches = [];
        rows = 0;
        await writer.write({
          columnData: schema.fields.map((f, j) => ({ name: f.name, data: columnData(all.column(j)) })),
          rowGroupSize,
        });
      };
      let done = false;
      return {
        async add(b) {
          batches.push(b);
          rows += b.numRows;
          if (rows >= rowGroupSize) await writeGroup();
        },
        async close() {
          if (done) return;
          done = true;
          await writeGroup();
          await writer.finish();
          await pending;
          await file.close();
        },
        async abort() {
          done = true;
          await file.abort();
        },
      };
    },
  };
}
