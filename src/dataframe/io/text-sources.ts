import { EddyError, describeValue } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';
import { readSplitLines } from '../../storage/line-reader.js';
import { splitLines } from './split-text.js';
import { RecordBatch } from '../batch.js';
import { ColumnVector } from '../column-vector.js';
import { SinkColumn } from './csv-sink.js';
import type { Partition } from '../plan.js';
import { StringType, StructType, parseDataType, simpleString, type StructField } from '../types.js';
import { workerScriptExists } from './scan-worker-path.js';
import { checkCsvType, csvFormat, inferFieldType, mergeInferred, parseCsvLine, type CsvFormat } from './csv.js';
import { datasetSplits, type Dataset, type DatasetSplit } from './dataset-files.js';
import { inferJsonSchema, jsonToInternal, parseJsonLine } from './json.js';
import { parseMode, type Options, type ParseMode } from './options.js';

/** Rows per batch a scan yields: big enough to amortise per-batch work, small enough to bound memory. */
export const SCAN_BATCH_ROWS = 32_768;

/**
 * Parses one line into row `row` of the data columns (every column but the corrupt-record one gets a value or
 * null): 'ok', 'partial' (some fields did not fit), or 'bad' (not a record at all).
 */
type LineParser = (line: string, row: number, cols: SinkColumn[]) => 'ok' | 'partial' | 'bad';

interface TextScan {
  schema: StructType;
  partitions: Partition[];
}

function malformed(mode: ParseMode, line: string, split: DatasetSplit, format: string, why: string): EddyError {
  return new EddyError(
    'CORRUPT_DATA',
    `Malformed records are detected in record parsing. Parse Mode: ${mode}. ${format} record ${describeValue(line)} in ${split.uri}: ${why}. ` +
      `To keep going, read with option("mode", "PERMISSIVE") or "DROPMALFORMED".`,
  );
}

function lineScan(
  fs: FileSystem,
  splits: DatasetSplit[],
  schema: StructType,
  dataFields: number,
  corruptIndex: number,
  skipHeader: boolean,
  mode: ParseMode,
  format: string,
  parse: LineParser,
  keepBlank = false,
): Partition[] {
  return splits.map((split) =>
    splitPartition(fs, split, schema, dataFields, corruptIndex, skipHeader, mode, format, parse, keepBlank),
  );
}

/** One input split of a line-oriented file as a partition: lines parsed into batches of SCAN_BATCH_ROWS rows. */
function splitPartition(
  fs: FileSystem,
  split: DatasetSplit,
  schema: StructType,
  dataFields: number,
  corruptIndex: number,
  skipHeader: boolean,
  mode: ParseMode,
  format: string,
  parse: LineParser,
  keepBlank: boolean,
): Partition {
  return async function* () {
    const sinks = schema.fields.slice(0, dataFields).map((f) => new SinkColumn(f.dataType, SCAN_BATCH_ROWS));
    const flush = (n: number): RecordBatch => {
      const cols: ColumnVector[] = sinks.map((c) => c.finish(n));
      schema.fields
        .slice(dataFields)
        .forEach((f, k) => cols.push(ColumnVector.constant(f.dataType, split.partitionValues[k], n)));
      return new RecordBatch(schema, cols, n);
    };
    let headerPending = skipHeader && split.start === 0;
    let rows = 0;
    for await (const lines of splitLines(fs, split)) {
      for (const line of lines) {
        if (!keepBlank && (line.length === 0 || (format === 'JSON' && line.trim().length === 0))) continue;
        if (headerPending) {
          headerPending = false;
          continue;
        }
        const r = parse(line, rows, sinks);
        if (r !== 'ok') {
          if (mode === 'FAILFAST') {
            const why =
              r === 'partial' ? 'a field does not fit its type or the field count is wrong' : 'cannot parse it';
            throw malformed(mode, line, split, format, why);
          }
          // The row is not advanced, so the next line overwrites what this one wrote.
          if (mode === 'DROPMALFORMED') continue;
          if (r === 'bad') for (let j = 0; j < sinks.length; j++) if (j !== corruptIndex) sinks[j]!.setNull(rows);
        }
        if (corruptIndex >= 0) sinks[corruptIndex]!.set(rows, r === 'ok' ? null : line);
        if (++rows >= SCAN_BATCH_ROWS) {
          yield flush(rows);
          rows = 0;
        }
      }
    }
    if (rows > 0) yield flush(rows);
  };
}

async function firstLine(fs: FileSystem, ds: Dataset): Promise<string | null> {
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
function headerNames(tokens: (string | null)[]): string[] {
  const raw = tokens.map((t, i) => (t === null || t === '' ? `_c${i}` : t));
  const lower = raw.map((n) => n.toLowerCase());
  return raw.map((n, i) => (lower.indexOf(lower[i]!) !== lower.lastIndexOf(lower[i]!) ? `${n}${i}` : n));
}

/** Schema finalisation shared by CSV and JSON: the user's schema or the inferred one, plus partition columns. */
function withPartitions(data: StructField[], ds: Dataset): StructType {
  const names = new Set(data.map((f) => f.name.toLowerCase()));
  return new StructType([...data, ...ds.partitionFields.filter((f) => !names.has(f.name.toLowerCase()))]);
}

/** The parser of CSV lines into the data columns (all but the corrupt-record column). */
function csvParser(data: readonly StructField[], corruptIndex: number, f: CsvFormat): LineParser {
  const parsed = data.map((_, j) => j !== corruptIndex);
  const nTokens = parsed.filter(Boolean).length;
  const cols = data.map((_, j) => j).filter((j) => parsed[j]);
  const parseQuoted: LineParser = (line, row, sinks) => {
    const toks = parseCsvLine(line, f);
    if (!toks) return 'bad';
    let ok = toks.length === nTokens;
    for (let k = 0; k < cols.length; k++) {
      const c = sinks[cols[k]!]!;
      const t = toks[k];
      if (t === null || t === undefined) c.setNull(row);
      else if (!c.put(t, row)) ok = false;
    }
    return ok ? 'ok' : 'partial';
  };
  const plainNulls = f.nullValue === '';
  // Most lines hold no quote: split them with indexOf, writing each field straight into its column.
  const parse: LineParser = (line, row, sinks) => {
    if (line.indexOf(f.quote) >= 0) return parseQuoted(line, row, sinks);
    let ok = true;
    let start = 0;
    let k = 0;
    for (; k < cols.length && start >= 0; k++) {
      let end = line.indexOf(f.sep, start);
      const next = end < 0 ? -1 : end + 1;
      if (end < 0) end = line.length;
      const c = sinks[cols[k]!]!;
      if (end === start) c.setNull(row);
      else if (plainNulls) {
        if (!c.putRange(line, start, end, row)) ok = false;
      } else {
        const raw = line.slice(start, end);
        if (raw === f.nullValue) c.setNull(row);
        else if (!c.put(raw, row)) ok = false;
      }
      start = next;
    }
    // Too few or too many fields: Spark keeps what parsed (nulls for the rest) and flags the record.
    if (k < cols.length || start >= 0) ok = false;
    for (; k < cols.length; k++) sinks[cols[k]!]!.setNull(row);
    return ok ? 'ok' : 'partial';
  };
  return parse;
}

/** What a worker needs to read one CSV split: all plain data, so it crosses a thread boundary. */
export interface CsvSplitSpec {
  fields: { name: string; type: string; nullable: boolean }[];
  dataFields: number;
  corruptIndex: number;
  header: boolean;
  mode: ParseMode;
  format: CsvFormat;
}

/** A CSV split read by this thread: used in-process and by the scan workers alike. */
export function csvSplitPartition(fs: FileSystem, spec: CsvSplitSpec, split: DatasetSplit): Partition {
  const schema = new StructType(
    spec.fields.map((x) => ({ name: x.name, dataType: parseDataType(x.type), nullable: x.nullable })),
  );
  const data = schema.fields.slice(0, spec.dataFields);
  const parse = csvParser(data, spec.corruptIndex, spec.format);
  return splitPartition(
    fs,
    split,
    schema,
    spec.dataFields,
    spec.corruptIndex,
    spec.header,
    spec.mode,
    'CSV',
    parse,
    false,
  );
}

/**
 * With option parallel=true, worker threads parse the splits of local files (the store behind dfs:// lives in
 * this thread). Off by default: on the shared 2-core machine it was measured slower than one thread.
 */
function useWorkers(fs: FileSystem, opts: Options): boolean {
  return fs.scheme === 'file' && opts.bool('parallel', false) && workerScriptExists();
}

export async function csvScan(
  fs: FileSystem,
  ds: Dataset,
  opts: Options,
  userSchema: StructType | null,
): Promise<TextScan> {
  const f: CsvFormat = csvFormat(opts);
  const header = opts.bool('header', false);
  const mode = parseMode(opts);
  const corruptName = opts.string('columnNameOfCorruptRecord', '_corrupt_record');
  const splits = datasetSplits(ds, maxPartitionBytes(opts), true);
  let data: StructField[];
  if (userSchema) data = [...userSchema.fields];
  else {
    const first = await firstLine(fs, ds);
    if (first === null) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `unable to infer schema for CSV: ${ds.files.length === 0 ? 'no data files' : 'every file is empty'}; it must be specified manually with .schema(...)`,
      );
    }
    const tokens = parseCsvLine(first, f) ?? [first];
    const names = header ? headerNames(tokens) : tokens.map((_, i) => `_c${i}`);
    let types = names.map(() => StringType as StructField['dataType']);
    if (opts.bool('inferSchema', false)) {
      const inferred: (StructField['dataType'] | null)[] = names.map(() => null);
      for (const split of splits) {
        let headerPending = header && split.start === 0;
        for await (const lines of splitLines(fs, split)) {
          for (const line of lines) {
            if (line.length === 0) continue;
            if (headerPending) {
              headerPending = false;
              continue;
            }
            const toks = parseCsvLine(line, f);
            if (!toks) continue;
            for (let j = 0; j < names.length && j < toks.length; j++) {
              const t = toks[j];
              if (t !== null && t !== undefined) inferred[j] = mergeInferred(inferred[j]!, inferFieldType(t));
            }
          }
        }
      }
      types = inferred.map((t) => t ?? StringType);
    }
    data = names.map((name, j) => ({ name, dataType: types[j]!, nullable: true }));
  }
  const schema = withPartitions(data, ds);
  for (const fld of data) if (fld.name !== corruptName) checkCsvType(fld.name, fld.dataType);
  const corruptIndex = data.findIndex((x) => x.name === corruptName && x.dataType.kind === 'string');
  const parse = csvParser(data, corruptIndex, f);
  const spec: CsvSplitSpec = {
    fields: schema.fields.map((x) => ({ name: x.name, type: simpleString(x.dataType), nullable: x.nullable })),
    dataFields: data.length,
    corruptIndex,
    header,
    mode,
    format: f,
  };
  if (splits.length > 1 && useWorkers(fs, opts)) {
    const { workerPartition } = await import('./scan-pool.js');
    return { schema, partitions: splits.map((split) => workerPartition(spec, split)) };
  }
  return { schema, partitions: lineScan(fs, splits, schema, data.length, corruptIndex, header, mode, 'CSV', parse) };
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
  const parse: LineParser = (line, row, sinks) => {
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
      if (j === corruptIndex) continue;
      const v = fieldOf(o, data[j]!.name);
      const c = v === null || v === undefined ? null : jsonToInternal(v, data[j]!.dataType);
      if (c === undefined) ok = false;
      sinks[j]!.set(row, c ?? null);
    }
    return ok ? 'ok' : 'partial';
  };
  return { schema, partitions: lineScan(fs, splits, schema, data.length, corruptIndex, false, mode, 'JSON', parse) };
}

function fieldOf(o: Record<string, unknown>, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

function maxPartitionBytes(opts: Options): number | undefined {
  const v = opts.get('maxPartitionBytes');
  return v === undefined ? undefined : opts.int('maxPartitionBytes', 0) || undefined;
}

/** Every line of the files as a string column "value" (blank lines included), as Spark's text source. */
export function textScan(fs: FileSystem, ds: Dataset, opts: Options): TextScan {
  const schema = withPartitions([{ name: 'value', dataType: StringType, nullable: true }], ds);
  const splits = datasetSplits(ds, maxPartitionBytes(opts), true);
  const parse: LineParser = (line, row, sinks) => {
    sinks[0]!.set(row, line);
    return 'ok';
  };
  return { schema, partitions: lineScan(fs, splits, schema, 1, -1, false, 'PERMISSIVE', 'text', parse, true) };
}
