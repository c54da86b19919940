import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import kafkajs from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasClient, SYSTEM_PYTHON } from '../../../test/support/clients.js';
import { startBroker, type Broker } from '../broker.js';
import { GroupConsumer } from './group-consumer.js';
import { KafkaClient } from './kafka-client.js';
import { startGroupMember } from '../../../test/support/group-member.js';

/*
 * One consumer group, an Eddy GroupConsumer and a kafkajs consumer (which offers only "RoundRobinAssigner"), on the
 * built-in broker: the coordinator picks the protocol both offer, whichever member leads runs it, the two share the
 * partitions with every message consumed once, and when one leaves the other takes over.
 */

const { Kafka, logLevel } = kafkajs;
let dir: string;
const open: { close(): unknown }[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-group-mixed-'));
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Setup {
  broker: Broker;
  kafka: InstanceType<typeof Kafka>;
  admin: ReturnType<InstanceType<typeof Kafka>['admin']>;
  produce(from: number, n: number): Promise<unknown>;
  /** Who consumed each message, in order. */
  seen: Map<string, string[]>;
  /** Resolves at the next thing either member does (a fetch, a join, a commit). */
  changed(): Promise<void>;
  bump(): void;
}

async function setup(): Promise<Setup> {
  const broker = await startBroker({ port: 0, dataDir: dir, config: { 'group.initial.rebalance.delay.ms': '0' } });
  open.push(broker);
  const client = await KafkaClient.connect({ bootstrapServers: broker.bootstrapServers, clientId: 'test' });
  open.push(client);
  const kafka = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  open.push({ close: () => admin.disconnect() });
  await admin.createTopics({ topics: [{ topic: 't', numPartitions: 4 }], waitForLeaders: true });
  let waiters: (() => void)[] = [];
  return {
    broker,
    kafka,
    admin,
    seen: new Map(),
    produce: (from, n) =>
      client.send(
        't',
        Array.from({ length: n }, (_, i) => ({ value: `m${from + i}`, partition: (from + i) % 4 })),
      ),
    changed: () => new Promise((r) => waiters.push(r)),
    bump: () => {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    },
  };
}

async function eddyMember(s: Setup): Promise<GroupConsumer> {
  const c = await startGroupMember(s.broker.bootstrapServers, s.seen, 'eddy');
  open.push(c);
  // Every fetch round of the Eddy member is a change too, so a wait never outlives a missed event.
  void (async () => {
    while (!c.isClosed) {
      await c.changed();
      s.bump();
    }
  })();
  return c;
}

async function kafkajsMember(s: Setup): Promise<{ partitions: () => number[]; leave: () => Promise<void> }> {
  const consumer = s.kafka.consumer({
    groupId: 'g',
    sessionTimeout: 6_000,
    heartbeatInterval: 100,
    maxWaitTimeInMs: 100,
  });
  let partitions: number[] = [];
  let left = false;
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    partitions = [...(e.payload.memberAssignment['t'] ?? [])].sort();
    s.bump();
  });
  consumer.on(consumer.events.FETCH, () => s.bump());
  consumer.on(consumer.events.COMMIT_OFFSETS, () => s.bump());
  await consumer.connect();
  const leave = async () => {
    if (left) return;
    left = true;
    await consumer.disconnect();
  };
  open.push({ close: leave });
  await consumer.subscribe({ topics: ['t'], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = message.value!.toString();
      s.seen.set(v, [...(s.seen.get(v) ?? []), 'kafkajs']);
    },
  });
  return { partitions: () => partitions, leave };
}

async function until(s: Setup, ok: () => boolean | Promise<boolean>, members: GroupConsumer[]): Promise<void> {
  while (!(await ok())) {
    for (const m of members) if (m.error) throw m.error;
    await s.changed();
  }
}

const committedAll = (s: Setup, offset: number) => async () =>
  (await s.admin.fetchOffsets({ groupId: 'g', topics: ['t'] }))[0]!.partitions.every(
    (p) => Number(p.offset) === offset,
  );

const by = (s: Setup, who: string) => [...s.seen.values()].filter((w) => w.includes(who)).length;

describe('a consumer group shared by Eddy and kafkajs', () => {
  it('Eddy leads: it runs kafkajs’s RoundRobinAssigner, the two share the partitions, kafkajs leaves', async () => {
    const s = await setup();
    await s.produce(0, 40);
    const e = await eddyMember(s);
    await until(s, committedAll(s, 10), [e]);
    expect(e.protocol).toBe('range');
    expect(s.seen.size).toBe(40);

    const k = await kafkajsMember(s);
    await until(s, () => k.partitions().length === 2 && (e.assignment.get('t')?.length ?? 0) === 2, [e]);
    expect(e.protocol).toBe('RoundRobinAssigner');
    // Round robin over the sorted member ids: one member holds 0 and 2, the other 1 and 3.
    expect([
      [0, 2],
      [1, 3],
    ]).toContainEqual(e.assignment.get('t'));
    expect([...e.assignment.get('t')!, ...k.partitions()].sort()).toEqual([0, 1, 2, 3]);

    await s.produce(40, 40);
    await until(s, committedAll(s, 20), [e]);
    expect(s.seen.size).toBe(80);
    expect(by(s, 'kafkajs')).toBe(20);
    expect(by(s, 'eddy')).toBe(60);

    await k.leave();
    await until(s, () => (e.assignment.get('t')?.length ?? 0) === 4, [e]);
    await s.produce(80, 8);
    await until(s, committedAll(s, 22), [e]);
    expect(s.seen.size).toBe(88);
    for (const [v, who] of s.seen) expect(who, v).toHaveLength(1);
  });

  it('kafkajs leads: Eddy takes the assignment it hands out, and takes over when kafkajs leaves', async () => {
    const s = await setup();
    await s.produce(0, 40);
    const k = await kafkajsMember(s);
    await until(s, committedAll(s, 10), []);
    expect(k.partitions()).toEqual([0, 1, 2, 3]);

    const e = await eddyMember(s);
    await until(s, () => k.partitions().length === 2 && (e.assignment.get('t')?.length ?? 0) === 2, [e]);
    expect(e.protocol).toBe('RoundRobinAssigner');
    expect([...e.assignment.get('t')!, ...k.partitions()].sort()).toEqual([0, 1, 2, 3]);
    await s.produce(40, 40);
    await until(s, committedAll(s, 20), [e]);
    expect(by(s, 'eddy')).toBe(20);
    expect(by(s, 'kafkajs')).toBe(60);

    // Eddy leaves (LeaveGroup on close): kafkajs holds all four again and consumes what comes next.
    await e.close();
    await until(s, () => k.partitions().length === 4, []);
    await s.produce(80, 8);
    await until(s, committedAll(s, 22), []);
    expect(s.seen.size).toBe(88);
    for (const [v, who] of s.seen) expect(who, v).toHaveLength(1);
  });
});

/** A kafka-python member (default assignors range, roundrobin) that prints what it holds and reads; stops on stdin. */
const KAFKA_PYTHON = `import json, sys, threading
from kafka import KafkaConsumer
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
k = KafkaConsumer('t', bootstrap_servers=sys.argv[1], group_id='g', auto_offset_reset='earliest',
                  heartbeat_interval_ms=100, session_timeout_ms=6000, client_id='kafka-python-member')
held = None
while not stop.is_set():
    for recs in k.poll(timeout_ms=100).values():
        for r in recs: print(json.dumps({'got': r.value.decode()}), flush=True)
    now = sorted(tp.partition for tp in k.assignment())
    if now != held:
        held = now
        print(json.dumps({'held': now}), flush=True)
k.close()
print(json.dumps({'closed': True}), flush=True)
`;

describe('a consumer group shared by Eddy and kafka-python', () => {
  it.runIf(hasClient('kafka-python'))('the two share the partitions (range), then Eddy takes over', async () => {
    const s = await setup();
    await s.produce(0, 40);
    const e = await eddyMember(s);
    await until(s, committedAll(s, 10), [e]);

    const py = spawn(SYSTEM_PYTHON, ['-c', KAFKA_PYTHON, s.broker.bootstrapServers], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    open.push({ close: () => py.kill('SIGKILL') });
    let held: number[] = [];
    let closed = false;
    let stderr = '';
    py.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    py.on('exit', () => s.bump());
    createInterface({ input: py.stdout }).on('line', (line) => {
      const m = JSON.parse(line) as { got?: string; held?: number[]; closed?: boolean };
      if (m.got !== undefined) s.seen.set(m.got, [...(s.seen.get(m.got) ?? []), 'kafka-python']);
      if (m.held !== undefined) held = m.held;
      if (m.closed) closed = true;
      s.bump();
    });
    const alive = () => {
      if (py.exitCode !== null && !closed) throw new Error(`kafka-python exited: ${stderr}`);
    };
    await until(s, () => (alive(), held.length === 2 && (e.assignment.get('t')?.length ?? 0) === 2), [e]);
    expect(e.protocol).toBe('range');
    expect([...e.assignment.get('t')!, ...held].sort()).toEqual([0, 1, 2, 3]);
    await s.produce(40, 40);
    await until(s, () => (alive(), s.seen.size === 80), [e]);
    expect(by(s, 'kafka-python')).toBe(20);

    // kafka-python commits on close and leaves: Eddy holds all four and reads on from its commits.
    py.stdin.end('stop\n');
    await until(s, () => (alive(), closed && (e.assignment.get('t')?.length ?? 0) === 4), [e]);
    await s.produce(80, 8);
    await until(s, committedAll(s, 22), [e]);
    expect(s.seen.size).toBe(88);
    for (const [v, who] of s.seen) expect(who, v).toHaveLength(1);
  });
});
