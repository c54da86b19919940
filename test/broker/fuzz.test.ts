import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { encodeRequest } from '../../src/broker/protocol/codecs.js';
import { buildBatch } from '../support/record-batch.js';
import { RawClient } from '../support/raw-client.js';

// Thousands of malformed frames — random bytes, bit-flipped and truncated real requests, absurd sizes — each on
// its own connection. The broker must neither crash nor stop serving a well-behaved client, and the data it
// had acknowledged must still read back.
let broker: Broker;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-fuzz-'));
  broker = await startBroker({ port: 0, dataDir: dir });
});
afterAll(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

// A small deterministic PRNG (mulberry32), so a failure reproduces.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const templates: Buffer[] = [
  encodeRequest(
    { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'f' },
    { clientSoftwareName: 'a', clientSoftwareVersion: '1' },
  ),
  encodeRequest(
    { apiKey: 3, apiVersion: 4, correlationId: 2, clientId: 'f' },
    { topics: [{ name: 'fz' }], allowAutoTopicCreation: true },
  ),
  encodeRequest(
    { apiKey: 0, apiVersion: 7, correlationId: 3, clientId: 'f' },
    {
      transactionalId: null,
      acks: 1,
      timeoutMs: 100,
      topicData: [{ name: 'fz', partitionData: [{ index: 0, records: buildBatch([{ value: 'x' }]) }] }],
    },
  ),
  encodeRequest(
    { apiKey: 1, apiVersion: 11, correlationId: 4, clientId: 'f' },
    {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1000,
      isolationLevel: 0,
      topics: [{ topic: 'fz', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] }],
    },
  ),
  encodeRequest(
    { apiKey: 19, apiVersion: 4, correlationId: 5, clientId: 'f' },
    {
      topics: [{ name: 'fz2', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 10,
      validateOnly: true,
    },
  ),
  encodeRequest(
    { apiKey: 2, apiVersion: 3, correlationId: 6, clientId: 'f' },
    { replicaId: -1, isolationLevel: 0, topics: [{ name: 'fz', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] },
  ),
];

function mutate(next: () => number): Buffer {
  const kind = Math.floor(next() * 4);
  const pick = (n: number): number => Math.floor(next() * n);
  if (kind === 0) {
    // Random bytes with a plausible size prefix.
    const body = Buffer.from(Array.from({ length: pick(64) }, () => pick(256)));
    const head = Buffer.alloc(4);
    head.writeInt32BE(body.length);
    return Buffer.concat([head, body]);
  }
  const t = Buffer.from(templates[pick(templates.length)]!);
  if (kind === 1) {
    // Flip a few bytes after the size prefix (header, lengths, counts, batch bytes).
    for (let i = 0, n = 1 + pick(4); i < n; i++) t[4 + pick(t.length - 4)] = pick(256);
    return t;
  }
  if (kind === 2) {
    // Truncate, keeping the size prefix consistent, so the decoder runs out of bytes mid-field.
    const cut = 4 + pick(t.length - 4);
    const out = t.subarray(0, cut);
    out.writeInt32BE(cut - 4, 0);
    return out;
  }
  // Garbage size prefix: negative, enormous, or larger than socket.request.max.bytes.
  const sizes = [-1, -2147483648, 2147483647, 104857601, 0];
  t.writeInt32BE(sizes[pick(sizes.length)]!, 0);
  return t.subarray(0, 4 + pick(8));
}

function sendAndHangUp(frame: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(broker.port, '127.0.0.1', () => s.end(frame));
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    s.resume();
  });
}

describe('fuzzing the wire protocol', () => {
  it('survives 3000 malformed frames and keeps serving good clients', async () => {
    const good = await RawClient.open(broker.port);
    const before = (await good.send(0, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 100,
      topicData: [{ name: 'keep', partitionData: [{ index: 0, records: buildBatch([{ value: 'kept' }]) }] }],
    })) as { responses: { partitionResponses: { errorCode: number }[] }[] };
    expect(before.responses[0]!.partitionResponses[0]!.errorCode).toBe(3); // no auto-create on produce
    await good.send(3, 1, { topics: [{ name: 'keep' }] });
    const next = rng(20261124);
    for (let i = 0; i < 3000; i++) {
      await sendAndHangUp(mutate(next));
      // Every 500 frames the long-lived client must still be answered.
      if (i % 500 === 0) expect((await good.send(18, 0, {})).errorCode).toBe(0);
    }
    // Many frames on one connection: garbage right after a good request closes only that connection.
    const pipelined = await RawClient.open(broker.port);
    const answered = pipelined.send(18, 2, {});
    pipelined.writeRaw(Buffer.from([0, 0, 0, 3, 1, 2, 3]));
    expect((await answered).errorCode).toBe(0);
    await pipelined.closed;
    expect((await good.send(3, 1, { topics: [{ name: 'keep' }] })).topics).toMatchObject([{ errorCode: 0 }]);
    good.close();
  });
});
