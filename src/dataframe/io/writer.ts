import { randomUUID } from 'node:crypto';
import { EddyError, describeValue } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';
import { RecordBatch } from '../batch.js';
import type { DataFrame } from '../dataframe.js';
import { formatValue } from '../values.js';
import { StructType } from '../types.js';
import { DEFAULT_PARTITION_NAME, escapePathName } from './dataset-files.js';
import { FORMATS } from './formats.js';
import { Options } from './options.js';
import { csvFileWriter, jsonFileWriter, textFileWriter, type FileWriterFactory } from './text-writers.js';

export type SaveMode = 'error' | 'overwrite' | 'append' | 'ignore';

const MODES: Record<string, SaveMode> = {
  error: 'error',
  errorifexists: 'error',
  default: 'error',
  overwrite: 'overwrite',
  append: 'append',
  ignore: 'ignore',
};

/** Writes one output file; `add` takes batches of the file's schema. */
export interface OutputFile {
  add(batch: RecordBatch): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Spark's DataFrameWriter. A dataset is a folder: one `part-<n>-<uuid>.<ext>` file per partition (and per
 * `col=value/` folder with partitionBy), then an empty `_SUCCESS`. Files are written under
 * `_temporary/<job>/` and moved into place only when every partition succeeded, so a failed write leaves
 * existing data as it was (overwrite deletes the old files only after the new ones are complete).
 */
export class DataFrameWriter {
  private fmt = 'parquet';
  private saveMode: SaveMode = 'error';
  private readonly opts = new Options();
  private partitionCols: string[] = [];

  constructor(private readonly df: DataFrame) {}

  mode(m: string): this {
    const mode = MODES[m.toLowerCase()];
    if (!mode)
      throw new EddyError(
        'INVALID_ARGUMENT',
        `unknown save mode ${describeValue(m)}; use error, overwrite, append or ignore`,
      );
    this.saveMode = mode;
    return this;
  }
  format(source: string): this {
    const f = source.toLowerCase();
    if (!FORMATS.includes(f))
      throw new EddyError(
        'INVALID_ARGUMENT',
        `unknown data source format ${describeValue(source)}; use one of ${FORMATS.join(', ')}`,
      );
    this.fmt = f;
    return this;
  }
  option(key: string, value: string | number | boolean): this {
    this.opts.set(key, value);
    return this;
  }
  options(map: Record<string, string | number | boolean>): this {
    for (const [k, v] of Object.entries(map)) this.opts.set(k, v);
    return this;
  }
  partitionBy(...cols: (string | string[])[]): this {
    this.partitionCols = cols.flat();
    return this;
  }
  csv(path: string): Promise<void> {
    return this.format('csv').save(path);
  }
  json(path: string): Promise<void> {
    return this.format('json').save(path);
  }
  parquet(path: string): Promise<void> {
    return this.format('parquet').save(path);
  }
  text(path: string): Promise<void> {
    return this.format('text').save(path);
  }

  async save(path: string): Promise<void> {
    const schema = this.df.schema;
    const partIdx = this.partitionCols.map((c) => {
      const i = schema.indexOf(c);
      if (i < 0)
        throw new EddyError(
          'ANALYSIS_ERROR',
          `partition column '${c}' not found in schema [${schema.fieldNames.join(', ')}]`,
        );
      return i;
    });
    if (partIdx.length === schema.fields.length && partIdx.length > 0) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        'cannot use all columns for partitionBy: the data files would have no columns',
      );
    }
    const dataIdx = schema.fields.map((_, i) => i).filter((i) => !partIdx.includes(i));
    const dataSchema = new StructType(dataIdx.map((i) => schema.fields[i]!));
    const factory = await this.factory(dataSchema);
    const { fs, path: root } = this.df.env.resolvePath(path);
    const exists = await fs.exists(root);
    if (exists) {
      if (this.saveMode === 'error') {
        throw new EddyError(
          'ALREADY_EXISTS',
          `path ${fs.uri(root)} already exists; use mode("overwrite") to replace it or mode("append") to add to it`,
        );
      }
      if (this.saveMode === 'ignore') return;
    }
    const job = randomUUID();
    const tmp = `${root}/_temporary/${job}`;
    const written: string[] = [];
    const open = new Map<string, OutputFile>();
    try {
      const parts = await this.df.plan.partitions();
      for (let p = 0; p < parts.length; p++) {
        const name = `part-${String(p).padStart(5, '0')}-${job}${factory.extension}`;
        for await (const b of parts[p]!()) {
          for (const [dir, sub] of splitByPartition(b, partIdx, dataIdx, dataSchema)) {
            let out = open.get(dir);
            if (!out) {
              const rel = dir ? `${dir}/${name}` : name;
              out = await factory.create(fs, `${tmp}/${rel}`);
              open.set(dir, out);
              written.push(rel);
            }
            await out.add(sub);
          }
        }
        for (const out of open.values()) await out.close();
        open.clear();
      }
      if (written.length === 0 && partIdx.length === 0) {
        // An empty result still gets one file, so the schema (and a CSV header) survives the round trip.
        const name = `part-00000-${job}${factory.extension}`;
        const out = await factory.create(fs, `${tmp}/${name}`);
        await out.close();
        written.push(name);
      }
    } catch (e) {
      for (const out of open.values()) await out.abort().catch(() => undefined);
      await fs.delete(tmp, true).catch(() => false);
      throw e;
    }
    // Commit: only now is existing data replaced.
    if (exists && this.saveMode === 'overwrite') {
      for (const st of await fs.list(root)) if (st.name !== '_temporary') await fs.delete(st.path, true);
    }
    for (const rel of written) {
      const slash = rel.lastIndexOf('/');
      if (slash > 0) await fs.mkdirs(`${root}/${rel.slice(0, slash)}`);
      await fs.rename(`${tmp}/${rel}`, `${root}/${rel}`);
    }
    await fs.delete(`${root}/_temporary`, true);
    await fs.writeFile(`${root}/_SUCCESS`, new Uint8Array(0), { overwrite: true });
  }

  private async factory(dataSchema: StructType): Promise<FileWriterFactory> {
    switch (this.fmt) {
      case 'csv':
        return csvFileWriter(dataSchema, this.opts);
      case 'json':
        return jsonFileWriter(dataSchema, this.opts);
      case 'text':
        return textFileWriter(dataSchema);
      default: {
        const { parquetFileWriter } = await import('./parquet.js');
        return parquetFileWriter(dataSchema, this.opts);
      }
    }
  }
}

/** Splits a batch by the values of the partition columns into `col=value/...` folders (data columns only). */
function splitByPartition(
  b: RecordBatch,
  partIdx: number[],
  dataIdx: number[],
  dataSchema: StructType,
): [string, RecordBatch][] {
  const project = (x: RecordBatch): RecordBatch =>
    partIdx.length === 0
      ? x
      : new RecordBatch(
          dataSchema,
          dataIdx.map((i) => x.column(i)),
          x.numRows,
        );
  if (partIdx.length === 0) return [['', project(b)]];
  const groups = new Map<string, number[]>();
  for (let i = 0; i < b.numRows; i++) {
    const dir = partIdx
      .map((c) => {
        const f = b.schema.fields[c]!;
        const v = b.column(c).get(i);
        return `${escapePathName(f.name)}=${v === null ? DEFAULT_PARTITION_NAME : escapePathName(formatValue(v, f.dataType))}`;
      })
      .join('/');
    const g = groups.get(dir);
    if (g) g.push(i);
    else groups.set(dir, [i]);
  }
  return [...groups].map(([dir, rows]) => [dir, project(b.gather(Int32Array.from(rows)))]);
}

export type { FileSystem };
