import { EddyError, describeValue } from '../common/errors.js';
import type { DataFrame } from '../dataframe/dataframe.js';
import { FORMATS } from '../dataframe/io/formats.js';
import { DataFrameReader } from '../dataframe/io/reader.js';
import { parseSchema, type StructType } from '../dataframe/types.js';
import type { Eddy } from '../session.js';
import type { SourceProvider } from './types.js';

/**
 * The session's `eddy.read`: the DataFrame reader for the built-in file formats, and for any other format a
 * plugin source with a batch reader (Spark's `spark.read.format('kafka')`).
 */
export class SessionDataFrameReader extends DataFrameReader {
  private plugin: SourceProvider | null = null;
  private readonly pluginOptions: Record<string, string> = {};
  private pluginSchema: StructType | undefined;

  constructor(private readonly session: Eddy) {
    super(session);
  }

  override format(source: string): this {
    if (typeof source === 'string' && !FORMATS.includes(source.toLowerCase())) {
      const p = this.session.plugins.hasSource(source) ? this.session.plugins.source(source) : null;
      if (!p?.readBatch) {
        const batchPlugins = this.session.plugins.sourceNames.filter(
          (n) => this.session.plugins.source(n).readBatch !== undefined,
        );
        throw new EddyError(
          'INVALID_ARGUMENT',
          `unknown data source format ${describeValue(source)}; use one of ${[...FORMATS, ...batchPlugins].join(', ')}` +
            (p ? ` (${source} is a streaming source only: use eddy.readStream)` : ''),
        );
      }
      this.plugin = p;
      return this;
    }
    this.plugin = null;
    return super.format(source);
  }

  override option(key: string, value: string | number | boolean): this {
    this.pluginOptions[key] = String(value);
    return super.option(key, value);
  }

  override options(map: Record<string, string | number | boolean>): this {
    for (const [k, v] of Object.entries(map)) this.pluginOptions[k] = String(v);
    return super.options(map);
  }

  override schema(schema: StructType | string): this {
    this.pluginSchema = typeof schema === 'string' ? parseSchema(schema) : schema;
    return super.schema(schema);
  }

  override load(path?: string): Promise<DataFrame> {
    const p = this.plugin;
    if (!p?.readBatch) return super.load(path);
    return p.readBatch(
      { ...this.pluginOptions, ...(path !== undefined ? { path } : {}) },
      {
        session: this.session,
        ...(this.pluginSchema ? { userSchema: this.pluginSchema } : {}),
        ...(path !== undefined ? { path } : {}),
      },
    );
  }
}
