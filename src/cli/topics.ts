import { Command, Option } from 'commander';
import kafkajs, { type Admin } from 'kafkajs';
import { EddyError, describeValue } from '../common/errors.js';
import { clientError, kafkaClient, parseBootstrap, positiveInt } from './kafka-client.js';

// kafkajs is CommonJS: Node resolves its classes through the default export only.
const { ConfigResourceTypes } = kafkajs;

/**
 * `eddy topics`: Kafka's kafka-topics.sh on the Kafka protocol — create, list, describe, alter (add partitions)
 * and delete topics, with the same flags and the same output lines, so scripts written for Kafka run unchanged.
 */

interface TopicsOptions {
  bootstrapServer?: string;
  create?: boolean;
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  alter?: boolean;
  topic?: string;
  partitions?: string;
  replicationFactor?: string;
  config: string[];
  ifNotExists?: boolean;
  ifExists?: boolean;
}

const ACTIONS = ['create', 'list', 'describe', 'delete', 'alter'] as const;

export function registerTopics(program: Command, out: (s: string) => void = (s) => process.stdout.write(s)): void {
  program
    .command('topics')
    .description("create, list, describe, alter or delete topics (Kafka's kafka-topics.sh)")
    .option('--bootstrap-server <host:port>', 'the broker(s) to connect to, comma-separated (required)')
    .option('--create', 'create a new topic (needs --topic; --partitions and --replication-factor optional)')
    .option('--list', 'list all topics, one per line')
    .option('--describe', 'describe every topic, or only --topic, in kafka-topics.sh format')
    .option('--delete', 'delete --topic')
    .option('--alter', 'raise the partition count of --topic to --partitions')
    .option('--topic <topic>', 'the topic to create, describe, alter or delete')
    .option(
      '--partitions <n>',
      "partitions of the topic being created (default: the broker's num.partitions) or altered",
    )
    .option('--replication-factor <n>', 'replicas per partition for --create (a single-node broker supports 1)')
    .addOption(
      new Option('--config <name=value>', 'a topic config override for --create, e.g. retention.ms=60000 (repeatable)')
        .argParser((v: string, prev: string[]) => [...prev, v])
        .default([]),
    )
    .option('--if-not-exists', 'with --create: do nothing if the topic already exists')
    .option('--if-exists', 'with --delete or --alter: do nothing if the topic does not exist')
    .action(async (opts: TopicsOptions) => {
      await runTopics(opts, out);
    });
}

export async function runTopics(opts: TopicsOptions, out: (s: string) => void): Promise<void> {
  const chosen = ACTIONS.filter((a) => opts[a] === true);
  if (chosen.length !== 1) {
    throw new EddyError(
      'USAGE',
      `topics: give exactly one of ${ACTIONS.map((a) => `--${a}`).join(', ')}` +
        (chosen.length > 1 ? ` (got ${chosen.map((a) => `--${a}`).join(' ')})` : ''),
    );
  }
  const action = chosen[0]!;
  const brokers = parseBootstrap(opts.bootstrapServer);
  if (['create', 'delete', 'alter'].includes(action) && opts.topic === undefined) {
    throw new EddyError('USAGE', `topics --${action} needs --topic <topic>`);
  }
  const admin = kafkaClient(brokers, 'eddy-topics').admin();
  try {
    await admin.connect();
  } catch (e) {
    throw clientError(e, `connecting to ${brokers.join(',')}`, brokers);
  }
  try {
    switch (action) {
      case 'list':
        for (const t of (await admin.listTopics()).sort()) out(`${t}\n`);
        return;
      case 'create':
        return await create(admin, opts, out);
      case 'describe':
        return await describe(admin, opts.topic, out);
      case 'delete':
        return await remove(admin, opts);
      case 'alter':
        return await alter(admin, opts);
    }
  } catch (e) {
    throw clientError(e, `topics --${action}${opts.topic === undefined ? '' : ` ${opts.topic}`}`, brokers);
  } finally {
    await admin.disconnect();
  }
}

async function exists(admin: Admin, topic: string): Promise<boolean> {
  return (await admin.listTopics()).includes(topic);
}

async function create(admin: Admin, opts: TopicsOptions, out: (s: string) => void): Promise<void> {
  const topic = opts.topic!;
  const configEntries = opts.config.map((c) => {
    const i = c.indexOf('=');
    if (i <= 0)
      throw new EddyError('USAGE', `--config ${describeValue(c)} is not name=value (e.g. retention.ms=60000)`);
    return { name: c.slice(0, i), value: c.slice(i + 1) };
  });
  if (await exists(admin, topic)) {
    if (opts.ifNotExists) return;
    throw new EddyError('ALREADY_EXISTS', `Topic '${topic}' already exists.`);
  }
  const created = await admin.createTopics({
    topics: [
      {
        topic,
        ...(opts.partitions === undefined ? {} : { numPartitions: positiveInt(opts.partitions, '--partitions') }),
        ...(opts.replicationFactor === undefined
          ? {}
          : { replicationFactor: positiveInt(opts.replicationFactor, '--replication-factor') }),
        configEntries,
      },
    ],
  });
  if (!created && !opts.ifNotExists) throw new EddyError('ALREADY_EXISTS', `Topic '${topic}' already exists.`);
  out(`Created topic ${topic}.\n`);
}

async function remove(admin: Admin, opts: TopicsOptions): Promise<void> {
  const topic = opts.topic!;
  if (!(await exists(admin, topic))) {
    if (opts.ifExists) return;
    throw new EddyError('NOT_FOUND', `Topic '${topic}' does not exist as expected`);
  }
  await admin.deleteTopics({ topics: [topic] });
}

async function alter(admin: Admin, opts: TopicsOptions): Promise<void> {
  const topic = opts.topic!;
  if (opts.partitions === undefined) throw new EddyError('USAGE', 'topics --alter needs --partitions <n>');
  const count = positiveInt(opts.partitions, '--partitions');
  if (!(await exists(admin, topic))) {
    if (opts.ifExists) return;
    throw new EddyError('NOT_FOUND', `Topic '${topic}' does not exist as expected`);
  }
  await admin.createPartitions({ topicPartitions: [{ topic, count }] });
}

async function describe(admin: Admin, topic: string | undefined, out: (s: string) => void): Promise<void> {
  const names = topic === undefined ? (await admin.listTopics()).sort() : [topic];
  if (topic !== undefined && !(await exists(admin, topic))) {
    throw new EddyError('NOT_FOUND', `Topic '${topic}' does not exist as expected`);
  }
  if (names.length === 0) return;
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const overrides = new Map(
    configs.resources.map((r) => [
      r.resourceName,
      r.configEntries
        .filter((c) => !c.isDefault && c.configValue !== null)
        .map((c) => `${c.configName}=${c.configValue}`)
        .join(','),
    ]),
  );
  for (const t of [...topics].sort((a, b) => a.name.localeCompare(b.name))) {
    const parts = [...t.partitions].sort((a, b) => a.partitionId - b.partitionId);
    const rf = parts[0]?.replicas.length ?? 0;
    // kafka-topics.sh prints TopicId only when the broker reported one; kafkajs' Metadata v6 carries none.
    out(
      `Topic: ${t.name}\tPartitionCount: ${parts.length}\tReplicationFactor: ${rf}\tConfigs: ${overrides.get(t.name) ?? ''}\n`,
    );
    for (const p of parts) {
      out(
        `\tTopic: ${t.name}\tPartition: ${p.partitionId}\tLeader: ${p.leader}\t` +
          `Replicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}\n`,
      );
    }
  }
}
