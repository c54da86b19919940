import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EddyError, describeValue } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { getOption, type PluginOptions, type SinkProvider } from '../../plugins/types.js';
import type { Eddy } from '../../session.js';
import type { StreamSink } from '../contracts.js';
import type { StreamingQuery } from '../query.js';
import { parseTrigger, type TriggerSpec } from '../trigger.js';
import { DataFrameStreamPlan } from './dataframe-stream-plan.js';
import { parseOutputMode } from './output-mode.js';
import { SourceAdapter } from './source-adapter.js';
import type { OptionValue } from './stream-reader.js';
import { isStreamingPlan } from './streaming-relation.js';

export type ForeachBatchFunction = (batch: DataFrame, batchId: number) => void | Promise<void>;

/**
 * Spark's DataStreamWriter: df.writeStream.outputMode('complete').format('console').trigger({...})
 * .queryName(n).option('checkpointLocation', loc).start() (or .foreachBatch(fn).start()).
 */
export class DataStreamWriter {
  private mode = 'append';
  private sinkName: string | null = null;
  private readonly opts: Record<string, string> = {};
  private triggerSpec: TriggerSpec | undefined;
  private name: string | null = null;
  private batchFn: ForeachBatchFunction | null = null;

  constructor(
    private readonly df: DataFrame,
    private readonly session: Eddy,
  ) {}

  outputMode(mode: string): this {
    parseOutputMode(mode);
    this.mode = mode;
    return this;
  }
  format(sink: string): this {
    if (typeof sink !== 'string' || sink === '')
      throw new EddyError('INVALID_ARGUMENT', `format ${describeValue(sink)} must be a sink name such as 'console'`);
    this.sinkName = sink;
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
  trigger(spec: TriggerSpec): this {
    parseTrigger(spec);
    this.triggerSpec = spec;
    return this;
  }
  queryName(name: string): this {
    this.name = name;
    return this;
  }
  /** Calls fn with each micro-batch's output and its batch id; fn should be idempotent by batch id. */
  foreachBatch(fn: ForeachBatchFunction): this {
    if (typeof fn !== 'function')
      throw new EddyError(
        'INVALID_ARGUMENT',
        `foreachBatch needs a function (batch, batchId) => ..., got ${describeValue(fn)}`,
      );
    this.batchFn = fn;
    return this;
  }

  /** Checks the query, opens (or resumes) its checkpoint and starts it. */
  async start(path?: string): Promise<StreamingQuery<DataFrame>> {
    const session = this.session;
    if (!isStreamingPlan(this.df.plan)) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        "'writeStream' can be called only on streaming DataFrames (from eddy.readStream)",
      );
    }
    const outputMode = parseOutputMode(this.mode);
    const plan = new DataFrameStreamPlan(this.df.plan, outputMode, session);
    let provider: SinkProvider | null = null;
    if (this.batchFn === null) {
      if (this.sinkName === null) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `writeStream needs format(<sink>) or foreachBatch(fn) before start(); known sinks: ${session.plugins.sinkNames.join(', ')}`,
        );
      }
      provider = session.plugins.sink(this.sinkName);
      const modes = provider.supportedOutputModes;
      if (modes && !modes.includes(outputMode)) {
        throw new EddyError(
          'ANALYSIS_ERROR',
          `Data source ${provider.shortName} does not support ${outputMode} output mode; it supports ${modes.join(', ')}`,
        );
      }
    }
    const options: PluginOptions = { ...this.opts, ...(path !== undefined ? { path } : {}) };
    let location = options['checkpointLocation'] ?? options['checkpointlocation'];
    let temporary: string | null = null;
    if (location === undefined) {
      if (!(provider?.allowsTemporaryCheckpoint ?? false)) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `checkpointLocation must be specified, e.g. .option('checkpointLocation', 'dfs:///checkpoints/${this.name ?? 'my-query'}'); ` +
            'only the console and memory sinks run without one (on a temporary folder)',
        );
      }
      temporary = await mkdtemp(join(tmpdir(), 'eddy-temporary-'));
      location = temporary;
    }
    const asyncProgressTracking = asyncProgressTrackingOption(options, provider?.shortName ?? null);
    const { fs, path: checkpointDir } = session.resolvePath(location);
    let sink: StreamSink<DataFrame>;
    try {
      sink = provider
        ? await provider.createSink(options, {
            session,
            outputMode,
            queryName: this.name,
            schema: this.df.schema,
            checkpointLocation: location,
          })
        : foreachBatchSink(this.batchFn!);
    } catch (e) {
      if (temporary) await rm(temporary, { recursive: true, force: true });
      throw e;
    }
    if (temporary) {
      // As Spark, a temporary checkpoint is deleted when the query stops.
      const dir = temporary;
      const inner = sink;
      sink = {
        description: inner.description,
        addBatch: (id, data) => inner.addBatch(id, data),
        stop: async () => {
          try {
            await inner.stop?.();
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      };
    }
    const sources = plan.leaves.map(
      (l) => new SourceAdapter(l.provider.createSource(l.options, l.context), l.schema, session),
    );
    return session.streams.startQuery<DataFrame>({
      name: this.name,
      sources,
      plan,
      sink,
      trigger: parseTrigger(this.triggerSpec),
      outputMode,
      checkpointFs: fs,
      checkpointDir,
      ...(asyncProgressTracking ? { asyncProgressTracking } : {}),
    });
  }
}

/** The sinks Spark allows with async progress tracking that Eddy has (Spark's noop aside): none relies on a batch id meaning the same range twice. */
const ASYNC_PROGRESS_SINKS = ['kafka', 'console', 'memory'];

/**
 * Spark's asyncProgressTrackingEnabled / asyncProgressTrackingCheckpointIntervalMs (default 1000), with its
 * sink check; `_asyncProgressTrackingOverrideSinkSupportCheck` lets a foreachBatch function that is itself
 * at-least-once and ignores batch ids (serve()'s, which writes to Kafka) opt in.
 */
function asyncProgressTrackingOption(
  options: PluginOptions,
  sink: string | null,
): { checkpointIntervalMs: number } | null {
  const flag = (key: string) => {
    const v = getOption(options, key);
    if (v === undefined) return false;
    if (v.toLowerCase() === 'true' || v.toLowerCase() === 'false') return v.toLowerCase() === 'true';
    throw new EddyError('INVALID_ARGUMENT', `option ${key} ${describeValue(v)} must be true or false`);
  };
  if (!flag('asyncProgressTrackingEnabled')) return null;
  const text = getOption(options, 'asyncProgressTrackingCheckpointIntervalMs') ?? '1000';
  const checkpointIntervalMs = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(checkpointIntervalMs)) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `option asyncProgressTrackingCheckpointIntervalMs ${describeValue(text)} must be a whole number of ` +
        'milliseconds ≥ 0 (default 1000)',
    );
  }
  if (!flag('_asyncProgressTrackingOverrideSinkSupportCheck') && !ASYNC_PROGRESS_SINKS.includes(sink ?? '')) {
    const what = sink === null ? 'foreachBatch' : `Sink ${sink}`;
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${what} does not support asyncProgressTrackingEnabled: after a restart a batch id may cover a different ` +
        `range than before, which breaks output that is exactly-once by batch id; supported sinks: ` +
        `${ASYNC_PROGRESS_SINKS.join(', ')}. Turn asyncProgressTrackingEnabled off for this query`,
    );
  }
  return { checkpointIntervalMs };
}

function foreachBatchSink(fn: ForeachBatchFunction): StreamSink<DataFrame> {
  return {
    description: 'ForeachBatchSink',
    async addBatch(batchId, data) {
      await fn(data, batchId);
    },
  };
}
