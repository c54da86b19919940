import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { packageRoot } from '../../src/common/paths.js';

/**
 * kafkajs consumer groups against the built-in broker: two members share a 4-partition topic, every message is
 * consumed exactly once, the survivor takes over when one leaves, and commits survive a broker restart.
 */

let dir: string;
let broker: Broker;

async function start(): Promise<Broker> {
  return startBroker({
    port: 0,
    dataDir: dir,
    // A small minimum session timeout lets the crash test detect a dead member within seconds.
    config: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000 },
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-kafkajs-group-'));
  broker = await start();
});

afterEach(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

function client(id: string): Kafka {
  return new Kafka({
    clientId: id,
    brokers: [broker.bootstrapServers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 20 },
  });
}

/** Resolves with a consumer's assigned partitions each time it completes a join. */
function assignments(consumer: Consumer): { next(): Promise<number[]> } {
  const waiting: ((p: number[]) => void)[] = [];
  const seen: number[][] = [];
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const parts = Object.values(e.payload.memberAssignment).flat().sort();
    const w = waiting.shift();
    if (w) w(parts);
    else seen.push(parts);
  });
  return {
    next: () => (seen.length > 0 ? Promise.resolve(seen.shift()!) : new Promise((r) => waiting.push(r))),
  };
}

/** Collects messages until `n` have arrived in total. */
class Collector {
  readonly got: { consumer: string; key: string }[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];
  handler(consumer: string) {
    return async ({ message }: EachMessagePayload) => {
      this.got.push({ consumer, key: message.key!.toString() });
      this.waiters = this.waiters.filter((w) => (this.got.length >= w.n ? (w.resolve(), false) : true));
    };
  }
  until(n: number): Promise<void> {
    return this.got.length >= n ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

describe('kafkajs consumer group', () => {
  it('shares a 4-partition topic between two members, each message once, and rebalances when one leaves', async () => {
    const kafka = client('interop');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'shared', numPartitions: 4 }] });
    const producer = kafka.producer();
    await producer.connect();
    const options = {
      groupId: 'g',
      sessionTimeout: 6000,
      heartbeatInterval: 200,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 200,
    };
    const a = kafka.consumer(options);
    const b = kafka.consumer(options);
    const aJoins = assignments(a);
    const bJoins = assignments(b);
    const collected = new Collector();
    try {
      await a.connect();
      await a.subscribe({ topic: 'shared', fromBeginning: true });
      await a.run({ eachMessage: collected.handler('a') });
      expect(await aJoins.next()).toEqual([0, 1, 2, 3]);
      await b.connect();
      await b.subscribe({ topic: 'shared', fromBeginning: true });
      await b.run({ eachMessage: collected.handler('b') });
      const [pa, pb] = await Promise.all([aJoins.next(), bJoins.next()]);
      expect([...pa, ...pb].sort()).toEqual([0, 1, 2, 3]);
      expect(pa).toHaveLength(2);

      const messages = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          key: `k${from + i}`,
          value: `v${from + i}`,
          partition: (from + i) % 4,
        }));
      await producer.send({ topic: 'shared', messages: messages(0, 40) });
      await collected.until(40);
      expect(new Set(collected.got.map((m) => m.key)).size).toBe(40);
      expect(new Set(collected.got.map((m) => m.consumer))).toEqual(new Set(['a', 'b']));

      await b.disconnect();
      expect(await aJoins.next()).toEqual([0, 1, 2, 3]);
      await producer.send({ topic: 'shared', messages: messages(40, 20) });
      await collected.until(60);
      const keys = collected.got.map((m) => m.key);
      expect(keys).toHaveLength(60);
      expect(new Set(keys).size).toBe(60);
      expect(collected.got.slice(40).every((m) => m.consumer === 'a')).toBe(true);

      const groups = await admin.describeGroups(['g']);
      expect(groups.groups[0]).toMatchObject({ groupId: 'g', state: 'Stable', protocol: 'RoundRobinAssigner' });
      expect(groups.groups[0]!.members).toHaveLength(1);
    } finally {
      await a.disconnect();
      await b.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  it('keeps committed offsets across a broker restart', async () => {
    let kafka = client('restart');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'durable', messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) });
    await producer.disconnect();
    const consumeAll = async (expectCount: number): Promise<string[]> => {
      const consumer = kafka.consumer({
        groupId: 'keeper',
        sessionTimeout: 6000,
        heartbeatInterval: 200,
        maxWaitTimeInMs: 200,
      });
      const got: string[] = [];
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      await consumer.connect();
      await consumer.subscribe({ topic: 'durable', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message.value!.toString());
          if (got.length === expectCount) done();
        },
      });
      await finished;
      await consumer.disconnect();
      return got;
    };
    expect(await consumeAll(10)).toHaveLength(10);
    const before = await (async () => {
      const admin = kafka.admin();
      await admin.connect();
      const o = await admin.fetchOffsets({ groupId: 'keeper', topics: ['durable'] });
      await admin.disconnect();
      return o;
    })();
    expect(before[0]!.partitions[0]!.offset).toBe('10');

    await broker.close();
    broker = await start();
    kafka = client('restart-2');
    const admin = kafka.admin();
    await admin.connect();
    const after = await admin.fetchOffsets({ groupId: 'keeper', topics: ['durable'] });
    expect(after[0]!.partitions[0]!.offset).toBe('10');
    expect((await admin.listGroups()).groups).toEqual([{ groupId: 'keeper', protocolType: 'consumer' }]);
    const p2 = kafka.producer();
    await p2.connect();
    await p2.send({ topic: 'durable', messages: [{ value: 'after-restart' }] });
    await p2.disconnect();
    await admin.disconnect();
    // The group resumes after its commit: only the new message arrives.
    expect(await consumeAll(1)).toEqual(['after-restart']);
  });

  it('expires a member whose process was killed and gives its partitions to the survivor', async () => {
    const kafka = client('crash');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'crashy', numPartitions: 2 }] });
    await admin.disconnect();
    // The victim: a kafkajs member in its own process, reporting each assignment on stdout.
    const victimScript = `
      const { Kafka, logLevel } = require('kafkajs');
      const kafka = new Kafka({ clientId: 'victim', brokers: [process.argv[1]], logLevel: logLevel.NOTHING });
      const c = kafka.consumer({ groupId: 'crash-group', sessionTimeout: 2000, heartbeatInterval: 200, maxWaitTimeInMs: 200 });
      c.on(c.events.GROUP_JOIN, (e) => console.log('JOINED ' + Object.values(e.payload.memberAssignment).flat().sort().join(',')));
      c.connect().then(() => c.subscribe({ topic: 'crashy' })).then(() => c.run({ eachMessage: async () => {} }));`;
    const victim = spawn(process.execPath, ['-e', victimScript, broker.bootstrapServers], {
      cwd: packageRoot(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const victimLines = createInterface({ input: victim.stdout! })[Symbol.asyncIterator]();
    const victimJoined = async () => String((await victimLines.next()).value);
    const survivor = kafka.consumer({
      groupId: 'crash-group',
      sessionTimeout: 6000,
      heartbeatInterval: 200,
      maxWaitTimeInMs: 200,
    });
    const survivorJoins = assignments(survivor);
    const collected = new Collector();
    try {
      expect(await victimJoined()).toBe('JOINED 0,1');
      await survivor.connect();
      await survivor.subscribe({ topic: 'crashy' });
      await survivor.run({ eachMessage: collected.handler('survivor') });
      const [mine, theirs] = await Promise.all([survivorJoins.next(), victimJoined()]);
      expect(mine).toHaveLength(1);
      expect(theirs).toBe(`JOINED ${1 - mine[0]!}`);

      victim.kill('SIGKILL');
      await once(victim, 'exit');
      // No LeaveGroup was sent: only the victim's session timeout can hand its partition over.
      expect(await survivorJoins.next()).toEqual([0, 1]);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'crashy',
        messages: [0, 1, 0, 1].map((partition, i) => ({ partition, key: `k${i}`, value: `x${i}` })),
      });
      await producer.disconnect();
      await collected.until(4);
      expect(collected.got.map((m) => m.consumer)).toEqual(['survivor', 'survivor', 'survivor', 'survivor']);
    } finally {
      victim.kill('SIGKILL');
      await survivor.disconnect();
    }
  });
});
