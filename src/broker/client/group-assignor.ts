import { EddyError } from '../../common/errors.js';

/**
 * The "consumer" embedded protocol of Kafka's group membership: what a member sends in JoinGroup (its
 * subscription) and what the leader hands out in SyncGroup (each member's assignment), version 0 of
 * ConsumerProtocolSubscription / ConsumerProtocolAssignment, which every Kafka client reads. And the assignors a
 * member offers in JoinGroup, by protocol name: Kafka's RangeAssignor ("range", the Java consumer's long-time
 * default) and RoundRobinAssignor ("roundrobin", also offered by librdkafka and kafka-python), and the same round
 * robin under kafkajs's name ("RoundRobinAssigner", the only one kafkajs offers by default).
 */

/** ConsumerProtocolSubscription v0: int16 version, [string] topics, bytes userData (null). */
export function encodeSubscription(topics: readonly string[]): Buffer {
  const names = topics.map((t) => Buffer.from(t, 'utf8'));
  const out = Buffer.alloc(2 + 4 + names.reduce((n, b) => n + 2 + b.length, 0) + 4);
  let o = out.writeInt16BE(0, 0);
  o = out.writeInt32BE(names.length, o);
  for (const b of names) {
    o = out.writeInt16BE(b.length, o);
    o += b.copy(out, o);
  }
  out.writeInt32BE(-1, o);
  return out;
}

/** The topics of a subscription (any version: later ones only append fields). */
export function decodeSubscription(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    let o = 2;
    const n = b.readInt32BE(o);
    o += 4;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = b.readInt16BE(o);
      topics.push(b.toString('utf8', o + 2, o + 2 + len));
      o += 2 + len;
    }
    return topics;
  } catch (e) {
    throw new EddyError('CORRUPT_DATA', 'a group member sent a subscription that is not ConsumerProtocolSubscription', {
      cause: e,
    });
  }
}

/** ConsumerProtocolAssignment v0: int16 version, [string topic, [int32] partitions], bytes userData (null). */
export function encodeAssignment(assignment: ReadonlyMap<string, readonly number[]>): Buffer {
  const topics = [...assignment].map(([t, ps]) => ({ name: Buffer.from(t, 'utf8'), ps }));
  const out = Buffer.alloc(2 + 4 + topics.reduce((n, t) => n + 2 + t.name.length + 4 + 4 * t.ps.length, 0) + 4);
  let o = out.writeInt16BE(0, 0);
  o = out.writeInt32BE(topics.length, o);
  for (const t of topics) {
    o = out.writeInt16BE(t.name.length, o);
    o += t.name.copy(out, o);
    o = out.writeInt32BE(t.ps.length, o);
    for (const p of t.ps) o = out.writeInt32BE(p, o);
  }
  out.writeInt32BE(-1, o);
  return out;
}

export function decodeAssignment(bytes: Uint8Array | null): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (bytes === null || bytes.length === 0) return out;
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    let o = 2;
    const n = b.readInt32BE(o);
    o += 4;
    for (let i = 0; i < n; i++) {
      const len = b.readInt16BE(o);
      const topic = b.toString('utf8', o + 2, o + 2 + len);
      o += 2 + len;
      const k = b.readInt32BE(o);
      o += 4;
      const ps: number[] = [];
      for (let j = 0; j < k; j++, o += 4) ps.push(b.readInt32BE(o));
      out.set(topic, ps);
    }
    return out;
  } catch (e) {
    throw new EddyError('CORRUPT_DATA', 'the group leader sent an assignment that is not ConsumerProtocolAssignment', {
      cause: e,
    });
  }
}

/**
 * Kafka's RangeAssignor: per topic, the members subscribed to it in member-id order each get a contiguous range
 * of its partitions, the first (partitions mod members) one more than the rest.
 */
export function rangeAssign(
  members: readonly { memberId: string; topics: readonly string[] }[],
  partitionsOf: (topic: string) => number,
): Map<string, Map<string, number[]>> {
  const out = new Map(members.map((m) => [m.memberId, new Map<string, number[]>()]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const subscribed = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort();
    const n = partitionsOf(topic);
    const per = Math.floor(n / subscribed.length);
    const extra = n % subscribed.length;
    let next = 0;
    subscribed.forEach((id, i) => {
      const count = per + (i < extra ? 1 : 0);
      out.get(id)!.set(
        topic,
        Array.from({ length: count }, (_, k) => next + k),
      );
      next += count;
    });
  }
  return out;
}

/**
 * Kafka's RoundRobinAssignor: every subscribed topic-partition (topics sorted by name, partitions ascending) goes
 * to the next member, in member-id order and round, that subscribes to its topic. When every member subscribes to
 * the same topics, this is kafkajs's RoundRobinAssigner too (it deals partition i to sorted member i mod n).
 */
export function roundRobinAssign(
  members: readonly { memberId: string; topics: readonly string[] }[],
  partitionsOf: (topic: string) => number,
): Map<string, Map<string, number[]>> {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const out = new Map(sorted.map((m) => [m.memberId, new Map<string, number[]>()]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  let next = 0;
  for (const topic of topics) {
    for (let p = 0; p < partitionsOf(topic); p++) {
      // Someone subscribes to every topic in the list, so this finds a member within one round.
      while (!sorted[next % sorted.length]!.topics.includes(topic)) next++;
      const a = out.get(sorted[next % sorted.length]!.memberId)!;
      a.set(topic, [...(a.get(topic) ?? []), p]);
      next++;
    }
  }
  return out;
}

export type Assignor = (
  members: readonly { memberId: string; topics: readonly string[] }[],
  partitionsOf: (topic: string) => number,
) => Map<string, Map<string, number[]>>;

/** Assignors by the protocol name a member offers in JoinGroup (Kafka's partition.assignment.strategy names). */
export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([
  ['range', rangeAssign],
  ['roundrobin', roundRobinAssign],
  ['RoundRobinAssigner', roundRobinAssign],
]);

/** What a GroupConsumer offers by default, in preference order: range first, as the Java consumer and librdkafka. */
export const DEFAULT_ASSIGNMENT_STRATEGY: readonly string[] = ['range', 'roundrobin', 'RoundRobinAssigner'];
