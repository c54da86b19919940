import { EddyError } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';
import type { Partition } from '../plan.js';
import type { ScanRequest, SourceFilter } from '../scan-request.js';
import { StringType, StructType, parseDataType, simpleString, type StructField } from '../types.js';
import { checkCsvType, csvFormat, inferFieldType, mergeInferred, parseCsvLine, type CsvFormat } from './csv.js';
import type { SinkColumn } from './csv-sink.js';
import { datasetSplits, type Dataset, type DatasetSplit } from './dataset-files.js';
import { parseMode, type Options, type ParseMode } from './options.js';
import { workerScriptExists } from './scan-worker-path.js';
import { splitTexts } from './split-text.js';
import {
  firstLine,
  headerNames,
  maxPartitionBytes,
  narrowRequest,
  partitionSplits,
  rejects,
  splitPartition,
  withPartitions,
  type LineParser,
  type RecordEnd,
  type TextScan,
} from './text-sources.js';

/**
 * The parser of CSV records into the data columns that have sinks (all but the corrupt-record column and the
 * pruned ones). Pruned fields are stepped over without being cut or converted; a field count that does not
 * match the schema still makes the record malformed. A record the pushed filters reject is not kept (Spark's
 * CSV filter pushdown), so nothing downstream sees it.
 */
function csvParser(
  data: readonly StructField[],
  corruptIndex: number,
  f: CsvFormat,
  filters: readonly SourceFilter[],
): LineParser {
  // Token k of a record goes to data column tokenCol[k] (the corrupt-record column takes no token).
  const tokenCol = data.map((_, j) => j).filter((j) => j !== corruptIndex);
  const nTokens = tokenCol.length;
  const hasFilters = filters.length > 0;
  // Tokens the filters name are converted as they come; with filters, the others are converted only for
  // records that pass (a rejected record then costs no string or number it would have thrown away).
  const filterToken = new Uint8Array(nTokens);
  for (const x of filters) filterToken[tokenCol.indexOf(x.column)] = 1;
  const starts = new Int32Array(nTokens);
  const ends = new Int32Array(nTokens);
  // Filled in by the first record's sinks: the built tokens no filter names.
  let deferred: number[] | null = null;
  let deferredKnown = !hasFilters;
  const parseQuoted = (
    line: string,
    row: number,
    sinks: (SinkColumn | undefined)[],
  ): 'ok' | 'partial' | 'bad' | 'skip' => {
    const toks = parseCsvLine(line, f);
    if (!toks) return 'bad';
    let ok = toks.length === nTokens;
    for (let k = 0; k < nTokens; k++) {
      const c = sinks[tokenCol[k]!];
      if (c === undefined) continue;
      const t = toks[k];
      if (t === null || t === undefined) c.setNull(row);
      else if (!c.put(t, row)) ok = false;
    }
    if (hasFilters && rejects(filters, sinks, row)) return 'skip';
    return ok ? 'ok' : 'partial';
  };
  const plainNulls = f.nullValue === '';
  // Most records hold no quote: split them with indexOf, writing each field straight into its column.
  // The next quote in the chunk, found once and reused while records come before it: searching the rest of
  // the chunk for every record would be quadratic.
  let quoteText = '';
  let quotePos = -1;
  const parse: LineParser = (text, a, b, row, sinks) => {
    if (text !== quoteText || (quotePos >= 0 && quotePos < a)) {
      quoteText = text;
      quotePos = text.indexOf(f.quote, a);
    }
    if (quotePos >= 0 && quotePos < b) return parseQuoted(text.slice(a, b), row, sinks);
    if (!deferredKnown) {
      deferredKnown = true;
      deferred = tokenCol.map((_, t) => t).filter((t) => filterToken[t] === 0 && sinks[tokenCol[t]!] !== undefined);
    }
    let ok = true;
    let start = a;
    let k = 0;
    for (; k < nTokens && start >= 0; k++) {
      let end = text.indexOf(f.sep, start);
      if (end < 0 || end > b) end = b;
      const c = sinks[tokenCol[k]!];
      // A pruned field is stepped over: no substring, no conversion. With filters, the fields they do not
      // name wait until the record has passed them.
      if (deferred !== null && c !== undefined && filterToken[k] === 0) {
        starts[k] = start;
        ends[k] = end;
      } else if (c !== undefined) {
        if (end === start) c.setNull(row);
        else if (plainNulls) {
          if (!c.putRange(text, start, end, row)) ok = false;
        } else {
          const raw = text.slice(start, end);
          if (raw === f.nullValue) c.setNull(row);
          else if (!c.put(raw, row)) ok = false;
        }
      }
      start = end === b ? -1 : end + 1;
    }
    // Too few or too many fields: Spark keeps what parsed (nulls for the rest) and flags the record.
    if (k < nTokens || start >= 0) ok = false;
    const seen = k;
    for (; k < nTokens; k++) sinks[tokenCol[k]!]?.setNull(row);
    // A field that did not convert is null here, and the filters judge it so, as Spark's CSVFilters do: a
    // record they reject is skipped even if malformed.
    if (deferred !== null) {
      if (rejects(filters, sinks, row)) return 'skip';
      for (let d = 0; d < deferred.length; d++) {
        const t = deferred[d]!;
        if (t >= seen) continue;
        const c = sinks[tokenCol[t]!]!;
        const s0 = starts[t]!;
        const e0 = ends[t]!;
        if (e0 === s0) c.setNull(row);
        else if (plainNulls) {
          if (!c.putRange(text, s0, e0, row)) ok = false;
        } else {
          const raw = text.slice(s0, e0);
          if (raw === f.nullValue) c.setNull(row);
          else if (!c.put(raw, row)) ok = false;
        }
      }
    }
    return ok ? 'ok' : 'partial';
  };
  return parse;
}

/**
 * multiLine: the end of the record starting at `a` — the first newline outside a quoted field — or -1 when
 * a quoted field is still open at the end of the text. A quote opens a field only at the field's start,
 * as in parseCsvLine; inside one, the escape character and a doubled quote keep it open.
 */
export function csvRecordEnd(f: CsvFormat): RecordEnd {
  const q = f.quote.charCodeAt(0);
  const esc = f.escape.charCodeAt(0);
  const sep = f.sep.charCodeAt(0);
  return (text, a) => {
    const n = text.length;
    let i = a;
    for (;;) {
      const nl = text.indexOf('\n', i);
      let qi = text.indexOf(f.quote, i);
      while (qi >= 0 && (nl < 0 || qi < nl) && qi > a && text.charCodeAt(qi - 1) !== sep)
        qi = text.indexOf(f.quote, qi + 1);
      if (qi < 0 || (nl >= 0 && nl < qi)) return nl;
      i = qi + 1;
      for (;;) {
        if (i >= n) return -1;
        const c = text.charCodeAt(i);
        if (c === esc && esc !== q && i + 1 < n) i += 2;
        else if (c === q) {
          if (i + 1 < n && text.charCodeAt(i + 1) === q) i += 2;
          else if (i + 1 >= n) return -1;
          else {
            i++;
            break;
          }
        } else i++;
      }
    }
  };
}

/** The records of a split (whole lines, or with multiLine whole quoted records), for schema inference. */
async function* splitRecords(fs: FileSystem, split: DatasetSplit, end: RecordEnd | null): AsyncIterable<string> {
  let carry: string | null = null;
  for await (const chunk of splitTexts(fs, split)) {
    const text: string = carry === null ? chunk : `${carry}\n${chunk}`;
    carry = null;
    let a = 0;
    while (a <= text.length) {
      let nl = end ? end(text, a) : text.indexOf('\n', a);
      if (nl < 0 && end) {
        carry = text.slice(a);
        break;
      }
      if (nl < 0) nl = text.length;
      yield text.slice(a, nl > a && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
      a = nl + 1;
    }
  }
  if (carry !== null) yield carry;
}

/** What a worker needs to read one CSV split: all plain data, so it crosses a thread boundary. */
export interface CsvSplitSpec {
  fields: { name: string; type: string; nullable: boolean }[];
  dataFields: number;
  corruptIndex: number;
  header: boolean;
  mode: ParseMode;
  format: CsvFormat;
  multiLine: boolean;
  /** The columns to build (null: all) and the filters to apply while reading. */
  columns: number[] | null;
  filters: SourceFilter[];
}

/** A CSV split read by this thread: used in-process and by the scan workers alike. */
export function csvSplitPartition(fs: FileSystem, spec: CsvSplitSpec, split: DatasetSplit): Partition {
  const schema = new StructType(
    spec.fields.map((x) => ({ name: x.name, dataType: parseDataType(x.type), nullable: x.nullable })),
  );
  const data = schema.fields.slice(0, spec.dataFields);
  const parse = csvParser(data, spec.corruptIndex, spec.format, spec.filters);
  return splitPartition(
    fs,
    split,
    {
      schema,
      dataFields: spec.dataFields,
      corruptIndex: spec.corruptIndex,
      columns: spec.columns,
      skipHeader: spec.header,
      mode: spec.mode,
      format: 'CSV',
      keepBlank: false,
      ...(spec.multiLine ? { recordEnd: csvRecordEnd(spec.format) } : {}),
    },
    parse,
  );
}

/**
 * Whether worker threads parse the splits of a local file (the store behind dfs:// lives in this thread).
 * Option parallel: true (default) or false. Measured on 2 cores with little other load, workers made a
 * string-keyed 10M-row pipeline 1.3x and a 1M x 20 numeric read 1.8x faster; with the cores busy with other
 * work they can be slower (strings are copied between threads), which is what parallel=false is for.
 */
function useWorkers(fs: FileSystem, opts: Options): boolean {
  return fs.scheme === 'file' && opts.bool('parallel', true) && workerScriptExists();
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
  const multiLine = opts.bool('multiLine', false);
  const recordEnd = multiLine ? csvRecordEnd(f) : null;
  const corruptName = opts.string('columnNameOfCorruptRecord', '_corrupt_record');
  // A record may span lines, so a multiLine file cannot be cut: one partition per file, as in Spark.
  const splits = datasetSplits(ds, maxPartitionBytes(opts), !multiLine);
  let data: StructField[];
  if (userSchema) data = [...userSchema.fields];
  else {
    let first = await firstLine(fs, ds);
    if (first !== null && multiLine) {
      for (const s of splits) {
        for await (const r of splitRecords(fs, s, recordEnd)) {
          first = r;
          break;
        }
        break;
      }
    }
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
        for await (const line of splitRecords(fs, split, recordEnd)) {
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
      types = inferred.map((t) => t ?? StringType);
    }
    data = names.map((name, j) => ({ name, dataType: types[j]!, nullable: true }));
  }
  const schema = withPartitions(data, ds);
  for (const fld of data) if (fld.name !== corruptName) checkCsvType(fld.name, fld.dataType);
  const corruptIndex = data.findIndex((x) => x.name === corruptName && x.dataType.kind === 'string');
  const fields = schema.fields.map((x) => ({ name: x.name, type: simpleString(x.dataType), nullable: x.nullable }));
  const workers = splits.length > 1 && useWorkers(fs, opts);
  const partitions = async (req: ScanRequest): Promise<Partition[]> => {
    const { columns, filters, partitionFilters } = narrowRequest(req, data.length, corruptIndex);
    const kept = partitionSplits(splits, ds, schema, data.length, partitionFilters);
    const spec: CsvSplitSpec = {
      fields,
      dataFields: data.length,
      corruptIndex,
      header,
      mode,
      format: f,
      multiLine,
      columns,
      filters,
    };
    if (workers) {
      const { workerPartition } = await import('./scan-pool.js');
      return kept.map((split) => workerPartition(spec, split));
    }
    return kept.map((split) => csvSplitPartition(fs, spec, split));
  };
  return { schema, partitions };
}
