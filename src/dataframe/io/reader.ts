import { EddyError, describeValue } from '../../common/errors.js';
import { DataFrame } from '../dataframe.js';
import type { DataFrameEnv } from '../env.js';
import { ScanPlan } from '../plan.js';
import { parseSchema, type StructType } from '../types.js';
import { listDataset } from './dataset-files.js';
import { Options } from './options.js';
import { csvScan } from './csv-scan.js';
import { jsonScan, textScan, type ScanPartitions } from './text-sources.js';
import { FORMATS } from './formats.js';

/**
 * Spark's DataFrameReader: eddy.read.format('csv').option('header', true).schema('a INT, b STRING').load(path).
 * Paths are resolved through the session's file systems, so `dfs:///x`, `file:///x` and plain paths all work.
 * load() is async because it lists the files and (for inferSchema / JSON) reads them to find the schema.
 */
export class DataFrameReader {
  private fmt = 'parquet';
  private readonly opts = new Options();
  private userSchema: StructType | null = null;

  constructor(private readonly env: DataFrameEnv) {}

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
  /** A StructType or a DDL string "name STRING, age INT". */
  schema(schema: StructType | string): this {
    this.userSchema = typeof schema === 'string' ? parseSchema(schema) : schema;
    return this;
  }

  async load(path?: string): Promise<DataFrame> {
    const p = path ?? this.opts.get('path');
    if (p === undefined)
      throw new EddyError('INVALID_ARGUMENT', `load() needs a path: load("dfs:///data/x") or option("path", ...)`);
    const { fs, path: fsPath } = this.env.resolvePath(p);
    const ds = await listDataset(fs, fsPath);
    const label = `FileScan ${this.fmt} ${fs.uri(fsPath)}`;
    let schema: StructType;
    let partitions: ScanPartitions;
    switch (this.fmt) {
      case 'csv':
        ({ schema, partitions } = await csvScan(fs, ds, this.opts, this.userSchema));
        break;
      case 'json':
        ({ schema, partitions } = await jsonScan(fs, ds, this.opts, this.userSchema));
        break;
      case 'text':
        ({ schema, partitions } = textScan(fs, ds, this.opts));
        break;
      default: {
        const { parquetScan } = await import('./parquet.js');
        ({ schema, partitions } = await parquetScan(fs, ds, this.opts, this.userSchema));
      }
    }
    // The files were listed once, at load; each run builds partitions for what the plan above reads.
    return new DataFrame(new ScanPlan(schema, (req) => Promise.resolve(partitions(req)), label), this.env);
  }

  csv(path: string): Promise<DataFrame> {
    return this.format('csv').load(path);
  }
  json(path: string): Promise<DataFrame> {
    return this.format('json').load(path);
  }
  parquet(path: string): Promise<DataFrame> {
    return this.format('parquet').load(path);
  }
  /** Lines of text files as one string column "value". */
  text(path: string): Promise<DataFrame> {
    return this.format('text').load(path);
  }
}
