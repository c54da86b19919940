import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../broker.js';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  rangeAssign,
  roundRobinAssign,
} from './group-assignor.js';
import { GroupConsumer } from './group-consumer.js';
import { KafkaClient } from './kafka-client.js';
import { startGroupMember } from '../../../test/support/group-member.js';

let dir: string;
const open: { close(): unknown }[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-group-consumer-'));
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

async function broker(): Promise<Broker> {
  const b = await startBroker({ port: 0, dataDir: dir, config: { 'group.initial.rebalance.delay.ms': '0' } });
  open.push(b);
  return b;
}

async function member(b: Broker, seen: Map<string, string[]>, name: string): Promise<GroupConsumer> {
  const c = await startGroupMember(b.bootstrapServers, seen, name);
  open.push(c);
  return c;
}

async function until(c: GroupConsumer, ok: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await ok())) {
    if (c.error) throw c.error;
    await c.changed();
  }
}

describe('the consumer protocol and the range assignor', () => {
  it('round-trips subscriptions and assignments in the bytes Kafka clients use', () => {
    expect(decodeSubscription(encodeSubscription(['a', 'ünï']))).toEqual(['a', 'ünï']);
    const a = new Map([
      ['a', [0, 2]],
      ['b', []],
    ]);
    expect(decodeAssignment(encodeAssignment(a))).toEqual(a);
    expect(decodeAssignment(null)).toEqual(new Map());
  });

  it('gives contiguous ranges, the first members one more, per topic', () => {
    const plan = rangeAssign(
      [
        { memberId: 'm2', topics: ['x', 'y'] },
        { memberId: 'm1', topics: ['x'] },
      ],
      (t) => (t === 'x' ? 5 : 2),
    );
    expect(plan.get('m1')).toEqual(new Map([['x', [0, 1, 2]]]));
    expect(plan.get('m2')).toEqual(
      new Map([
        ['x', [3, 4]],
        ['y', [0, 1]],
      ]),
    );
  });
});

describe('the round-robin assignor (Kafka roundrobin, kafkajs RoundRobinAssigner)', () => {
  it('deals sorted topic-partitions to sorted members in turn, skipping members not subscribed', () => {
    const plan = roundRobinAssign(
      [
        { memberId: 'm2', topics: ['x', 'y'] },
        { memberId: 'm1', topics: ['x'] },
      ],
      (t) => (t === 'x' ? 3 : 2),
    );
    // x-0 m1, x-1 m2, x-2 m1, then y-0 and y-1 only m2 subscribes to.
    expect(plan.get('m1')).toEqual(new Map([['x', [0, 2]]]));
    expect(plan.get('m2')).toEqual(
      new Map([
        ['x', [1]],
        ['y', [0, 1]],
      ]),
    );
  });

  it('refuses an unknown assignor name, naming the ones there are', async () => {
    await expect(
      GroupConsumer.connect({
        bootstrapServers: 'localhost:1',
        groupId: 'g',
        topics: ['t'],
        partitionAssignmentStrategy: ['range', 'sticky'],
      }),
    ).rejects.toThrow(
      /partitionAssignmentStrategy \["range","sticky"\] must list one or more of range, roundrobin, RoundRobinAssigner/,
    );
  });
});

describe('GroupConsumer against the built-in broker', () => {
  it('two members share the partitions, each record is handled once, and a leaving member hands over', async () => {
    const b = await broker();
    const client = await KafkaClient.connect({ bootstrapServers: b.bootstrapServers, clientId: 'test' });
    open.push(client);
    const admin = new kafkajs.Kafka({ brokers: [b.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    open.push({ close: () => admin.disconnect() });
    await admin.createTopics({ topics: [{ topic: 't', numPartitions: 4 }], waitForLeaders: true });
    const produce = (from: number, n: number) =>
      client.send(
        't',
        Array.from({ length: n }, (_, i) => ({ value: `m${from + i}`, partition: (from + i) % 4 })),
      );
    await produce(0, 40);

    const seen = new Map<string, string[]>();
    const a = await member(b, seen, 'a');
    // Committed: settled before each membership change, so that no record is legitimately handled twice.
    const allCommitted = async (m: GroupConsumer, each: number) =>
      [...(await m.committed('t', [0, 1, 2, 3])).values()].every((o) => o === each);
    await until(a, () => allCommitted(a, 10));
    expect(seen.size).toBe(40);
    expect(a.assignment.get('t')).toEqual([0, 1, 2, 3]);

    const c = await member(b, seen, 'c');
    // The second member joins: the first learns of the rebalance by its heartbeat and joins again.
    await until(c, () => (c.assignment.get('t')?.length ?? 0) === 2 && (a.assignment.get('t')?.length ?? 0) === 2);
    expect([...a.assignment.get('t')!, ...c.assignment.get('t')!].sort()).toEqual([0, 1, 2, 3]);
    await produce(40, 40);
    await until(c, () => allCommitted(c, 20));
    expect(seen.size).toBe(80);
    const byMember = (name: string) => [...seen.values()].filter((who) => who[who.length - 1] === name).length;
    expect(byMember('c')).toBeGreaterThan(0);

    // Offsets are committed to the group where any Kafka tool (here kafkajs's admin) reads them.
    const committed = await admin.fetchOffsets({ groupId: 'g', topics: ['t'] });
    expect(committed[0]!.partitions.map((p) => Number(p.offset))).toEqual([20, 20, 20, 20]);

    // Closing one member sends LeaveGroup: the other takes every partition without waiting for a session timeout.
    await a.close();
    await until(c, () => (c.assignment.get('t')?.length ?? 0) === 4);
    await produce(80, 8);
    await until(c, () => allCommitted(c, 22));
    expect(seen.size).toBe(88);
    // Nothing was handled twice: every commit happened after its records were handled, and no member crashed.
    for (const [v, who] of seen) expect(who, v).toHaveLength(1);
  });
});
