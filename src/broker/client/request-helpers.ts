import { EddyError } from '../../common/errors.js';
import type { Message } from '../protocol/message-codec.js';
import type { BatchRequest, ProduceResult } from './client-types.js';
import type { Outcome, PartitionKey } from './partition-retry.js';

/** Small pure helpers of KafkaClient: server lists, grouping requests, indexing answers. */

export function parseServers(s: string | readonly string[]): { host: string; port: number }[] {
  const list = (typeof s === 'string' ? s.split(',') : [...s]).map((x) => x.trim()).filter((x) => x !== '');
  if (list.length === 0) {
    throw new EddyError('INVALID_ARGUMENT', 'bootstrapServers is empty; give host:port, e.g. "localhost:9092"');
  }
  return list.map((x) => {
    const at = x.lastIndexOf(':');
    const port = Number(x.slice(at + 1));
    if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new EddyError('INVALID_ARGUMENT', `bootstrap server ${JSON.stringify(x)} is not host:port`);
    }
    return { host: x.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port };
  });
}

export function resultOf(q: BatchRequest, a: Message): ProduceResult {
  return {
    topic: q.topic,
    partition: q.partition,
    baseOffset: a['baseOffset'] as number,
    count: q.count,
    logAppendTime: (a['logAppendTimeMs'] as number | undefined) ?? -1,
    logStartOffset: (a['logStartOffset'] as number | undefined) ?? -1,
  };
}

export function missing<R>(q: PartitionKey, what: string): Outcome<R> {
  return {
    ok: false,
    error: new EddyError('PROTOCOL_ERROR', `${what} answer has no entry for ${q.topic}-${q.partition}`, {
      retriable: true,
    }),
    refresh: false,
  };
}

/**
 * Splits requests so that no partition appears twice in one round: Kafka refuses a partition named twice in a
 * request (and a Produce carries one batch per partition). Returns the rounds and each request's round.
 */
export function roundsOf<Q extends PartitionKey>(qs: readonly Q[]): { rounds: Q[][]; roundOf: number[] } {
  const rounds: Q[][] = [];
  const seen = new Map<string, number>();
  const roundOf: number[] = [];
  for (const q of qs) {
    const k = `${q.topic}\u0000${q.partition}`;
    const r = seen.get(k) ?? 0;
    seen.set(k, r + 1);
    (rounds[r] ??= []).push(q);
    roundOf.push(r);
  }
  return { rounds, roundOf };
}

export function groupByTopic<Q extends PartitionKey>(qs: readonly Q[]): [string, Q[]][] {
  const m = new Map<string, Q[]>();
  for (const q of qs) {
    let l = m.get(q.topic);
    if (!l) m.set(q.topic, (l = []));
    l.push(q);
  }
  return [...m];
}

export function indexAnswers(
  topics: readonly Message[],
  topicKey: string,
  partitionKey: string,
  partitionsKey = 'partitions',
): Map<string, Message> {
  const m = new Map<string, Message>();
  for (const t of topics) {
    for (const p of t[partitionsKey] as Message[])
      m.set(`${t[topicKey] as string}\u0000${p[partitionKey] as number}`, p);
  }
  return m;
}
