import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../broker/broker.js';
import { eddyCli } from '../../test/support/eddy-cli.js';

let dir: string;
let broker: Broker;
let bs: string;
let kafka: InstanceType<typeof kafkajs.Kafka>;
const groups = (...args: string[]) => eddyCli(['consumer-groups', '--bootstrap-server', bs, ...args]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-cli-groups-'));
  broker = await startBroker({ port: 0, dataDir: dir, config: { 'group.initial.rebalance.delay.ms': 0 } });
  bs = broker.bootstrapServers;
  kafka = new kafkajs.Kafka({ clientId: 'lag-test', brokers: [bs], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'orders',
    messages: Array.from({ length: 10 }, (_, i) => ({ value: `o${i}`, partition: i < 6 ? 0 : 1 })),
  });
  await producer.disconnect();
  // A group that read 3 messages of partition 0 and nothing of partition 1, then left.
  const r = await eddyCli([
    'console-consumer',
    '--bootstrap-server',
    bs,
    '--topic',
    'orders',
    '--group',
    'billing',
    '--from-beginning',
    '--max-messages',
    '3',
  ]);
  expect(r.code).toBe(0);
});

afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts a kafkajs member of `groupId` and resolves once it has its assignment. */
async function activeMember(groupId: string): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, heartbeatInterval: 300 });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders' });
  await consumer.run({ eachMessage: async () => {} });
  await joined;
  return consumer;
}

describe('eddy consumer-groups', () => {
  it('lists groups and describes an idle group’s offsets and lag as kafka-consumer-groups.sh', async () => {
    expect((await groups('--list')).stdout.split('\n')).toContain('billing');
    const r = await groups('--describe', '--group', 'billing');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['', "Consumer group 'billing' has no active members.", '']);
    expect(lines[3]!.split(/\s+/)).toEqual([
      'GROUP',
      'TOPIC',
      'PARTITION',
      'CURRENT-OFFSET',
      'LOG-END-OFFSET',
      'LAG',
      'CONSUMER-ID',
      'HOST',
      'CLIENT-ID',
    ]);
    // Which partition the 3 messages came from is the consumer's business; the arithmetic is ours.
    const rows = lines
      .slice(4)
      .filter((l) => l !== '')
      .map((l) => l.split(/\s+/));
    let committed = 0;
    for (const [group, topic, partition, current, end, lag, ...member] of rows) {
      expect([group, topic, member]).toEqual(['billing', 'orders', ['-', '-', '-']]);
      expect(Number(end)).toBe(partition === '0' ? 6 : 4);
      expect(Number(lag)).toBe(Number(end) - Number(current));
      committed += Number(current);
    }
    expect(committed).toBe(3);
    // Columns line up under their headers.
    expect(lines[4]!.indexOf('orders')).toBe(lines[3]!.indexOf('TOPIC'));
  });

  it('shows the active member owning each partition, the members and the state', async () => {
    const consumer = await activeMember('live');
    try {
      const r = await groups('--describe', '--group', 'live');
      const rows = r.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/));
      expect(rows.map((c) => [c[0], c[1], c[2]])).toEqual([
        ['live', 'orders', '0'],
        ['live', 'orders', '1'],
      ]);
      for (const c of rows) {
        expect(c[3]).toBe('-'); // nothing committed: the member started at the end and read nothing
        expect(c[6]).toMatch(/^lag-test-/);
        expect(c[7]).toBe('/127.0.0.1');
        expect(c[8]).toBe('lag-test');
      }
      const members = (await groups('--describe', '--group', 'live', '--members')).stdout.trim().split('\n');
      expect(members[0]!.split(/\s+/)).toEqual(['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS']);
      expect(members[1]!.split(/\s+/)).toEqual([
        'live',
        expect.stringMatching(/^lag-test-/),
        '/127.0.0.1',
        'lag-test',
        '2',
      ]);
      const state = (await groups('--describe', '--group', 'live', '--state')).stdout.trim().split('\n');
      expect(state[1]!.split(/\s+/)).toEqual(['live', 'RoundRobinAssigner', 'Stable', '1']);

      const refused = await groups('--delete', '--group', 'live');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("'live'");
    } finally {
      await consumer.disconnect();
    }
    expect((await groups('--delete', '--group', 'live')).stdout).toBe(
      "Deletion of requested consumer groups ('live') was successful.\n",
    );
    expect((await groups('--list')).stdout.split('\n')).not.toContain('live');
  });

  it('resets an inactive group’s offsets: dry run by default, --execute to apply, clamped to each partition', async () => {
    const currentOffsets = async (group: string) =>
      (await groups('--describe', '--group', group)).stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith(`${group} `))
        .map((l) => l.split(/\s+/).slice(2, 4).join('@'));
    await eddyCli([
      'console-consumer',
      '--bootstrap-server',
      bs,
      '--topic',
      'orders',
      '--group',
      'resettable',
      '--from-beginning',
      '--max-messages',
      '10',
    ]);
    expect(await currentOffsets('resettable')).toEqual(['0@6', '1@4']);
    const dry = await groups('--reset-offsets', '--group', 'resettable', '--topic', 'orders', '--to-earliest');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('WARN: No action will be performed as the --execute option is missing.');
    const table = dry.stdout
      .trim()
      .split('\n')
      .slice(-3)
      .map((l) => l.split(/\s+/));
    expect(table).toEqual([
      ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
      ['resettable', 'orders', '0', '0'],
      ['resettable', 'orders', '1', '0'],
    ]);
    expect(await currentOffsets('resettable')).toEqual(['0@6', '1@4']);

    expect(
      (await groups('--reset-offsets', '--group', 'resettable', '--topic', 'orders', '--to-offset', '5', '--execute'))
        .code,
    ).toBe(0);
    expect(await currentOffsets('resettable')).toEqual(['0@5', '1@4']);
    await groups('--reset-offsets', '--group', 'resettable', '--all-topics', '--shift-by', '-2', '--execute');
    expect(await currentOffsets('resettable')).toEqual(['0@3', '1@2']);
    await groups('--reset-offsets', '--group', 'resettable', '--topic', 'orders:1', '--to-latest', '--execute');
    expect(await currentOffsets('resettable')).toEqual(['0@3', '1@4']);
    // The group resumes where it was moved to.
    const resumed = await eddyCli([
      'console-consumer',
      '--bootstrap-server',
      bs,
      '--topic',
      'orders',
      '--group',
      'resettable',
      '--max-messages',
      '3',
    ]);
    expect(resumed.stdout.split('\n').filter(Boolean).sort()).toEqual(['o3', 'o4', 'o5']);
    const consumer = await activeMember('resettable');
    try {
      const refused = await groups(
        '--reset-offsets',
        '--group',
        'resettable',
        '--all-topics',
        '--to-earliest',
        '--execute',
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        "eddy: Assignments can only be reset if the group 'resettable' is inactive, but the current state is Stable.\n",
      );
    } finally {
      await consumer.disconnect();
    }
    const noScenario = await groups('--reset-offsets', '--group', 'resettable', '--all-topics');
    expect(noScenario.stderr).toContain(
      'needs exactly one of --to-earliest, --to-latest, --to-offset <n>, --shift-by <n>',
    );
  });

  it('reports a group that does not exist and bad usage in one line with a non-zero exit', async () => {
    const r = await groups('--describe', '--group', 'ghost');
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: "eddy: Consumer group 'ghost' does not exist.\n" });
    expect((await groups('--describe')).stderr).toContain('needs --group');
    expect((await groups()).code).toBe(2);
    const help = (await eddyCli(['consumer-groups', '--help'])).stdout;
    for (const flag of [
      '--bootstrap-server',
      '--list',
      '--describe',
      '--delete',
      '--group',
      '--all-groups',
      '--members',
      '--state',
      '--offsets',
    ]) {
      expect(help).toContain(flag);
    }
  });
});
