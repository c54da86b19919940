import { randomInt } from 'node:crypto';
import { Command, Option } from 'commander';
import type { KafkaMessage } from 'kafkajs';
import { EddyError } from '../common/errors.js';
import {
  booleanProperty,
  checkProperties,
  clientError,
  collectProperty,
  kafkaClient,
  parseBootstrap,
  positiveInt,
  unescapeSeparator,
} from './kafka-client.js';

/**
 * `eddy console-consumer`: Kafka's kafka-console-consumer.sh — prints a topic's messages to standard output, one
 * per line, as a member of a consumer group (a throw-away `console-consumer-NNNNN` one unless --group is given,
 * as Kafka does). Ends after --max-messages, after --timeout-ms without a message, or on Ctrl-C; then prints
 * "Processed a total of N messages" on standard error.
 */

interface ConsumerOptions {
  bootstrapServer?: string;
  topic?: string;
  group?: string;
  fromBeginning?: boolean;
  maxMessages?: string;
  timeoutMs?: string;
  property: Record<string, string>;
}

const PROPERTIES = [
  'print.key',
  'print.value',
  'print.timestamp',
  'print.partition',
  'print.offset',
  'key.separator',
  'line.separator',
  'null.literal',
] as const;

export interface ConsoleIO {
  write(s: string): boolean;
  once(event: 'drain', fn: () => void): unknown;
}

export function registerConsoleConsumer(
  program: Command,
  stdout: ConsoleIO = process.stdout,
  stderr: (s: string) => void = (s) => process.stderr.write(s),
): void {
  program
    .command('console-consumer')
    .description("print a topic's messages to standard output (Kafka's kafka-console-consumer.sh)")
    .option('--bootstrap-server <host:port>', 'the broker(s) to connect to, comma-separated (required)')
    .option('--topic <topic>', 'the topic to consume (required)')
    .option('--group <group>', 'consumer group id; committed offsets of the group decide where reading resumes')
    .option('--from-beginning', 'start at the earliest message when the group has no committed offset (else latest)')
    .option('--max-messages <n>', 'exit after printing this many messages')
    .option('--timeout-ms <ms>', 'exit when no message arrives for this many milliseconds')
    .addOption(
      new Option(
        '--property <name=value>',
        'output format: print.key, print.value, print.timestamp, print.partition, print.offset (true/false), ' +
          'key.separator (default a tab), line.separator (default \\n), null.literal (default "null"); repeatable',
      )
        .argParser(collectProperty)
        .default({}),
    )
    .action(async (opts: ConsumerOptions) => {
      await runConsoleConsumer(opts, stdout, stderr);
    });
}

/** Kafka's DefaultMessageFormatter: [timestamp][partition][offset][key] value, joined by key.separator. */
export function messageFormatter(props: Record<string, string>): (m: KafkaMessage, partition: number) => string {
  const printKey = booleanProperty(props, 'print.key', false);
  const printValue = booleanProperty(props, 'print.value', true);
  const printTimestamp = booleanProperty(props, 'print.timestamp', false);
  const printPartition = booleanProperty(props, 'print.partition', false);
  const printOffset = booleanProperty(props, 'print.offset', false);
  const sep = unescapeSeparator(props['key.separator'] ?? '\t');
  const lineSep = unescapeSeparator(props['line.separator'] ?? '\n');
  const nullLiteral = props['null.literal'] ?? 'null';
  return (m, partition) => {
    const fields: string[] = [];
    if (printTimestamp) fields.push(`CreateTime:${m.timestamp}`);
    if (printPartition) fields.push(`Partition:${partition}`);
    if (printOffset) fields.push(`Offset:${m.offset}`);
    if (printKey) fields.push(m.key === null ? nullLiteral : m.key.toString('utf8'));
    if (printValue) fields.push(m.value === null ? nullLiteral : m.value.toString('utf8'));
    return fields.join(sep) + lineSep;
  };
}

export async function runConsoleConsumer(
  opts: ConsumerOptions,
  stdout: ConsoleIO,
  stderr: (s: string) => void,
): Promise<void> {
  const brokers = parseBootstrap(opts.bootstrapServer);
  const topic = opts.topic;
  if (topic === undefined || topic === '') throw new EddyError('USAGE', 'console-consumer needs --topic <topic>');
  checkProperties(opts.property, PROPERTIES, 'console-consumer');
  const format = messageFormatter(opts.property);
  const maxMessages = opts.maxMessages === undefined ? Infinity : positiveInt(opts.maxMessages, '--max-messages');
  const timeoutMs = opts.timeoutMs === undefined ? null : positiveInt(opts.timeoutMs, '--timeout-ms');
  const groupId = opts.group ?? `console-consumer-${randomInt(100_000)}`;

  const consumer = kafkaClient(brokers, 'eddy-console-consumer').consumer({
    groupId,
    // Short polls so --timeout-ms and Ctrl-C are noticed promptly.
    maxWaitTimeInMs: 500,
  });
  let count = 0;
  let finish!: (e?: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (e?: unknown) => (e === undefined ? resolve() : reject(e));
  });
  let idle: NodeJS.Timeout | null = null;
  const armIdle = () => {
    if (timeoutMs === null) return;
    if (idle !== null) clearTimeout(idle);
    idle = setTimeout(() => finish(), timeoutMs);
  };
  const onSignal = () => finish();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) finish(clientError(e.payload.error, `consuming topic ${topic}`, brokers));
  });
  try {
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: opts.fromBeginning === true });
    } catch (e) {
      throw clientError(e, `subscribing to topic ${topic} at ${brokers.join(',')}`, brokers);
    }
    // The quiet period counts from joining the group, so a slow join does not eat into --timeout-ms.
    consumer.on(consumer.events.GROUP_JOIN, armIdle);
    await consumer.run({
      // Offsets are committed only for messages actually printed, so --max-messages never skips one; a throw-away
      // group (no --group) commits nothing, as Kafka's console consumer disables auto-commit for it.
      autoCommit: opts.group !== undefined,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (const m of batch.messages) {
          if (count >= maxMessages || !isRunning() || isStale()) break;
          if (!stdout.write(format(m, batch.partition))) await new Promise<void>((r) => stdout.once('drain', r));
          count++;
          resolveOffset(m.offset);
          armIdle();
          if (count >= maxMessages) finish();
        }
        await heartbeat();
      },
    });
    await finished;
  } finally {
    if (idle !== null) clearTimeout(idle);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await consumer.disconnect();
    stderr(`Processed a total of ${count} messages\n`);
  }
}
