import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { hasClient, SYSTEM_PYTHON } from '../support/clients.js';

/**
 * Consumer groups of librdkafka (kcat -G, confluent-kafka) and kafka-python against the built-in broker: each
 * reads a 2-partition topic from the start as a group member and leaves its commits where kafkajs' admin sees them.
 */

const run = promisify(execFile);
const TOPIC = 'interop';
const COUNT = 20;
let dir: string;
let broker: Broker;
let admin: Admin;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-clients-group-'));
  broker = await startBroker({ port: 0, dataDir: dir, config: { 'group.initial.rebalance.delay.ms': 0 } });
  const kafka = new Kafka({ clientId: 'setup', brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    messages: Array.from({ length: COUNT }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2 })),
  });
  await producer.disconnect();
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

async function committed(groupId: string): Promise<Record<number, string>> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
  return Object.fromEntries(t!.partitions.map((p) => [p.partition, p.offset]));
}

const expectedValues = Array.from({ length: COUNT }, (_, i) => `v${i}`).sort();

describe('consumer groups of other clients', () => {
  it.runIf(hasClient('kcat'))('kcat -G reads the topic as a group member and commits', async () => {
    const { stdout } = await run(
      'kcat',
      [
        '-b',
        broker.bootstrapServers,
        '-G',
        'kcat-group',
        '-X',
        'auto.offset.reset=earliest',
        '-c',
        String(COUNT),
        '-f',
        '%s\n',
        '-q',
        TOPIC,
      ],
      { timeout: 60_000 },
    );
    expect(stdout.trim().split('\n').sort()).toEqual(expectedValues);
    expect(await committed('kcat-group')).toEqual({ 0: '10', 1: '10' });
  });

  it.runIf(hasClient('confluent-kafka'))('confluent_kafka.Consumer joins, consumes, commits and closes', async () => {
    const script = `
import sys
from confluent_kafka import Consumer
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'confluent-group', 'auto.offset.reset': 'earliest',
              'enable.auto.commit': False, 'session.timeout.ms': 6000})
c.subscribe([sys.argv[2]])
got = []
while len(got) < int(sys.argv[3]):
    m = c.poll(10.0)
    if m is None:
        raise SystemExit('timed out after %d messages' % len(got))
    if m.error():
        raise SystemExit(str(m.error()))
    got.append(m.value().decode())
c.commit(asynchronous=False)
c.close()
# The legacy admin call: ListGroups v0 to every broker, then DescribeGroups v0.
from confluent_kafka.admin import AdminClient
listed = [g.id for g in AdminClient({'bootstrap.servers': sys.argv[1]}).list_groups(timeout=10)]
assert 'confluent-group' in listed, listed
print('\\n'.join(got))
`;
    const { stdout } = await run(SYSTEM_PYTHON, ['-c', script, broker.bootstrapServers, TOPIC, String(COUNT)], {
      timeout: 60_000,
    });
    expect(stdout.trim().split('\n').sort()).toEqual(expectedValues);
    expect(await committed('confluent-group')).toEqual({ 0: '10', 1: '10' });
  });

  it.runIf(hasClient('kafka-python'))('kafka-python KafkaConsumer with group_id consumes and commits', async () => {
    const script = `
import sys
from kafka import KafkaConsumer
c = KafkaConsumer(sys.argv[2], bootstrap_servers=sys.argv[1], group_id='python-group', auto_offset_reset='earliest',
                  enable_auto_commit=False, consumer_timeout_ms=20000)
got = []
for m in c:
    got.append(m.value.decode())
    if len(got) == int(sys.argv[3]):
        break
c.commit()
c.close()
# KafkaAdminClient: OffsetFetch v3 with null topics (all of the group's offsets) and DescribeGroups v3.
from kafka import KafkaAdminClient
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1])
offsets = admin.list_consumer_group_offsets('python-group')
assert sorted((tp.partition, om.offset) for tp, om in offsets.items()) == [(0, 10), (1, 10)], offsets
described = admin.describe_consumer_groups(['python-group'])[0]
assert described.state == 'Empty' and described.protocol_type == 'consumer', described
admin.close()
print('\\n'.join(got))
`;
    const { stdout } = await run(SYSTEM_PYTHON, ['-c', script, broker.bootstrapServers, TOPIC, String(COUNT)], {
      timeout: 60_000,
    });
    expect(stdout.trim().split('\n').sort()).toEqual(expectedValues);
    expect(await committed('python-group')).toEqual({ 0: '10', 1: '10' });
    expect((await admin.listGroups()).groups).toContainEqual({ groupId: 'python-group', protocolType: 'consumer' });
  });
});
