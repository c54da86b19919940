import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Command, Option } from 'commander';
import type { Message, Producer } from 'kafkajs';
import { EddyError, describeValue } from '../common/errors.js';
import {
  booleanProperty,
  checkProperties,
  clientError,
  collectProperty,
  kafkaClient,
  parseBootstrap,
  unescapeSeparator,
} from './kafka-client.js';

/**
 * `eddy console-producer`: Kafka's kafka-console-producer.sh — one message per line of standard input. Lines are
 * sent in batches of whatever has arrived, so a pipe of a million lines is fast and a typed line goes out at once.
 */

interface ProducerOptions {
  bootstrapServer?: string;
  brokerList?: string;
  topic?: string;
  property: Record<string, string>;
  requestRequiredAcks: string;
}

const PROPERTIES = ['parse.key', 'key.separator', 'ignore.error'] as const;
/** The most lines sent in one Produce request. */
const MAX_BATCH = 1000;

export function registerConsoleProducer(program: Command, input: Readable = process.stdin): void {
  program
    .command('console-producer')
    .description("send each line of standard input as a message (Kafka's kafka-console-producer.sh)")
    .option('--bootstrap-server <host:port>', 'the broker(s) to connect to, comma-separated (required)')
    .option('--broker-list <host:port>', 'deprecated synonym of --bootstrap-server, as in Kafka')
    .option('--topic <topic>', 'the topic to produce to (required)')
    .addOption(
      new Option(
        '--property <name=value>',
        'parse.key=true: split each line into key and value at key.separator (default a tab); ' +
          'ignore.error=true: keep going after a line without the separator (repeatable)',
      )
        .argParser(collectProperty)
        .default({}),
    )
    .addOption(
      new Option('--request-required-acks <acks>', 'acks the broker must have before answering: -1 (all), 1 or 0')
        .choices(['-1', 'all', '0', '1'])
        .default('-1'),
    )
    .action(async (opts: ProducerOptions) => {
      await runConsoleProducer(opts, input);
    });
}

export async function runConsoleProducer(opts: ProducerOptions, input: Readable): Promise<void> {
  const flag = opts.bootstrapServer !== undefined ? '--bootstrap-server' : '--broker-list';
  const brokers = parseBootstrap(opts.bootstrapServer ?? opts.brokerList, flag);
  const topic = opts.topic;
  if (topic === undefined || topic === '') throw new EddyError('USAGE', 'console-producer needs --topic <topic>');
  checkProperties(opts.property, PROPERTIES, 'console-producer');
  const parseKey = booleanProperty(opts.property, 'parse.key', false);
  const ignoreError = booleanProperty(opts.property, 'ignore.error', false);
  const separator = unescapeSeparator(opts.property['key.separator'] ?? '\t');
  if (separator === '') throw new EddyError('USAGE', '--property key.separator must not be empty');
  const acks = opts.requestRequiredAcks === 'all' ? -1 : Number(opts.requestRequiredAcks);

  const producer = kafkaClient(brokers, 'eddy-console-producer').producer({ allowAutoTopicCreation: true });
  try {
    await producer.connect();
  } catch (e) {
    throw clientError(e, `connecting to ${brokers.join(',')}`, brokers);
  }
  try {
    let lineNumber = 0;
    const toMessage = (line: string): Message | null => {
      lineNumber++;
      if (!parseKey) return { value: line };
      const i = line.indexOf(separator);
      if (i < 0) {
        if (ignoreError) return { key: null, value: line };
        throw new EddyError(
          'INVALID_ARGUMENT',
          `No key separator found on line number ${lineNumber}: ${describeValue(line)}; ` +
            `lines before it were sent (use --property key.separator=... or ignore.error=true)`,
        );
      }
      return { key: line.slice(0, i), value: line.slice(i + separator.length) };
    };
    await pump(input, producer, topic, acks, toMessage, brokers);
  } finally {
    await producer.disconnect();
  }
}

/** Reads lines and sends what has accumulated whenever the previous send is done. */
async function pump(
  input: Readable,
  producer: Producer,
  topic: string,
  acks: number,
  toMessage: (line: string) => Message | null,
  brokers: string[],
): Promise<void> {
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  const buffered: Message[] = [];
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  rl.on('line', (line) => {
    if (failure !== null) return;
    try {
      const m = toMessage(line);
      if (m !== null) buffered.push(m);
    } catch (e) {
      failure = e;
      rl.close();
    }
    // Back-pressure: stop reading while a large backlog waits to be sent.
    if (buffered.length >= MAX_BATCH * 10) rl.pause();
    wake?.();
  });
  rl.on('close', () => {
    ended = true;
    wake?.();
  });
  for (;;) {
    if (buffered.length === 0) {
      if (ended || failure !== null) break;
      await new Promise<void>((r) => (wake = r));
      wake = null;
      continue;
    }
    const batch = buffered.splice(0, MAX_BATCH);
    try {
      await producer.send({ topic, acks, messages: batch });
    } catch (e) {
      rl.close();
      throw clientError(e, `sending to topic ${topic}`, brokers);
    }
    if (buffered.length < MAX_BATCH * 10) rl.resume();
  }
  if (failure !== null) throw failure;
}
