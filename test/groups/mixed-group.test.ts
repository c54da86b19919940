import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { hasClient, SYSTEM_PYTHON } from '../support/clients.js';

/**
 * One consumer group, two client libraries: a librdkafka member (confluent-kafka) and a kafka-python member share
 * a 4-partition topic. Both offer range and roundrobin, so the coordinator must pick a protocol they share and
 * split the partitions; kafka-python's admin client then describes the group.
 */

const run = promisify(execFile);
let dir: string;
let broker: Broker;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-mixed-group-'));
  broker = await startBroker({ port: 0, dataDir: dir, config: { 'group.initial.rebalance.delay.ms': 0 } });
  const admin = new kafkajs.Kafka({ brokers: [broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'mixed', numPartitions: 4 }] });
  await admin.disconnect();
});

afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

const SCRIPT = `import json, sys, threading, time
from confluent_kafka import Consumer
from kafka import KafkaConsumer, KafkaProducer, KafkaAdminClient

# Each member polls in its own thread: a group member must keep polling to take part in a rebalance, and
# kafka-python blocks in poll() while it joins.
bs, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
deadline = time.time() + 45
got = {'confluent': [], 'kafka-python': []}
assigned = {'confluent': [], 'kafka-python': []}
stop = threading.Event()

def run_confluent():
    c = Consumer({'bootstrap.servers': bs, 'group.id': 'mixed', 'auto.offset.reset': 'earliest',
                  'heartbeat.interval.ms': 300, 'session.timeout.ms': 6000, 'client.id': 'librdkafka-member'})
    c.subscribe([topic])
    while not stop.is_set():
        m = c.poll(0.1)
        if m is not None and not m.error():
            got['confluent'].append(m.value().decode())
        assigned['confluent'] = sorted(tp.partition for tp in c.assignment())
    c.close()

def run_kafka_python():
    k = KafkaConsumer(topic, bootstrap_servers=bs, group_id='mixed', auto_offset_reset='earliest',
                      heartbeat_interval_ms=300, session_timeout_ms=6000, client_id='kafka-python-member')
    while not stop.is_set():
        for recs in k.poll(timeout_ms=100).values():
            got['kafka-python'].extend(r.value.decode() for r in recs)
        assigned['kafka-python'] = sorted(tp.partition for tp in k.assignment())
    k.close()

threads = [threading.Thread(target=run_confluent), threading.Thread(target=run_kafka_python)]
for t in threads: t.start()
try:
    while not (assigned['confluent'] and assigned['kafka-python']
               and sorted(assigned['confluent'] + assigned['kafka-python']) == [0, 1, 2, 3]):
        if time.time() > deadline: raise SystemExit('members never shared the topic: %r' % assigned)
        time.sleep(0.05)
    admin = KafkaAdminClient(bootstrap_servers=bs)
    info = admin.describe_consumer_groups(['mixed'])[0]
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bs)
    for i in range(n):
        producer.send(topic, value=('m%d' % i).encode(), partition=i % 4)
    producer.flush()
    producer.close()
    while len(got['confluent']) + len(got['kafka-python']) < n:
        if time.time() > deadline: raise SystemExit('timed out: %r' % got)
        time.sleep(0.05)
    print(json.dumps({
        'got': got, 'confluentPartitions': assigned['confluent'], 'kafkaPythonPartitions': assigned['kafka-python'],
        'protocol': info.protocol, 'state': info.state, 'members': sorted(m.client_id for m in info.members),
    }))
finally:
    stop.set()
    for t in threads: t.join()
`;

describe('a consumer group mixing client libraries', () => {
  it.runIf(hasClient('confluent-kafka') && hasClient('kafka-python'))(
    'splits the partitions between a librdkafka and a kafka-python member, each message read once',
    async () => {
      const { stdout } = await run(SYSTEM_PYTHON, ['-c', SCRIPT, broker.bootstrapServers, 'mixed', '40'], {
        timeout: 55_000,
      });
      const r = JSON.parse(stdout) as {
        got: Record<string, string[]>;
        confluentPartitions: number[];
        kafkaPythonPartitions: number[];
        protocol: string;
        state: string;
        members: string[];
      };
      expect([...r.confluentPartitions, ...r.kafkaPythonPartitions].sort()).toEqual([0, 1, 2, 3]);
      expect(r.confluentPartitions).toHaveLength(2);
      const all = [...r.got['confluent']!, ...r.got['kafka-python']!];
      expect(all).toHaveLength(40);
      expect(new Set(all).size).toBe(40);
      // Message i went to partition i % 4: each member read exactly its own partitions' messages.
      for (const v of r.got['confluent']!) expect(r.confluentPartitions).toContain(Number(v.slice(1)) % 4);
      expect(r).toMatchObject({
        protocol: 'range',
        state: 'Stable',
        members: ['kafka-python-member', 'librdkafka-member'],
      });
    },
  );
});
