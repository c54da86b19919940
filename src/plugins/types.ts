import type { DataFrame } from '../dataframe/dataframe.js';
import type { StructType } from '../dataframe/types.js';
import type { Eddy } from '../session.js';
import type { StreamSink, StreamSource } from '../streaming/contracts.js';

/**
 * The plugin API: sources and sinks registered by short name (Spark's DataSourceRegister.shortName), used by
 * `eddy.readStream.format(name)`, `df.writeStream.format(name)` and `eddy.read.format(name)`. The built-in
 * plugins (../../plugins/*) are written against this API and the public SDK only, as a third-party one would be.
 */

/** Options as given to .option(k, v): keys as written (Spark's option keys are case-insensitive: see getOption). */
export type PluginOptions = Readonly<Record<string, string>>;

export interface SourceContext {
  session: Eddy;
  /** The schema given with .schema(...), if any. */
  userSchema?: StructType;
  /** The path given to load(path), if any. */
  path?: string;
}

/** A stream source with its schema, which must be known without I/O (DataFrames are analysed at load()). */
export interface PluginSource extends StreamSource<DataFrame> {
  readonly schema: StructType;
}

export interface SourceProvider {
  readonly shortName: string;
  /**
   * A new source instance. Called at load() (for the schema) and again for every query started on it, so it
   * must not connect or read here: do that in initialize() / latestOffset().
   */
  createSource(options: PluginOptions, ctx: SourceContext): PluginSource;
  /** Optional batch read for `eddy.read.format(name).load()`. */
  readBatch?(options: PluginOptions, ctx: SourceContext): Promise<DataFrame>;
}

export interface SinkContext {
  session: Eddy;
  /** The query's output mode: append, update or complete. */
  outputMode: string;
  queryName: string | null;
  /** The schema of the rows the sink receives. */
  schema: StructType;
  /** Where the query's checkpoint lives (a sink may keep its own log under `${checkpointLocation}/sinks`). */
  checkpointLocation: string;
}

export interface SinkProvider {
  readonly shortName: string;
  /** Output modes the sink supports; others are refused when the query starts. Default: all three. */
  readonly supportedOutputModes?: readonly string[];
  /** Whether a query on this sink may run without a checkpointLocation (a temporary one is used): Spark allows it for console and memory. */
  readonly allowsTemporaryCheckpoint?: boolean;
  createSink(options: PluginOptions, ctx: SinkContext): StreamSink<DataFrame> | Promise<StreamSink<DataFrame>>;
}

/** What a plugin module exports (as `default` or as `plugin`). */
export interface EddyPlugin {
  readonly name: string;
  readonly sources?: readonly SourceProvider[];
  readonly sinks?: readonly SinkProvider[];
}

/** Spark's options are case-insensitive; returns the value of `key` whatever its case, or undefined. */
export function getOption(options: PluginOptions, key: string): string | undefined {
  if (key in options) return options[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(options)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
