import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { hasClient, SYSTEM_PYTHON } from '../support/clients.js';
import { RawClient } from '../support/raw-client.js';

// Real clients against the built-in broker: kafkajs in-process, kcat, kafka-python and confluent-kafka as
// child processes. Each test uses its own topic on one shared broker.
const run = promisify(execFile);
let broker: Broker;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-interop-'));
  broker = await startBroker({ port: 0, dataDir: dir });
});
afterAll(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

function kafka(): Kafka {
  return new Kafka({ brokers: [broker.bootstrapServers], clientId: 'interop', logLevel: logLevel.NOTHING });
}

async function kcat(args: string[], input?: string): Promise<string> {
  const child = run('kcat', ['-b', broker.bootstrapServers, ...args], { timeout: 30_000, maxBuffer: 64 << 20 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  return (await child).stdout;
}

async function python(script: string): Promise<string> {
  const { stdout } = await run(SYSTEM_PYTHON, ['-c', script, broker.bootstrapServers], { timeout: 60_000 });
  return stdout;
}

/** The compression codec of every batch stored for a partition, read straight from the segment files. */
function storedCodecs(topic: string, partition: number): number[] {
  const pdir = join(dir, `${topic}-${partition}`);
  const codecs: number[] = [];
  for (const f of readdirSync(pdir)
    .filter((x) => x.endsWith('.log'))
    .sort()) {
    const data = readFileSync(join(pdir, f));
    for (let pos = 0; pos + 61 <= data.length; pos += 12 + data.readInt32BE(pos + 8))
      codecs.push(data.readInt16BE(pos + 21) & 7);
  }
  return codecs;
}

/**
 * librdkafka enables LZ4 only when the broker advertises FindCoordinator (a Kafka 0.8.2 feature gate), which
 * this broker does only with the group coordinator registered; otherwise it sends those batches uncompressed.
 */
async function lz4Codec(): Promise<number> {
  const c = await RawClient.open(broker.port);
  const res = (await c.send(18, 0, {})) as { apiKeys: { apiKey: number }[] };
  c.close();
  return res.apiKeys.some((k) => k.apiKey === 10) ? 3 : 0;
}

describe('interop', () => {
  it('kafkajs admin creates a topic, the kafkajs producer writes, kcat -C reads it back', async () => {
    const admin = kafka().admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'kjs', numPartitions: 2 }] })).toBe(true);
    expect(await admin.listTopics()).toContain('kjs');
    const producer = kafka().producer({ idempotent: true });
    await producer.connect();
    const messages = Array.from({ length: 50 }, (_, i) => ({ value: `m${i}`, partition: 0 }));
    await producer.send({ topic: 'kjs', messages, acks: -1 });
    await producer.send({ topic: 'kjs', messages: [{ value: 'gz', partition: 1 }], compression: 1 });
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets('kjs');
    expect(offsets.map((o) => [o.partition, o.low, o.high])).toEqual([
      [0, '0', '50'],
      [1, '0', '1'],
    ]);
    await admin.disconnect();
    if (!hasClient('kcat')) return;
    const out = await kcat(['-C', '-t', 'kjs', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o:%s\n']);
    expect(out.trim().split('\n')).toEqual(messages.map((m, i) => `${i}:${m.value}`));
    expect(await kcat(['-C', '-t', 'kjs', '-p', '1', '-o', 'beginning', '-e', '-q'])).toBe('gz\n');
  });

  it('kcat -P with every codec: batches are stored as received and consumed back', async () => {
    if (!hasClient('kcat')) return;
    const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
    for (const z of codecs) {
      // Repetitive values: librdkafka sends a batch uncompressed when compressing would not shrink it.
      const lines = Array.from({ length: 20 }, (_, i) => `${z}-${i}-${'abc'.repeat(40)}`).join('\n');
      await kcat(['-P', '-t', 'codecs', '-p', '0', '-z', z, '-X', 'acks=all'], lines + '\n');
    }
    // librdkafka may split a run into several batches: compare runs of equal codecs.
    const runs = storedCodecs('codecs', 0).filter((c, i, a) => i === 0 || a[i - 1] !== c);
    expect(runs).toEqual([0, 1, 2, await lz4Codec(), 4]);
    const out = await kcat(['-C', '-t', 'codecs', '-o', 'beginning', '-e', '-q']);
    expect(out.trim().split('\n')).toEqual(
      codecs.flatMap((z) => Array.from({ length: 20 }, (_, i) => `${z}-${i}-${'abc'.repeat(40)}`)),
    );
    // ListOffsets via kcat's query mode: -2/-1 give the watermarks
    const wm = await kcat(['-Q', '-t', 'codecs:0:-1']);
    expect(wm).toContain('offset 100');
  });

  it('kafka-python producer (gzip, lz4, snappy, zstd) and a group-less consumer with CRC checks', async () => {
    if (!hasClient('kafka-python')) return;
    const out = await python(`
import sys
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
bs = sys.argv[1]
n = 0
for codec in ['gzip', 'lz4', 'snappy', 'zstd', None]:
    try:
        p = KafkaProducer(bootstrap_servers=bs, acks='all', compression_type=codec)
    except Exception as e:
        print('skip', codec, type(e).__name__); continue
    for i in range(10): p.send('kpy', ('%s-%d' % (codec, i)).encode())
    p.flush(); p.close(); n += 10
c = KafkaConsumer(bootstrap_servers=bs, group_id=None, auto_offset_reset='earliest', check_crcs=True)
c.assign([TopicPartition('kpy', 0)])
vals = []
for _ in range(50):
    for recs in c.poll(timeout_ms=1000).values(): vals += [m.value.decode() for m in recs]
    if len(vals) >= n: break
print('produced', n, 'consumed', len(vals), 'ok', vals == sorted(vals, key=vals.index) and len(set(vals)) == n)
`);
    expect(out).toContain('ok True');
    expect(out).toContain('produced 50 consumed 50');
  });

  it('confluent-kafka admin, idempotent producer with every codec, and consumer by assignment', async () => {
    if (!hasClient('confluent-kafka')) return;
    const out = await python(`
import sys
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
bs = sys.argv[1]
a = AdminClient({'bootstrap.servers': bs})
for f in a.create_topics([NewTopic('ck', 3, 1)]).values(): f.result()
try:
    for f in a.create_topics([NewTopic('ck-rf', 1, 3)]).values(): f.result()
except Exception as e:
    print('rf-error', e.args[0].name())
for codec in ['snappy', 'zstd', 'lz4', 'gzip', 'none']:
    p = Producer({'bootstrap.servers': bs, 'compression.type': codec, 'enable.idempotence': True})
    for i in range(3): p.produce('ck', ('%s-%d' % (codec, i) + '-' + 'abc' * 40).encode(), partition=i)
    assert p.flush(10) == 0
c = Consumer({'bootstrap.servers': bs, 'group.id': 'unused', 'enable.auto.commit': False})
c.assign([TopicPartition('ck', i, 0) for i in range(3)])
got = []
while len(got) < 15:
    m = c.poll(10)
    if m is None: break
    if m.error(): continue
    got.append('%d/%d/%s' % (m.partition(), m.offset(), m.value().decode().split('-abc')[0]))
c.close()
print(' '.join(sorted(got)))
`);
    expect(out).toContain('rf-error INVALID_REPLICATION_FACTOR');
    const expected = [0, 1, 2]
      .flatMap((p) => ['snappy', 'zstd', 'lz4', 'gzip', 'none'].map((z, o) => `${p}/${o}/${z}-${p}`))
      .sort()
      .join(' ');
    expect(out.trim().split('\n').pop()).toBe(expected);
    expect(storedCodecs('ck', 1)).toEqual([2, 4, await lz4Codec(), 1, 0]);
  });

  it('kafka-python KafkaAdminClient: create, describe and alter configs, grow, list and delete topics', async () => {
    if (!hasClient('kafka-python')) return;
    const out = await python(`
import sys
from kafka.admin import KafkaAdminClient, NewTopic, NewPartitions, ConfigResource, ConfigResourceType
a = KafkaAdminClient(bootstrap_servers=sys.argv[1])
a.create_topics([NewTopic('kpa', 1, 1, topic_configs={'retention.ms': '60000'})])
cfg = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'kpa')])[0]
entries = {e[0]: e[1] for e in cfg.resources[0][4]}
print('retention', entries['retention.ms'])
a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, 'kpa', configs={'retention.ms': '120000'})])
cfg = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'kpa')])[0]
print('altered', {e[0]: e[1] for e in cfg.resources[0][4]}['retention.ms'])
a.create_partitions({'kpa': NewPartitions(4)})
print('partitions', len(a.describe_topics(['kpa'])[0]['partitions']))
print('listed', 'kpa' in a.list_topics())
a.delete_topics(['kpa'])
print('after delete', 'kpa' in a.list_topics())
a.close()
`);
    expect(out).toContain('retention 60000');
    expect(out).toContain('altered 120000');
    expect(out).toContain('partitions 4');
    expect(out).toContain('listed True');
    expect(out).toContain('after delete False');
  });

  it('confluent-kafka AdminClient: describe and alter configs, create partitions, delete topics', async () => {
    if (!hasClient('confluent-kafka')) return;
    const out = await python(`
import sys
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource
a = AdminClient({'bootstrap.servers': sys.argv[1]})
for f in a.create_topics([NewTopic('cka', 2, 1, config={'segment.bytes': '1048576'})]).values(): f.result()
r = ConfigResource('topic', 'cka')
c = list(a.describe_configs([r]).values())[0].result()
print('segment', c['segment.bytes'].value, c['cleanup.policy'].value)
list(a.alter_configs([ConfigResource('topic', 'cka', set_config={'retention.bytes': '100000'})]).values())[0].result()
c = list(a.describe_configs([r]).values())[0].result()
print('retention.bytes', c['retention.bytes'].value)
for f in a.create_partitions([NewPartitions('cka', 5)]).values(): f.result()
print('partitions', len(a.list_topics(timeout=10).topics['cka'].partitions))
for f in a.delete_topics(['cka']).values(): f.result()
print('deleted', 'cka' not in a.list_topics(timeout=10).topics)
`);
    expect(out).toContain('segment 1048576 delete');
    expect(out).toContain('retention.bytes 100000');
    expect(out).toContain('partitions 5');
    expect(out).toContain('deleted True');
  });

  it('kafkajs finds offsets by timestamp and reads the earliest/latest watermarks', async () => {
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'times' }] });
    const producer = kafka().producer();
    await producer.connect();
    for (const ts of [1000, 2000, 3000]) {
      await producer.send({ topic: 'times', messages: [{ value: `at-${ts}`, timestamp: String(ts) }] });
    }
    await producer.disconnect();
    const at = await admin.fetchTopicOffsetsByTimestamp('times', 1500);
    expect(at).toEqual([{ partition: 0, offset: '1' }]);
    const after = await admin.fetchTopicOffsetsByTimestamp('times', 5000);
    expect(after).toEqual([{ partition: 0, offset: '3' }]);
    await admin.disconnect();
  });
});
