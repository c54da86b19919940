import { EddyError } from '../common/errors.js';
import type { DataFrame, Row } from '../dataframe/dataframe.js';
import type { StructType } from '../dataframe/types.js';
import type { Eddy } from '../session.js';
import type { StreamSink } from '../streaming/contracts.js';
import type { PluginOptions, SinkContext, SinkProvider, SourceProvider } from './types.js';

/**
 * The contract test kit for plugin authors: runs a source or a sink through the promises the engine relies on,
 * with real data, and throws a PLUGIN_ERROR saying which promise broke and with what. Use it from any test
 * runner: `await checkSourceContract(myProvider, options, { session: eddy, addData })`.
 */

export interface SourceContractOptions {
  session: Eddy;
  /** Makes new data appear in the source before each round (produce to a topic, write a file, add rows). */
  addData: (round: number) => Promise<void>;
  /** How many rounds of addData → latestOffset → getBatch (default 3). */
  rounds?: number;
  /** A folder on the session's file systems for the source's own metadata (default: a fresh dfs:// folder). */
  metadataDir?: string;
  /** What `.schema(...)` and `.load(path)` would give the source. */
  userSchema?: StructType;
  path?: string;
}

export interface SourceContractReport {
  /** [start, end, rows] of every batch read. */
  batches: [string | null, string, number][];
  totalRows: number;
}

function fail(what: string, detail: string): never {
  throw new EddyError('PLUGIN_ERROR', `plugin contract broken: ${what}: ${detail}`);
}

const show = (rows: Row[]): string =>
  JSON.stringify(rows.slice(0, 3), big) + (rows.length > 3 ? ` … (${rows.length} rows)` : '');

/**
 * Checks a source: its schema is the schema of what getBatch returns; each round finds new data
 * (latestOffset moves); the same (start, end] range read twice returns the same rows; an empty range
 * (end equal to start) returns no rows; and commit/stop succeed.
 */
export async function checkSourceContract(
  provider: SourceProvider,
  options: PluginOptions,
  kit: SourceContractOptions,
): Promise<SourceContractReport> {
  const source = provider.createSource(options, {
    session: kit.session,
    ...(kit.userSchema ? { userSchema: kit.userSchema } : {}),
    ...(kit.path !== undefined ? { path: kit.path } : {}),
  });
  const fs = kit.session.fs;
  const dir = kit.metadataDir ?? `dfs:///_contract/${provider.shortName}/${Date.now().toString(36)}`;
  const { fs: metaFs, path: metadataDir } = fs.resolve(dir);
  await source.initialize?.({ fs: metaFs, metadataDir });
  const report: SourceContractReport = { batches: [], totalRows: 0 };
  let start: string | null = null;
  try {
    for (let round = 0; round < (kit.rounds ?? 3); round++) {
      await kit.addData(round);
      const end = await source.latestOffset(start);
      if (end === null || end === start) fail('latestOffset', `no new offset after addData(${round}) (still ${start})`);
      let first: DataFrame;
      try {
        first = await source.getBatch(start, end);
      } catch (e) {
        fail(`getBatch(${start}, ${end})`, (e as Error).message);
      }
      const wanted = source.schema.fieldNames.join(', ');
      if (first.columns.join(', ') !== wanted) {
        fail('schema', `getBatch returned columns [${first.columns.join(', ')}], the source's schema says [${wanted}]`);
      }
      const a = await first.collect();
      const b = await (await source.getBatch(start, end)).collect();
      if (JSON.stringify(a, big) !== JSON.stringify(b, big)) {
        fail(`getBatch(${start}, ${end}) read twice`, `first ${show(a)}, then ${show(b)}`);
      }
      if (a.length === 0) fail(`getBatch(${start}, ${end})`, 'returned no rows after new data was added');
      const empty = await (await source.getBatch(end, end)).count();
      if (empty !== 0) fail(`getBatch(${end}, ${end})`, `an empty range returned ${empty} rows`);
      await source.commit(end);
      report.batches.push([start, end, a.length]);
      report.totalRows += a.length;
      start = end;
    }
  } finally {
    await source.stop();
  }
  return report;
}

function big(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return v;
}

export interface SinkContractOptions {
  session: Eddy;
  /** Rows the sink is given (one DataFrame per batch; at least two batches). */
  batches: DataFrame[];
  /** Counts the rows the sink has stored so far (read the folder, the topic, the table). */
  countStored: () => Promise<number>;
  outputMode?: string;
  checkpointLocation?: string;
  /**
   * Also check that a new sink instance (a restarted query) ignores a batch id already written (default true).
   * Sinks that keep no durable record of their batches (memory, console; kafka is at-least-once) set false.
   */
  checkRestart?: boolean;
}

/**
 * Checks a sink: every batch adds its rows, and a batch id given again (as after a crash between the sink's
 * write and the engine's commit) adds nothing.
 */
export async function checkSinkContract(
  provider: SinkProvider,
  options: PluginOptions,
  kit: SinkContractOptions,
): Promise<{ stored: number }> {
  if (kit.batches.length < 2) fail('kit', 'give at least two batches');
  const ctx: SinkContext = {
    session: kit.session,
    outputMode: kit.outputMode ?? 'append',
    queryName: null,
    schema: kit.batches[0]!.schema,
    checkpointLocation: kit.checkpointLocation ?? `dfs:///_contract/${provider.shortName}-${Date.now().toString(36)}`,
  };
  let sink: StreamSink<DataFrame> = await provider.createSink(options, ctx);
  let expected = await kit.countStored();
  try {
    for (let id = 0; id < kit.batches.length; id++) {
      const df = kit.batches[id]!;
      await sink.addBatch(id, df);
      expected += await df.count();
      const after = await kit.countStored();
      if (after !== expected) fail(`addBatch(${id})`, `the sink holds ${after} rows, expected ${expected}`);
      await sink.addBatch(id, df);
      const again = await kit.countStored();
      if (again !== expected) fail(`addBatch(${id}) repeated`, `the sink went from ${expected} to ${again} rows`);
    }
    // A restarted query builds a new sink and may repeat the last batch it had written.
    if (kit.checkRestart === false) return { stored: expected };
    await sink.stop?.();
    sink = await provider.createSink(options, ctx);
    const last = kit.batches.length - 1;
    await sink.addBatch(last, kit.batches[last]!);
    const afterRestart = await kit.countStored();
    if (afterRestart !== expected) {
      fail(
        `addBatch(${last}) repeated by a new sink instance`,
        `the sink went from ${expected} to ${afterRestart} rows`,
      );
    }
  } finally {
    await sink.stop?.();
  }
  return { stored: expected };
}
