import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EddyError, describeValue } from './common/errors.js';
import { FileSystemRegistry, type ResolvedPath } from './storage/registry.js';
import { createDataFrame, type CreateDataFrameOptions, type RowInput } from './dataframe/create.js';
import { DataFrame as DataFrameClass, type DataFrame } from './dataframe/dataframe.js';
import { DataFrameReader } from './dataframe/io/reader.js';
import type { StructType } from './dataframe/types.js';

export interface EddyOptions {
  /** Folder that holds the embedded store, the broker's logs and checkpoints. Default: $EDDY_HOME or ./eddy-home. */
  home?: string;
}

/**
 * The entry point of the SDK, like Spark's SparkSession: one per program, holding the embedded services.
 * Create it with `await Eddy.start()` and release it with `await eddy.close()`.
 */
export class Eddy {
  readonly home: string;
  /** File systems by URI scheme (file:// always; dfs:// once the store is open). */
  readonly fs = new FileSystemRegistry();
  private readonly closers: (() => Promise<void>)[] = [];
  private closed = false;

  private constructor(home: string) {
    this.home = home;
  }

  static async start(options: EddyOptions = {}): Promise<Eddy> {
    const home = resolve(options.home ?? process.env['EDDY_HOME'] ?? 'eddy-home');
    if (home.includes('\0')) throw new EddyError('INVALID_ARGUMENT', `home ${describeValue(home)} contains a NUL byte`);
    await mkdir(home, { recursive: true });
    return new Eddy(home);
  }

  /** Resolves `dfs:///x`, `file:///x` or a plain path to its file system (what DataFrame I/O uses). */
  resolvePath(pathOrUri: string): ResolvedPath {
    return this.fs.resolve(pathOrUri);
  }

  /** Spark's spark.read: eddy.read.option('header', true).csv('dfs:///data/people'). */
  get read(): DataFrameReader {
    return new DataFrameReader(this);
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
