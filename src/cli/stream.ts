import { Command } from 'commander';
import { parseDuration } from '../common/duration.js';
import { EddyError } from '../common/errors.js';
import { col, explode, split, window } from '../dataframe/functions.js';
import type { DataFrame } from '../dataframe/dataframe.js';
import { Eddy } from '../session.js';
import type { StreamingQuery } from '../streaming/query.js';
import type { TriggerSpec } from '../streaming/trigger.js';

/**
 * `eddy stream wordcount`: the seed's streaming word count as a command — lines from a Kafka topic, words
 * counted (optionally per event-time window, with a watermark), written to the console or another topic, with
 * a checkpoint so a re-run continues the counts. Refuses what Spark refuses (e.g. a windowed append without a
 * watermark, complete mode without an aggregation's sink support).
 */

interface WordCountOptions {
  bootstrapServer?: string;
  topic?: string;
  window?: string;
  slide?: string;
  watermark?: string;
  outputMode?: string;
  sink: string;
  path?: string;
  outputTopic?: string;
  trigger?: string;
  once?: boolean;
  availableNow?: boolean;
  startingOffsets: string;
  checkpoint?: string;
  home?: string;
}

const usage = (msg: string) => new EddyError('USAGE', msg);

export function registerStream(program: Command): void {
  const stream = program.command('stream').description('run streaming queries (Spark Structured Streaming style)');
  stream
    .command('wordcount')
    .description("count the words of a topic's lines, continuously, with a checkpoint (the seed's word count)")
    .option('--bootstrap-server <host:port>', 'the Kafka broker(s) to read from (required)')
    .option('--topic <topic>', 'the topic whose message values are lines of text (required)')
    .option('--window <duration>', "count per event-time window of the message timestamp, e.g. '1 minute'")
    .option('--slide <duration>', 'slide of the window (default: the window, i.e. tumbling)')
    .option('--watermark <duration>', 'how late a message may arrive (withWatermark on the message timestamp)')
    .option(
      '--output-mode <mode>',
      'append, update or complete (default: complete on console, update on kafka, append on files)',
    )
    .option(
      '--sink <sink>',
      'console, kafka, parquet or json (file sinks append closed windows: need --window, --watermark)',
      'console',
    )
    .option('--path <path>', 'output folder of a file sink')
    .option('--output-topic <topic>', 'topic the kafka sink writes word (key) and count (value) to')
    .option('--trigger <duration>', "a micro-batch every interval, e.g. '10 seconds' (default: as fast as possible)")
    .option('--once', 'process what is available in one batch and exit')
    .option('--available-now', 'process everything available now (in as many batches as needed) and exit')
    .option('--starting-offsets <where>', 'earliest or latest, for a new checkpoint', 'latest')
    .option('--checkpoint <location>', 'checkpoint folder or URI, e.g. dfs:///checkpoints/wordcount (required)')
    .option('--home <dir>', 'Eddy home (for dfs:// checkpoints; default: $EDDY_HOME or ./eddy-home)')
    .action(async (opts: WordCountOptions) => {
      await runWordCount(opts);
    });
}

export async function runWordCount(opts: WordCountOptions): Promise<void> {
  if (!opts.bootstrapServer) throw usage('--bootstrap-server is required, e.g. --bootstrap-server localhost:9092');
  if (!opts.topic) throw usage('--topic is required');
  if (!opts.checkpoint) throw usage('--checkpoint is required, e.g. --checkpoint dfs:///checkpoints/wordcount');
  if (opts.startingOffsets !== 'earliest' && opts.startingOffsets !== 'latest') {
    throw usage(`--starting-offsets ${opts.startingOffsets} must be earliest or latest`);
  }
  const sink = opts.sink.toLowerCase();
  const mode = (
    opts.outputMode ?? (sink === 'kafka' ? 'update' : sink === 'console' ? 'complete' : 'append')
  ).toLowerCase();
  const fileSink = sink === 'parquet' || sink === 'json';
  if (fileSink && mode !== 'append') {
    throw usage(
      `Data source ${sink} does not support ${mode} output mode; file sinks only append (use --window and --watermark)`,
    );
  }
  if (fileSink && !opts.path) throw usage(`--sink ${sink} needs --path, e.g. --path dfs:///out/wordcount`);
  if (sink !== 'console' && sink !== 'kafka' && !fileSink) {
    throw usage(`--sink ${opts.sink} must be console, kafka, parquet or json`);
  }
  if (sink === 'kafka' && !opts.outputTopic) throw usage('--sink kafka needs --output-topic');
  if (opts.slide && !opts.window) throw usage('--slide needs --window');
  if (opts.watermark && !opts.window)
    throw usage('--watermark needs --window (the watermark is on the message timestamp)');
  const triggers = [opts.trigger !== undefined, opts.once === true, opts.availableNow === true].filter(Boolean).length;
  if (triggers > 1) throw usage('give at most one of --trigger, --once, --available-now');
  const trigger: TriggerSpec | undefined = opts.once
    ? { once: true }
    : opts.availableNow
      ? { availableNow: true }
      : opts.trigger !== undefined
        ? { processingTime: parseDuration(opts.trigger, '--trigger') }
        : undefined;

  const eddy = await Eddy.start({
    broker: false,
    ...(opts.home !== undefined ? { home: opts.home } : {}),
    ...(opts.checkpoint.startsWith('dfs:') || opts.path?.startsWith('dfs:') ? {} : { dfs: false as const }),
  });
  let query: StreamingQuery<DataFrame> | undefined;
  const stop = () => void query?.stop();
  try {
    const lines = eddy.readStream
      .format('kafka')
      .option('kafka.bootstrap.servers', opts.bootstrapServer)
      .option('subscribe', opts.topic)
      .option('startingOffsets', opts.startingOffsets)
      .load()
      .selectExpr('CAST(value AS STRING) AS value', 'timestamp');
    let words = lines.select(explode(split(col('value'), ' ')).alias('word'), col('timestamp'));
    let counts: DataFrame;
    if (opts.window) {
      if (opts.watermark) words = words.withWatermark('timestamp', opts.watermark);
      counts = words.groupBy(window(col('timestamp'), opts.window, opts.slide), col('word')).count();
    } else {
      counts = words.groupBy('word').count();
    }
    let writer;
    if (sink === 'kafka') {
      const out = opts.window
        ? counts.selectExpr(
            'word AS key',
            "concat(CAST(window.start AS STRING), ',', CAST(window.end AS STRING), ',', CAST(count AS STRING)) AS value",
          )
        : counts.selectExpr('word AS key', 'CAST(count AS STRING) AS value');
      writer = out.writeStream
        .format('kafka')
        .option('kafka.bootstrap.servers', opts.bootstrapServer)
        .option('topic', opts.outputTopic!);
    } else if (fileSink) {
      const out = opts.window
        ? counts.selectExpr('window.start AS start', 'window.end AS end', 'word', 'count')
        : counts;
      writer = out.writeStream.format(sink).option('path', opts.path!);
    } else {
      writer = counts.writeStream.format('console').option('truncate', false);
    }
    writer = writer.outputMode(mode).queryName('wordcount').option('checkpointLocation', opts.checkpoint);
    if (trigger) writer = writer.trigger(trigger);
    query = await writer.start();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await query.awaitTermination();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await eddy.close();
  }
}
