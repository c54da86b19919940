import { EddyError, describeValue } from '../../common/errors.js';
import { DataFrame } from '../../dataframe/dataframe.js';
import { parseSchema, StructType } from '../../dataframe/types.js';
import type { PluginOptions, SourceContext } from '../../plugins/types.js';
import type { Eddy } from '../../session.js';
import { StreamingRelation } from './streaming-relation.js';

export type OptionValue = string | number | boolean;

/** Spark's DataStreamReader: eddy.readStream.format('kafka').option(k, v).schema(s).load(path?). */
export class DataStreamReader {
  private source: string | null = null;
  private readonly opts: Record<string, string> = {};
  private userSchema: StructType | undefined;

  constructor(private readonly session: Eddy) {}

  format(source: string): this {
    if (typeof source !== 'string' || source === '')
      throw new EddyError('INVALID_ARGUMENT', `format ${describeValue(source)} must be a source name such as 'kafka'`);
    this.source = source;
    return this;
  }

  option(key: string, value: OptionValue): this {
    this.opts[key] = String(value);
    return this;
  }

  options(options: Record<string, OptionValue>): this {
    for (const [k, v] of Object.entries(options)) this.option(k, v);
    return this;
  }

  schema(schema: StructType | string): this {
    this.userSchema = typeof schema === 'string' ? parseSchema(schema) : schema;
    return this;
  }

  /** A streaming DataFrame over the source (nothing is read until a query on it starts). */
  load(path?: string): DataFrame {
    if (this.source === null) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `readStream needs a format before load(); known sources: ${this.session.plugins.sourceNames.join(', ')}`,
      );
    }
    const provider = this.session.plugins.source(this.source);
    const options: PluginOptions = { ...this.opts, ...(path !== undefined ? { path } : {}) };
    const ctx: SourceContext = {
      session: this.session,
      ...(this.userSchema ? { userSchema: this.userSchema } : {}),
      ...(path !== undefined ? { path } : {}),
    };
    const schema = provider.createSource(options, ctx).schema;
    return new DataFrame(new StreamingRelation(schema, provider, options, ctx), this.session);
  }
}
