import type { Command } from 'commander';
import { parseDuration } from '../common/duration.js';
import { EddyError, describeValue } from '../common/errors.js';
import { Eddy } from '../session.js';
import { ModelServer, formatProgress } from '../serving/model-server.js';

/**
 * `eddy serve`: a saved model answering a topic's messages on another topic, with dead letters for bad
 * messages and a progress line at an interval. Runs until interrupted (or, with --available-now, until the
 * messages there at start are answered).
 */

export interface ServeCliOptions {
  model?: string;
  bootstrapServer?: string;
  input?: string;
  output?: string;
  format: string;
  deadLetter?: string;
  checkpoint?: string;
  startingOffsets: string;
  maxOffsetsPerTrigger?: string;
  progressInterval: string;
  availableNow?: boolean;
  watch?: boolean;
  group?: string;
  sessionTimeoutMs?: string;
  syncCheckpoint?: boolean;
  checkpointInterval?: string;
  home?: string;
}

const usage = (msg: string) => new EddyError('USAGE', msg);

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      "serve a saved model on a topic's messages: predictions to another topic, bad messages to a dead-letter topic",
    )
    .option('--model <path>', 'the saved model or pipeline, e.g. models/iris or dfs:///models/iris (required)')
    .option('--bootstrap-server <host:port>', 'the Kafka broker(s) (required)')
    .option('--input <topic>', 'topic of the messages to predict (required)')
    .option('--output <topic>', 'topic the predictions go to (required)')
    .option('--format <format>', 'json (an object per message) or csv (the feature columns in order)', 'json')
    .option('--dead-letter <topic>', 'topic for messages that cannot be predicted, with the reason')
    .option('--checkpoint <location>', 'checkpoint folder or URI (default: checkpoints/serve-<input>-<output>)')
    .option('--starting-offsets <where>', 'earliest or latest, for a new checkpoint', 'earliest')
    .option('--max-offsets-per-trigger <n>', 'at most this many messages per micro-batch')
    .option(
      '--progress-interval <duration>',
      "how often to print a progress line, e.g. '10 seconds'; 0 for never",
      '10 seconds',
    )
    .option(
      '--group <group>',
      'a Kafka consumer group: instances in one group share the partitions (offsets committed to it)',
    )
    .option(
      '--session-timeout-ms <ms>',
      "with --group: Kafka's session.timeout.ms, how long a silent instance keeps its partitions (default 30000)",
    )
    .option(
      '--sync-checkpoint',
      'commit every batch to the checkpoint before the next (a crash re-answers at most one batch; slower tail)',
    )
    .option(
      '--checkpoint-interval <duration>',
      "how often the checkpoint is written in the background (Spark's asyncProgressTrackingCheckpointIntervalMs; default 1 second)",
    )
    .option('--watch', 'swap in a model saved anew at --model between batches')
    .option('--available-now', 'answer the messages there now, print a progress line and exit')
    .option('--home <dir>', 'Eddy home (for dfs:// models and checkpoints; default: $EDDY_HOME or ./eddy-home)')
    .action(async (opts: ServeCliOptions) => {
      await runServe(opts);
    });
}

export async function runServe(
  opts: ServeCliOptions,
  out: (line: string) => void = (l) => console.log(l),
): Promise<void> {
  for (const [flag, v] of [
    ['--model', opts.model],
    ['--bootstrap-server', opts.bootstrapServer],
    ['--input', opts.input],
    ['--output', opts.output],
  ] as const) {
    if (!v)
      throw usage(
        `${flag} is required; e.g. eddy serve --model models/iris --bootstrap-server localhost:9092 --input in --output out`,
      );
  }
  if (opts.startingOffsets !== 'earliest' && opts.startingOffsets !== 'latest') {
    throw usage(`--starting-offsets ${describeValue(opts.startingOffsets)} must be earliest or latest`);
  }
  let maxOffsets: number | undefined;
  if (opts.maxOffsetsPerTrigger !== undefined) {
    maxOffsets = Number(opts.maxOffsetsPerTrigger);
    if (!Number.isInteger(maxOffsets) || maxOffsets <= 0) {
      throw usage(
        `--max-offsets-per-trigger ${describeValue(opts.maxOffsetsPerTrigger)} must be a positive whole number`,
      );
    }
  }
  let sessionTimeoutMs: number | undefined;
  if (opts.sessionTimeoutMs !== undefined) {
    sessionTimeoutMs = Number(opts.sessionTimeoutMs);
    if (opts.group === undefined) throw usage('--session-timeout-ms applies to a consumer group: give --group too');
    if (!Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs <= 0) {
      throw usage(`--session-timeout-ms ${describeValue(opts.sessionTimeoutMs)} must be a positive whole number`);
    }
  }
  let checkpointIntervalMs: number | undefined;
  if (opts.checkpointInterval !== undefined) {
    if (opts.syncCheckpoint) throw usage('--checkpoint-interval applies without --sync-checkpoint: give one of them');
    if (opts.group !== undefined) throw usage('--checkpoint-interval applies to the checkpoint, not to --group');
    checkpointIntervalMs =
      opts.checkpointInterval.trim() === '0' ? 0 : parseDuration(opts.checkpointInterval, '--checkpoint-interval');
  }
  const progressMs =
    opts.progressInterval.trim() === '0' ? 0 : parseDuration(opts.progressInterval, '--progress-interval');
  const checkpoint = opts.checkpoint ?? `checkpoints/serve-${opts.input}-${opts.output}`;
  const usesDfs = [opts.model!, checkpoint].some((p) => p.toLowerCase().startsWith('dfs:'));
  const eddy = await Eddy.start({
    broker: false,
    ...(usesDfs ? {} : { dfs: false as const }),
    ...(opts.home === undefined ? {} : { home: opts.home }),
  });
  let server: ModelServer | undefined;
  const stop = () => void server?.stop();
  try {
    server = await ModelServer.start(eddy, {
      modelPath: opts.model!,
      bootstrapServers: opts.bootstrapServer!,
      inputTopic: opts.input!,
      outputTopic: opts.output!,
      format: opts.format,
      checkpointLocation: checkpoint,
      startingOffsets: opts.startingOffsets,
      progressIntervalMs: progressMs,
      onProgress: (p) => out(formatProgress(p)),
      ...(opts.deadLetter === undefined ? {} : { deadLetterTopic: opts.deadLetter }),
      ...(maxOffsets === undefined ? {} : { maxOffsetsPerTrigger: maxOffsets }),
      ...(opts.availableNow ? { trigger: { availableNow: true } } : {}),
      ...(opts.watch ? { watch: true } : {}),
      ...(opts.group === undefined ? {} : { group: opts.group }),
      ...(sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs }),
      ...(opts.syncCheckpoint ? { asyncProgressTracking: false } : {}),
      ...(checkpointIntervalMs === undefined ? {} : { checkpointIntervalMs }),
    });
    const fields = server.schema.fields.filter((f) => !f.optional).map((f) => `${f.name} ${f.type}`);
    out(`Serving ${server.model.uid} from ${opts.input} to ${opts.output}; message fields: ${fields.join(', ')}`);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // A group consumer has no triggers: --available-now waits until the group has committed what is there.
    if (opts.group !== undefined && opts.availableNow) await server.processAllAvailable();
    else await server.awaitTermination();
    server.report();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await server?.stop();
    await eddy.close();
  }
}
