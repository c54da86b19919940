import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/common/paths.js';
import { startBroker, type Broker } from '../../src/index.js';
import { IRIS_FEATURES, saveIrisModel } from '../support/iris-pipeline.js';

/*
 * Two `eddy serve --group` instances share a topic's partitions; one is killed with SIGKILL, and the other takes
 * over its partitions once the group's session timeout expires: every message is answered.
 */

const { Kafka, logLevel } = kafkajs;
const FEATURES = IRIS_FEATURES;
const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');
let dir: string;
let broker: Broker;
let kafka: InstanceType<typeof Kafka>;
let rows: Record<string, unknown>[];
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-serve-group-'));
  broker = await startBroker({
    port: 0,
    dataDir: join(dir, 'broker'),
    config: { 'group.initial.rebalance.delay.ms': 0 },
  });
  rows = await saveIrisModel(dir);
  kafka = new Kafka({ clientId: 'failover-test', brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'in', numPartitions: 2 }, { topic: 'out' }] });
  await admin.disconnect();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

function serveInstance(name: string): ChildProcess {
  const args = ['serve', '--model', join(dir, 'models', 'iris'), '--bootstrap-server', broker.bootstrapServers];
  args.push('--input', 'in', '--output', 'out', '--group', 'scorers', '--session-timeout-ms', '6000');
  args.push('--progress-interval', '0', '--home', join(dir, name));
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: 'ignore' });
  children.push(child);
  return child;
}

async function produce(from: number, to: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = from; i < to; i++) {
    const r = rows[i % rows.length]!;
    messages.push({
      key: String(i),
      partition: i % 2,
      value: JSON.stringify(Object.fromEntries(FEATURES.map((c) => [c, r[c]]))),
    });
  }
  await producer.send({ topic: 'in', messages });
  await producer.disconnect();
}

/** Polls the broker (there is no event to await from another process) until `check` holds, for at most `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function answeredKeys(): Promise<Set<string> | undefined> {
  const consumer = kafka.consumer({ groupId: `reader-${Date.now()}-${Math.random()}` });
  const admin = kafka.admin();
  await admin.connect();
  const end = (await admin.fetchTopicOffsets('out')).reduce((n, p) => n + Number(p.high), 0);
  await admin.disconnect();
  const keys = new Set<string>();
  if (end === 0) return keys;
  await consumer.connect();
  await consumer.subscribe({ topics: ['out'], fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          keys.add(message.key!.toString());
          if (++seen >= end) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return keys;
}

describe('eddy serve --group', () => {
  it('a SIGKILLed instance loses its partitions to the survivor, and every message is answered', async () => {
    const a = serveInstance('a');
    const b = serveInstance('b');
    const admin = kafka.admin();
    await admin.connect();
    try {
      // Both instances are in the group, each holding one of the two partitions.
      await until('two members with a partition each', async () => {
        const [g] = (await admin.describeGroups(['scorers'])).groups;
        return g?.state === 'Stable' && g.members.length === 2 ? g : undefined;
      });
      await produce(0, 100);
      await until('the first 100 answers', async () => {
        const keys = await answeredKeys();
        return keys && keys.size >= 100 ? keys : undefined;
      });

      b.kill('SIGKILL');
      await produce(100, 200); // half of these land on the dead instance's partition
      const keys = await until('all 200 answered after the failover', async () => {
        const k = await answeredKeys();
        return k && k.size >= 200 ? k : undefined;
      });
      for (let i = 0; i < 200; i++) expect(keys.has(String(i))).toBe(true);
      const [g] = (await admin.describeGroups(['scorers'])).groups;
      expect(g!.members).toHaveLength(1);
      expect(a.exitCode).toBe(null);
    } finally {
      await admin.disconnect();
    }
  }, 120_000);
});
