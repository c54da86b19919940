import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startBroker, type Broker, type BrokerOptions } from './broker/broker.js';
import { EddyError, describeValue } from './common/errors.js';
import { DistributedFileSystem, type DfsOpenOptions } from './storage/dfs/distributed-file-system.js';
import { FileSystemRegistry, type ResolvedPath } from './storage/registry.js';
import { createDataFrame, type CreateDataFrameOptions, type RowInput } from './dataframe/create.js';
import { DataFrame as DataFrameClass, type DataFrame } from './dataframe/dataframe.js';
import { DataFrameReader } from './dataframe/io/reader.js';
import type { StructType } from './dataframe/types.js';
import { loadPlugin, type PluginSpec } from './plugins/loader.js';
import { SessionDataFrameReader } from './plugins/plugin-reader.js';
import { PluginRegistry } from './plugins/registry.js';
import { StreamingQueryManager } from './streaming/manager.js';
import './streaming/sql/dataframe-streaming.js';
import { DataStreamReader } from './streaming/sql/stream-reader.js';

export interface EddyOptions {
  /** Folder that holds the embedded store, the broker's logs and checkpoints. Default: $EDDY_HOME or ./eddy-home. */
  home?: string;
  /**
   * The embedded Kafka-protocol broker, kept under `<home>/broker`: options for it (port — default 0, a free
   * one —, config with server.properties names, extensions), or `false` to start none.
   */
  broker?: false | Omit<BrokerOptions, 'dataDir'>;
  /**
   * How to open (or create) the dfs store under <home>/dfs; false: no dfs:// in this session (its lock is not
   * taken, so another process may own the store).
   */
  dfs?: DfsOpenOptions | false;
  /**
   * Extra source/sink plugins: plugin objects, npm package names or module paths (see src/plugins). The built-in
   * ones (kafka, socket, rate, memory, csv / json / parquet files, console) are always there.
   */
  plugins?: PluginSpec[];
}

/**
 * The entry point of the SDK, like Spark's SparkSession: one per program, holding the embedded services.
 * Create it with `await Eddy.start()` and release it with `await eddy.close()`.
 */
export class Eddy {
  readonly home: string;
  /** File systems by scheme: `file://` (and plain paths) and `dfs://` (the store under <home>/dfs). */
  readonly fs: FileSystemRegistry;
  private readonly store: DistributedFileSystem | undefined;
  private readonly closers: (() => Promise<void>)[] = [];
  private closed = false;
  private embeddedBroker: Broker | undefined;
  /** Sources and sinks by short name, for readStream.format() and writeStream.format(). */
  readonly plugins = new PluginRegistry();
  /** The streaming queries of this session (Spark's spark.streams). */
  readonly streams = new StreamingQueryManager();
  private readonly tables = new Map<string, DataFrame>();

  private constructor(home: string, fs: FileSystemRegistry, store: DistributedFileSystem | undefined) {
    this.home = home;
    this.fs = fs;
    this.store = store;
    // Registered first, so it is released last: everything else may still write files while closing.
    this.closers.push(() => fs.close());
  }

  /** The embedded broker; give `eddy.broker.bootstrapServers` to Kafka clients. */
  get broker(): Broker {
    if (!this.embeddedBroker) {
      throw new EddyError(
        'ILLEGAL_STATE',
        'this Eddy was started with broker: false; start it without that option to get a broker',
      );
    }
    return this.embeddedBroker;
  }

  static async start(options: EddyOptions = {}): Promise<Eddy> {
    const home = resolve(options.home ?? (process.env['EDDY_HOME'] || 'eddy-home'));
    if (home.includes('\0')) throw new EddyError('INVALID_ARGUMENT', `home ${describeValue(home)} contains a NUL byte`);
    await mkdir(home, { recursive: true });
    const fs = new FileSystemRegistry();
    const dfs = options.dfs === false ? undefined : await DistributedFileSystem.open(join(home, 'dfs'), options.dfs);
    if (dfs) fs.register(dfs);
    const eddy = new Eddy(home, fs, dfs);
    try {
      // Loaded lazily: the built-in plugins import the public API, which imports this module.
      const builtin = (await import('../plugins/builtin.js')) as { builtinPlugins: PluginSpec[] };
      for (const p of [...builtin.builtinPlugins, ...(options.plugins ?? [])])
        eddy.plugins.register(await loadPlugin(p));
    } catch (e) {
      await eddy.close().catch(() => undefined);
      throw e;
    }
    if (options.broker !== false) {
      try {
        // As Kafka's shipped config/server.properties does for a development broker: no initial rebalance delay,
        // so a single consumer (a streaming query's batch reader, a demo) joins its group at once.
        const config = { 'group.initial.rebalance.delay.ms': 0, ...options.broker?.config };
        const b = await startBroker({ port: 0, ...options.broker, config, dataDir: join(home, 'broker') });
        eddy.embeddedBroker = b;
        eddy.onClose(() => b.close());
      } catch (e) {
        await eddy.close().catch(() => undefined);
        throw e;
      }
    }
    // Registered last, so queries stop before the broker and file systems they use are closed.
    eddy.onClose(() => eddy.streams.stopAll());
    return eddy;
  }

  /** The dfs store itself, for what only it has: fsck, setReplication, checkpoint. */
  get dfs(): DistributedFileSystem {
    if (!this.store) {
      throw new EddyError(
        'ILLEGAL_STATE',
        'this Eddy session was started with dfs: false; start it without that option',
      );
    }
    return this.store;
  }

  /** Resolves `dfs:///x`, `file:///x` or a plain path to its file system (what DataFrame I/O uses). */
  resolvePath(pathOrUri: string): ResolvedPath {
    return this.fs.resolve(pathOrUri);
  }

  /** Spark's spark.read: eddy.read.option('header', true).csv('dfs:///data/people'). */
  get read(): DataFrameReader {
    return new SessionDataFrameReader(this);
  }

  /** Spark's spark.readStream: eddy.readStream.format('kafka').option(...).load(). */
  get readStream(): DataStreamReader {
    return new DataStreamReader(this);
  }

  /** A named table: what the memory sink writes (by queryName) and createOrReplaceTempView registered. */
  table(name: string): DataFrame {
    const df = this.tables.get(name.toLowerCase());
    if (!df) {
      const known = [...this.tables.keys()];
      throw new EddyError(
        'NOT_FOUND',
        `Table or view not found: ${name}; known tables: ${known.length ? known.join(', ') : 'none'}`,
      );
    }
    return df;
  }

  /** Registers (or replaces) a DataFrame under a name for table(). */
  createOrReplaceTempView(name: string, df: DataFrame): void {
    if (typeof name !== 'string' || !/^[A-Za-z_][\w]*$/.test(name)) {
      throw new EddyError('INVALID_ARGUMENT', `table name ${describeValue(name)} must be a word such as "word_counts"`);
    }
    this.tables.set(name.toLowerCase(), df);
  }

  /** A DataFrame from rows (arrays or objects) and a schema, a DDL string or column names. */
  createDataFrame(
    rows: readonly RowInput[],
    schema?: StructType | string | readonly string[],
    options?: CreateDataFrameOptions,
  ): DataFrame {
    return createDataFrame(this, rows, schema, options);
  }

  /** A DataFrame over an Apache Arrow table (see DataFrame.toArrow for the way back). */
  fromArrow(table: Parameters<typeof DataFrame.fromArrow>[0]): DataFrame {
    return DataFrameClass.fromArrow(table, this);
  }

  /** Registers something to release on close(); released in reverse order of registration. */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: unknown[] = [];
    for (const fn of this.closers.reverse()) {
      try {
        await fn();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) {
      throw new EddyError('IO_ERROR', `closing Eddy failed: ${errors.map(String).join('; ')}`, { cause: errors[0] });
    }
  }
}
