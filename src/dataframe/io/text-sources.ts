import { EddyError, describeValue } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';
import { readSplitLines } from '../../storage/line-reader.js';
import { splitLines, splitTexts } from './split-text.js';
import { RecordBatch } from '../batch.js';
import { ColumnVector } from '../column-vector.js';
import { SinkColumn } from './csv-sink.js';
import type { Partition } from '../plan.js';
import { PrunedColumn } from '../pruned-column.js';
import { passes, type ScanRequest, type SourceFilter } from '../scan-request.js';
import { StringType, StructType, type StructField } from '../types.js';
import { datasetSplits, type Dataset, type DatasetSplit } from './dataset-files.js';
import { inferJsonSchema, jsonToInternal, parseJsonLine } from './json.js';
import { parseMode, type Options, type ParseMode } from './options.js';

/** Rows per batch a scan yields: big enough to amortise per-batch work, small enough to bound memory. */
export const SCAN_BATCH_ROWS = 32_768;

/**
 * Parses one record (text[a, b)) into row `row` of the data columns that have a sink (pruned columns have
 * none; every sink but the corrupt-record one gets a value or null): 'ok', 'partial' (some fields did not
 * fit), 'bad' (not a record at all), or 'skip' (a pushed filter rejects the row; it is not kept).
 */
export type LineParser = (
  text: string,
  a: number,
  b: number,
  row: number,
  cols: (SinkColumn | undefined)[],
) => 'ok' | 'partial' | 'bad' | 'skip';

/**
 * Where the record starting at `a` ends (the index of its terminating "\n"), -1 when it runs past the text
 * (a quoted field still open): multiLine CSV. Plain line formats end every record at the next newline.
 */
export type RecordEnd = (text: string, a: number) => number;

/** The partitions of a scan for a request: only requested columns are built, filters may drop rows. */
export type ScanPartitions = (req: ScanRequest) => Partition[] | Promise<Partition[]>;

export interface TextScan {
  schema: StructType;
  partitions: ScanPartitions;
}

/** How one scan of line-oriented text turns into batches (all plain data, except the parser). */
export interface TextScanShape {
  schema: StructType;
  /** Fields [0, dataFields) come from the text; the rest are partition columns. */
  dataFields: number;
  /** The corrupt-record column among the data fields, -1 if none. */
  corruptIndex: number;
  /** Which columns to build (null: all); the others are PrunedColumns. */
  columns: readonly number[] | null;
  skipHeader: boolean;
  mode: ParseMode;
  format: string;
  keepBlank: boolean;
  /** multiLine CSV: records may span lines. */
  recordEnd?: RecordEnd;
}

export function malformed(mode: ParseMode, line: string, split: DatasetSplit, format: string, why: string): EddyError {
  return new EddyError(
    'CORRUPT_DATA',
    `Malformed records are detected in record parsing. Parse Mode: ${mode}. ${format} record ${describeValue(line)} in ${split.uri}: ${why}. ` +
      `To keep going, read with option("mode", "PERMISSIVE") or "DROPMALFORMED".`,
  );
}

/**
 * The data columns a request needs and the filters a scan may apply. Asking for the corrupt-record column
 * turns pruning and filtering off, as Spark does: which record is malformed depends on every field.
 */
export function narrowRequest(
  req: ScanRequest,
  dataFields: number,
  corruptIndex: number,
): { columns: number[] | null; filters: SourceFilter[]; partitionFilters: SourceFilter[] } {
  // Whole partitions can always be left out: no record in them is read, so none can be malformed.
  const partitionFilters = req.filters.filter((f) => f.column >= dataFields);
  if (req.columns === null || (corruptIndex >= 0 && req.columns.includes(corruptIndex)))
    return { columns: null, filters: [], partitionFilters };
  return {
    columns: [...req.columns],
    filters: req.filters.filter((f) => f.column < dataFields && req.columns!.includes(f.column)),
    partitionFilters,
  };
}

/**
 * The splits with their partition values lined up with the schema's partition columns (a partition column
 * that shares its name with a data column is not in the schema), and without the splits of partitions a
 * filter on a partition column rejects: those files are not even opened (Spark's PartitionFilters).
 */
export function partitionSplits(
  splits: readonly DatasetSplit[],
  ds: Dataset,
  schema: StructType,
  dataFields: number,
  filters: readonly SourceFilter[] = [],
): DatasetSplit[] {
  const lower = ds.partitionFields.map((f) => f.name.toLowerCase());
  const index = schema.fields.slice(dataFields).map((f) => lower.indexOf(f.name.toLowerCase()));
  const onPartitions = filters.filter((f) => f.column >= dataFields);
  const out: DatasetSplit[] = [];
  for (const s of splits) {
    const values = index.map((pk) => s.partitionValues[pk] ?? null);
    if (onPartitions.every((f) => passes(f, values[f.column - dataFields])))
      out.push({ ...s, partitionValues: values });
  }
  return out;
}

/** Whether row r of the sinks fails one of the filters (columns a filter names always have sinks). */
export function rejects(filters: readonly SourceFilter[], sinks: (SinkColumn | undefined)[], r: number): boolean {
  for (let k = 0; k < filters.length; k++) {
    const f = filters[k]!;
    if (!passes(f, sinks[f.column]!.value(r))) return true;
  }
  return false;
}

/** One input split of a line-oriented file as a partition: records parsed into batches of SCAN_BATCH_ROWS rows. */
export function splitPartition(
  fs: FileSystem,
  split: DatasetSplit,
  shape: TextScanShape,
  parse: LineParser,
): Partition {
  const { schema, dataFields, corruptIndex, skipHeader, mode, format, keepBlank, recordEnd } = shape;
  const wanted = shape.columns === null ? null : new Set(shape.columns);
  const built = (j: number): boolean => wanted === null || wanted.has(j);
  return async function* () {
    const sinks = schema.fields
      .slice(0, dataFields)
      .map((f, j) => (built(j) ? new SinkColumn(f.dataType, SCAN_BATCH_ROWS) : undefined));
    const flush = (n: number): RecordBatch => {
      const cols: ColumnVector[] = sinks.map((c, j) => c?.finish(n) ?? new PrunedColumn(schema.fields[j]!.dataType, n));
      schema.fields.slice(dataFields).forEach((f, k) => {
        const j = dataFields + k;
        cols.push(
          built(j) ? ColumnVector.constant(f.dataType, split.partitionValues[k], n) : new PrunedColumn(f.dataType, n),
        );
      });
      return new RecordBatch(schema, cols, n);
    };
    const corrupt = corruptIndex >= 0 ? sinks[corruptIndex] : undefined;
    let headerPending = skipHeader && split.start === 0;
    let rows = 0;
    const ready: RecordBatch[] = [];
    /** Parses the records of text from `a` on; returns where an unfinished record starts (multiLine), or -1. */
    const consume = (text: string, final: boolean): number => {
      let a = 0;
      while (a <= text.length) {
        let nl = recordEnd ? recordEnd(text, a) : text.indexOf('\n', a);
        if (nl < 0) {
          if (recordEnd && !final) return a;
          nl = text.length;
        }
        const b = nl > a && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        const start = a;
        a = nl + 1;
        if (!keepBlank && (b === start || (format === 'JSON' && text.slice(start, b).trim().length === 0))) continue;
        if (headerPending) {
          headerPending = false;
          continue;
        }
        const r = parse(text, start, b, rows, sinks);
        if (r === 'skip') continue;
        if (r !== 'ok') {
          if (mode === 'FAILFAST') {
            const why =
              r === 'partial' ? 'a field does not fit its type or the field count is wrong' : 'cannot parse it';
            throw malformed(mode, text.slice(start, b), split, format, why);
          }
          // The row is not advanced, so the next record overwrites what this one wrote.
          if (mode === 'DROPMALFORMED') continue;
          if (r === 'bad') for (let j = 0; j < sinks.length; j++) if (j !== corruptIndex) sinks[j]?.setNull(rows);
        }
        corrupt?.set(rows, r === 'ok' ? null : text.slice(start, b));
        if (++rows >= SCAN_BATCH_ROWS) {
          ready.push(flush(rows));
          rows = 0;
        }
      }
      return -1;
    };
    let carry: string | null = null;
    for await (const chunk of splitTexts(fs, split)) {
      // Chunks hold whole lines; the newline between two chunks is not in either.
      const text: string = carry === null ? chunk : `${carry}\n${chunk}`;
      const rest = consume(text, false);
      carry = rest < 0 ? null : text.slice(rest);
      yield* ready.splice(0);
    }
    if (carry !== null) consume(carry, true);
    yield* ready.splice(0);
    if (rows > 0) yield flush(rows);
  };
}

export async function firstLine(fs: FileSystem, ds: Dataset): Promise<string | null> {
  for (const f of ds.files) {
    if (f.status.length === 0) continue;
    for await (const lines of readSplitLines(fs, {
      uri: f.status.uri,
      path: f.status.path,
      start: 0,
      length: f.status.length,
      fileLength: f.status.length,
    })) {
      for (const l of lines) if (l.length > 0) return l;
    }
  }
  return null;
}

/** Spark's header handling: blank names become _c<i>, duplicates get their position appended. */
export function headerNames(tokens: (string | null)[]): string[] {
  const raw = tokens.map((t, i) => (t === null || t === '' ? `_c${i}` : t));
  const lower = raw.map((n) => n.toLowerCase());
  return raw.map((n, i) => (lower.indexOf(lower[i]!) !== lower.lastIndexOf(lower[i]!) ? `${n}${i}` : n));
}

/** Schema finalisation shared by CSV and JSON: the user's schema or the inferred one, plus partition columns. */
export function withPartitions(data: StructField[], ds: Dataset): StructType {
  const names = new Set(data.map((f) => f.name.toLowerCase()));
  return new StructType([...data, ...ds.partitionFields.filter((f) => !names.has(f.name.toLowerCase()))]);
}

export function maxPartitionBytes(opts: Options): number | undefined {
  const v = opts.get('maxPartitionBytes');
  return v === undefined ? undefined : opts.int('maxPartitionBytes', 0) || undefined;
}

export async function jsonScan(
  fs: FileSystem,
  ds: Dataset,
  opts: Options,
  userSchema: StructType | null,
): Promise<TextScan> {
  const mode = parseMode(opts);
  const corruptName = opts.string('columnNameOfCorruptRecord', '_corrupt_record');
  const splits = datasetSplits(ds, maxPartitionBytes(opts), true);
  let data: StructField[];
  if (userSchema) data = [...userSchema.fields];
  else {
    const lines = (async function* () {
      for (const s of splits) for await (const batch of splitLines(fs, s)) yield* batch;
    })();
    data = [...(await inferJsonSchema(lines, corruptName, mode)).fields];
    if (data.length === 0)
      throw new EddyError(
        'ANALYSIS_ERROR',
        `unable to infer schema for JSON: no records; it must be specified manually with .schema(...)`,
      );
  }
  const schema = withPartitions(data, ds);
  const corruptIndex = data.findIndex((x) => x.name === corruptName && x.dataType.kind === 'string');
  const partitions = (req: ScanRequest): Partition[] => {
    const { columns, filters, partitionFilters } = narrowRequest(req, data.length, corruptIndex);
    const parse: LineParser = (text, a, b, row, sinks) => {
      const line = text.slice(a, b);
      let obj: unknown;
      try {
        obj = parseJsonLine(line);
      } catch {
        return 'bad';
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return 'bad';
      const o = obj as Record<string, unknown>;
      let ok = true;
      for (let j = 0; j < data.length; j++) {
        const sink = sinks[j];
        if (j === corruptIndex || sink === undefined) continue;
        const v = fieldOf(o, data[j]!.name);
        const c = v === null || v === undefined ? null : jsonToInternal(v, data[j]!.dataType);
        if (c === undefined) ok = false;
        sink.set(row, c ?? null);
      }
      // A field that did not convert is null, and judged so (as in CSV).
      return rejects(filters, sinks, row) ? 'skip' : ok ? 'ok' : 'partial';
    };
    const shape: TextScanShape = {
      schema,
      dataFields: data.length,
      corruptIndex,
      columns,
      skipHeader: false,
      mode,
      format: 'JSON',
      keepBlank: false,
    };
    return partitionSplits(splits, ds, schema, data.length, partitionFilters).map((split) =>
      splitPartition(fs, split, shape, parse),
    );
  };
  return { schema, partitions };
}

function fieldOf(o: Record<string, unknown>, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

/** Every line of the files as a string column "value" (blank lines included), as Spark's text source. */
export function textScan(fs: FileSystem, ds: Dataset, opts: Options): TextScan {
  const schema = withPartitions([{ name: 'value', dataType: StringType, nullable: true }], ds);
  const splits = datasetSplits(ds, maxPartitionBytes(opts), true);
  const parse: LineParser = (text, a, b, row, sinks) => {
    sinks[0]?.set(row, text.slice(a, b));
    return 'ok';
  };
  const partitions = (req: ScanRequest): Partition[] => {
    const shape: TextScanShape = {
      schema,
      dataFields: 1,
      corruptIndex: -1,
      columns: req.columns,
      skipHeader: false,
      mode: 'PERMISSIVE',
      format: 'text',
      keepBlank: true,
    };
    return partitionSplits(splits, ds, schema, 1).map((split) => splitPartition(fs, split, shape, parse));
  };
  return { schema, partitions };
}
