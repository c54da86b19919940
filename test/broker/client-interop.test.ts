import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { KafkaClient } from '../../src/broker/client/kafka-client.js';
import { partitionForKey } from '../../src/broker/client/partitioner.js';
import { hasClient, SYSTEM_PYTHON } from '../support/clients.js';

// Eddy's Kafka client against real clients through the built-in broker, both ways: what it writes, kafkajs,
// kcat (librdkafka) and kafka-python read; what they write with every codec, it reads.
const run = promisify(execFile);
let broker: Broker;
let dir: string;
let client: KafkaClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-kclient-interop-'));
  broker = await startBroker({ port: 0, dataDir: dir, config: { 'num.partitions': '1' } });
  client = await KafkaClient.connect({ bootstrapServers: broker.bootstrapServers, clientId: 'interop' });
});
afterAll(async () => {
  await client.close();
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

function kafka(): Kafka {
  return new Kafka({ brokers: [broker.bootstrapServers], clientId: 'interop', logLevel: logLevel.NOTHING });
}

async function kcat(args: string[], input?: string): Promise<string> {
  const child = run('kcat', ['-b', broker.bootstrapServers, ...args], { timeout: 30_000, maxBuffer: 64 << 20 });
  if (input !== undefined) child.child.stdin!.end(input);
  return (await child).stdout;
}

/** Every record of a partition, read with the client from offset 0 to the high watermark. */
async function readAll(topic: string, partition = 0): Promise<{ key: string | null; value: string | null }[]> {
  const out: { key: string | null; value: string | null }[] = [];
  let offset = 0;
  for (;;) {
    const [f] = await client.fetch([{ topic, partition, offset }], { maxWaitMs: 0 });
    expect(f!.errorCode).toBe(0);
    const r = f!.records;
    for (let i = 0; i < r.count; i++) {
      out.push({ key: r.keys[i]?.toString() ?? null, value: r.values[i]?.toString() ?? null });
    }
    offset = r.nextOffset;
    if (offset >= f!.highWatermark) return out;
  }
}

/** The codec of every batch stored for a partition, straight from the segment files. */
function storedCodecs(topic: string, partition: number): number[] {
  const pdir = join(dir, `${topic}-${partition}`);
  const codecs: number[] = [];
  for (const f of readdirSync(pdir).filter((x) => x.endsWith('.log'))) {
    const data = readFileSync(join(pdir, f));
    for (let pos = 0; pos + 61 <= data.length; pos += 12 + data.readInt32BE(pos + 8)) {
      codecs.push(data.readInt16BE(pos + 21) & 7);
    }
  }
  return codecs;
}

const values = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i}-${'abc'.repeat(30)}`);

describe('Eddy client ⇄ real Kafka clients', () => {
  it('kcat reads what the client produced with none, gzip, snappy and lz4', async () => {
    if (!hasClient('kcat')) return;
    const expected: string[] = [];
    for (const compression of ['none', 'gzip', 'snappy', 'lz4'] as const) {
      const vs = values(compression, 25);
      await client.produce(
        'to-kcat',
        0,
        vs.map((value, i) => ({ key: `k${i}`, value })),
        { compression },
      );
      expected.push(...vs);
    }
    expect(storedCodecs('to-kcat', 0)).toEqual([0, 1, 2, 3]);
    const out = await kcat(['-C', '-t', 'to-kcat', '-o', 'beginning', '-e', '-q', '-f', '%o %s\n']);
    expect(out.trim().split('\n')).toEqual(expected.map((v, i) => `${i} ${v}`));
  });

  it('a kafkajs consumer reads what the client produced (none and gzip, keys and headers)', async () => {
    await client.produce('to-kafkajs', 0, [{ key: 'a', value: 'plain', headers: { h: 'v' } }]);
    await client.produce('to-kafkajs', 0, [{ key: 'b', value: 'zipped' }], { compression: 'gzip' });
    const consumer = kafka().consumer({ groupId: 'from-eddy' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['to-kafkajs'], fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            got.push(`${message.offset}:${message.key}=${message.value}:${String(message.headers?.['h'] ?? '')}`);
            if (got.length === 2) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(got).toEqual(['0:a=plain:v', '1:b=zipped:']);
  });

  it('the client reads what kcat produced with every codec, zstd included', async () => {
    if (!hasClient('kcat')) return;
    const expected: string[] = [];
    for (const z of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      const vs = values(z, 20);
      await kcat(['-P', '-t', 'from-kcat', '-p', '0', '-z', z, '-X', 'acks=all'], vs.join('\n') + '\n');
      expected.push(...vs);
    }
    expect((await readAll('from-kcat')).map((r) => r.value)).toEqual(expected);
    // Each codec really was on the wire (librdkafka may split a run into several batches).
    expect(storedCodecs('from-kcat', 0).filter((c, i, a) => i === 0 || a[i - 1] !== c)).toEqual([0, 1, 2, 3, 4]);
  });

  it('the client reads what kafkajs produced (gzip, keys) and places keys on the same partitions', async () => {
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'from-kafkajs', numPartitions: 3 }] });
    await admin.disconnect();
    const producer = kafka().producer();
    await producer.connect();
    const messages = Array.from({ length: 60 }, (_, i) => ({ key: `user-${i}`, value: `v${i}` }));
    await producer.send({ topic: 'from-kafkajs', messages, compression: CompressionTypes.GZIP });
    await producer.disconnect();
    const seen: string[] = [];
    for (const p of [0, 1, 2]) {
      for (const r of await readAll('from-kafkajs', p)) {
        expect(partitionForKey(r.key!, 3)).toBe(p);
        seen.push(r.value!);
      }
    }
    expect(seen.sort()).toEqual(messages.map((m) => m.value).sort());
    // And what the client sends by key lands where kafkajs put the same keys.
    const mine = await client.send('from-kafkajs', [{ key: 'user-7', value: 'again' }]);
    const kjs = (await readAll('from-kafkajs', mine[0]!.partition)).filter((r) => r.key === 'user-7');
    expect(kjs.map((r) => r.value)).toEqual(['v7', 'again']);
  });

  it('kcat with the murmur2 partitioner puts keys where the client does', async () => {
    if (!hasClient('kcat')) return;
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kcat-keys', numPartitions: 4 }] });
    await admin.disconnect();
    const lines = Array.from({ length: 30 }, (_, i) => `key${i}:v${i}`);
    await kcat(['-P', '-t', 'kcat-keys', '-K', ':', '-X', 'topic.partitioner=murmur2_random'], lines.join('\n') + '\n');
    let n = 0;
    for (const p of [0, 1, 2, 3]) {
      for (const r of await readAll('kcat-keys', p)) {
        expect(partitionForKey(r.key!, 4)).toBe(p);
        n++;
      }
    }
    expect(n).toBe(30);
  });

  it('kafka-python reads the snappy (xerial) and lz4 batches the client wrote, with CRC checks', async () => {
    if (!hasClient('kafka-python')) return;
    await client.produce(
      'to-python',
      0,
      values('s', 10).map((value) => ({ value })),
      { compression: 'snappy' },
    );
    await client.produce(
      'to-python',
      0,
      values('l', 10).map((value) => ({ value })),
      { compression: 'lz4' },
    );
    const { stdout } = await run(
      SYSTEM_PYTHON,
      [
        '-c',
        `
import sys
from kafka import KafkaConsumer, TopicPartition
c = KafkaConsumer(bootstrap_servers=sys.argv[1], group_id=None, auto_offset_reset='earliest', check_crcs=True)
c.assign([TopicPartition('to-python', 0)])
vals = []
for _ in range(30):
    for recs in c.poll(timeout_ms=1000).values(): vals += [m.value.decode() for m in recs]
    if len(vals) >= 20: break
print(len(vals), vals[0], vals[-1])
`,
        broker.bootstrapServers,
      ],
      { timeout: 60_000 },
    );
    expect(stdout.trim()).toBe(`20 ${values('s', 1)[0]} ${values('l', 10)[9]}`);
  });
});
