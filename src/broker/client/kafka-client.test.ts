import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEddyError } from '../../common/errors.js';
import { startBroker, type Broker } from '../broker.js';
import { BrokerConnection } from './connection.js';
import { KafkaClient } from './kafka-client.js';
import { KafkaResponseError } from './kafka-errors.js';
import { decodeRecordBatches } from './record-decoder.js';

let dir: string;
const open: { close(): unknown }[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-kclient-'));
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

async function broker(config: Record<string, string> = {}): Promise<Broker> {
  const b = await startBroker({ port: 0, dataDir: dir, config });
  open.push(b);
  return b;
}

async function client(b: Broker, extra: Partial<Parameters<typeof KafkaClient.connect>[0]> = {}): Promise<KafkaClient> {
  const c = await KafkaClient.connect({ bootstrapServers: b.bootstrapServers, clientId: 'test', ...extra });
  open.push(c);
  return c;
}

const text = (b: Buffer | null | undefined): string | null => (b ? b.toString('utf8') : null);

describe('KafkaClient against the built-in broker', () => {
  it('negotiates the highest versions both sides have', async () => {
    const b = await broker();
    const conn = await BrokerConnection.open({ host: b.host, port: b.port, clientId: 'test' });
    open.push(conn);
    // The built-in broker advertises Produce 0-9, Fetch 0-11, ListOffsets 0-5, Metadata 0-9.
    expect([0, 1, 2, 3].map((k) => conn.versions.version(k))).toEqual([9, 11, 5, 9]);
  });

  it('pipelines many requests on one connection, matching each answer to its request', async () => {
    const b = await broker({ 'num.partitions': '1' });
    const c = await client(b);
    await c.produce(
      'p',
      0,
      Array.from({ length: 60 }, (_, i) => ({ value: `m${i}` })),
      { maxBatchBytes: 100 },
    );
    const conn = await BrokerConnection.open({ host: b.host, port: b.port, clientId: 'test' });
    open.push(conn);
    const fetchAt = (offset: number) =>
      conn.request(1, {
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        topics: [{ topic: 'p', partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] }],
      });
    const pending = Array.from({ length: 60 }, (_, i) => fetchAt(59 - i));
    expect(conn.inFlight).toBe(60);
    const answers = await Promise.all(pending);
    answers.forEach((a, i) => {
      const part = ((a['responses'] as Record<string, unknown>[])[0]!['partitions'] as Record<string, unknown>[])[0]!;
      const r = decodeRecordBatches(part['records'] as Buffer, { fromOffset: 59 - i, where: 'p-0' });
      expect(r.values[0]!.toString()).toBe(`m${59 - i}`);
    });
  });

  it('produces and fetches records with keys, headers and timestamps, as columns', async () => {
    const b = await broker({ 'num.partitions': '1' });
    const c = await client(b);
    const res = await c.produce('t', 0, [
      { key: 'k1', value: 'v1', timestamp: 1_700_000_000_000, headers: { h: 'x' } },
      { key: null, value: Buffer.from('v2'), timestamp: 1_700_000_000_005 },
      { value: null, timestamp: 1_699_999_999_999 },
    ]);
    expect(res).toMatchObject({ topic: 't', partition: 0, baseOffset: 0, count: 3 });
    const [f] = await c.fetch([{ topic: 't', partition: 0, offset: 0 }], { maxWaitMs: 0 });
    expect(f!.errorCode).toBe(0);
    expect(f!.highWatermark).toBe(3);
    const r = f!.records;
    expect(r.count).toBe(3);
    expect([...r.offsets]).toEqual([0, 1, 2]);
    expect([...r.timestamps]).toEqual([1_700_000_000_000, 1_700_000_000_005, 1_699_999_999_999]);
    expect(r.keys.map(text)).toEqual(['k1', null, null]);
    expect(r.values.map(text)).toEqual(['v1', 'v2', null]);
    expect(r.headers[0]!.map((h) => [h.key, text(h.value)])).toEqual([['h', 'x']]);
    expect(r.headers[1]).toEqual([]);
    expect(r.nextOffset).toBe(3);
  });

  it('reads exactly [from, until) out of batches that straddle both ends', async () => {
    const b = await broker({ 'num.partitions': '1' });
    const c = await client(b);
    for (let i = 0; i < 5; i++) {
      await c.produce(
        't',
        0,
        Array.from({ length: 4 }, (_, j) => ({ value: `m${i * 4 + j}` })),
      );
    }
    const [f] = await c.fetch([{ topic: 't', partition: 0, offset: 6, untilOffset: 13 }], { maxWaitMs: 0 });
    expect([...f!.records.offsets]).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(f!.records.values.map(text)).toEqual(['m6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12']);
    const [past] = await c.fetch([{ topic: 't', partition: 0, offset: 20 }], { maxWaitMs: 0 });
    expect(past!.records.count).toBe(0);
    const [bad] = await c.fetch([{ topic: 't', partition: 0, offset: 99 }], { maxWaitMs: 0 });
    expect(bad!.errorCode).toBe(1); // OFFSET_OUT_OF_RANGE is the caller's to handle
  });

  it('lists earliest, latest and by-timestamp offsets', async () => {
    const b = await broker({ 'num.partitions': '2' });
    const c = await client(b);
    await c.produce('t', 1, [
      { value: 'a', timestamp: 1000 },
      { value: 'b', timestamp: 2000 },
      { value: 'c', timestamp: 3000 },
    ]);
    const res = await c.listOffsets([
      { topic: 't', partition: 1, timestamp: -2n },
      { topic: 't', partition: 1, timestamp: -1n },
      { topic: 't', partition: 1, timestamp: 1500 },
      { topic: 't', partition: 0, timestamp: -1n },
      { topic: 't', partition: 1, timestamp: 9999 },
    ]);
    expect(res.map((r) => r.offset)).toEqual([0, 3, 1, 0, -1]);
    expect(await c.offsetRange('t')).toEqual([
      { partition: 0, low: 0, high: 0 },
      { partition: 1, low: 0, high: 3 },
    ]);
  });

  it('long-polls: a fetch with maxWaitMs returns when a record arrives', async () => {
    const b = await broker({ 'num.partitions': '1' });
    const c = await client(b);
    await c.metadata(['t']);
    const pending = c.fetch([{ topic: 't', partition: 0, offset: 0 }], { maxWaitMs: 60_000 });
    const other = await client(b);
    await other.produce('t', 0, [{ value: 'late' }]);
    const [f] = await pending;
    expect(f!.records.values.map(text)).toEqual(['late']);
  });

  it('auto-creates topics on produce; refuses unknown topics when creation is off', async () => {
    const b = await broker({ 'num.partitions': '3' });
    const c = await client(b);
    const res = await c.send('fresh', [{ value: 'x' }, { value: 'y' }, { value: 'z' }]);
    expect(res.map((r) => r.count).reduce((a, n) => a + n, 0)).toBe(3);
    expect((await c.topic('fresh')).partitions).toHaveLength(3);
    const strict = await client(b, { allowAutoTopicCreation: false, retries: 1, retryBackoffMs: 1 });
    const err = await strict.fetch([{ topic: 'missing', partition: 0, offset: 0 }]).catch((e: unknown) => e);
    expect(isEddyError(err, 'NOT_FOUND')).toBe(true);
    expect((err as Error).message).toMatch(/missing-0 after 2 attempt.*UNKNOWN_TOPIC_OR_PARTITION/);
  });

  it('keyed records land where murmur2 puts them, keyless ones spread', async () => {
    const b = await broker({ 'num.partitions': '4' });
    const c = await client(b);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    await c.send(
      'k',
      keys.map((key) => ({ key, value: key })),
    );
    await c.send(
      'k',
      Array.from({ length: 8 }, () => ({ value: 'nokey' })),
    );
    const res = await c.fetch([0, 1, 2, 3].map((partition) => ({ topic: 'k', partition, offset: 0 })));
    const { partitionForKey } = await import('./partitioner.js');
    for (const r of res) {
      const keyed = r.records.keys.map(text).filter((k): k is string => k !== null);
      for (const k of keyed) expect(partitionForKey(k, 4)).toBe(r.partition);
      expect(r.records.values.filter((v) => text(v) === 'nokey')).toHaveLength(2);
    }
  });

  it('produces gzip, snappy and lz4 batches that read back', async () => {
    const b = await broker({ 'num.partitions': '1' });
    const c = await client(b);
    const values = Array.from({ length: 300 }, (_, i) => `value ${i} `.repeat(i % 7));
    for (const compression of ['gzip', 'snappy', 'lz4'] as const) {
      const topic = `z-${compression}`;
      await c.produce(
        topic,
        0,
        values.map((value) => ({ value })),
        { compression },
      );
      const [f] = await c.fetch([{ topic, partition: 0, offset: 0 }]);
      expect(f!.records.values.map(text)).toEqual(values);
    }
  });

  it('cuts large record sets into batches of maxBatchBytes and keeps their order', async () => {
    const b = await broker({ 'num.partitions': '1' });
    const c = await client(b);
    const values = Array.from({ length: 2000 }, (_, i) => `${i}`.padStart(100, '.'));
    const res = await c.produce(
      'big',
      0,
      values.map((value) => ({ value })),
      { maxBatchBytes: 10_000 },
    );
    expect(res.count).toBe(2000);
    const got: string[] = [];
    let offset = 0;
    while (offset < 2000) {
      const [f] = await c.fetch([{ topic: 'big', partition: 0, offset }], { maxWaitMs: 0, partitionMaxBytes: 50_000 });
      got.push(...f!.records.values.map((v) => text(v)!));
      offset = f!.records.nextOffset;
    }
    expect(got).toEqual(values);
  });

  it('acks=0 sends without waiting for an answer', async () => {
    const b = await broker({ 'num.partitions': '1' });
    const c = await client(b);
    const r = await c.produce('a0', 0, [{ value: 'fire' }], { acks: 0 });
    expect(r.baseOffset).toBe(-1);
    // The answer to a later request proves the broker handled the first (one connection, in order).
    const [f] = await c.fetch([{ topic: 'a0', partition: 0, offset: 0 }], { maxWaitMs: 5000 });
    expect(f!.records.values.map(text)).toEqual(['fire']);
  });

  it('reconnects after the broker restarts: in-flight calls fail retriably, later calls succeed', async () => {
    const first = await startBroker({ port: 0, dataDir: dir, config: { 'num.partitions': '1' } });
    const port = first.port;
    const c = await client(first, { retries: 30, retryBackoffMs: 20 });
    await c.produce('r', 0, [{ value: 'before' }]);
    const parked = c.fetch([{ topic: 'r', partition: 0, offset: 1 }], { maxWaitMs: 60_000 });
    await first.close();
    const second = await startBroker({ port, dataDir: dir, config: { 'num.partitions': '1' } });
    open.push(second);
    // The parked fetch's connection died with the broker: the client retried it on a new connection.
    await c.produce('r', 0, [{ value: 'after' }]);
    const [f] = await parked;
    expect(f!.records.values.map(text)).toEqual(['after']);
    const [all] = await c.fetch([{ topic: 'r', partition: 0, offset: 0 }], { maxWaitMs: 0 });
    expect(all!.records.values.map(text)).toEqual(['before', 'after']);
  });

  it('a Kafka error that retrying does not cure fails at once, naming it', async () => {
    const b = await broker({ 'num.partitions': '1', 'message.max.bytes': '2000' });
    const c = await client(b);
    const err = await c.produce('m', 0, [{ value: 'x'.repeat(5000) }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaResponseError);
    expect((err as KafkaResponseError).kafkaName).toMatch(/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/);
    expect((err as KafkaResponseError).retriable).toBe(false);
  });
});

describe('KafkaClient leader routing and connection failures (a scripted broker)', () => {
  it('a connection closed mid-request fails the request with a retriable IO_ERROR', async () => {
    const b = await broker({ 'num.partitions': '1' });
    // A proxy that forwards the handshake, then drops the connection when the Fetch arrives.
    let requests = 0;
    const sockets: Socket[] = [];
    const proxy: Server = createServer((s) => {
      sockets.push(s);
      const up = connect(b.port, b.host);
      sockets.push(up);
      s.on('data', (d) => {
        requests++;
        if (requests >= 2) s.destroy();
        else up.write(d);
      });
      up.on('data', (d) => s.write(d));
      s.on('error', () => undefined);
      up.on('error', () => undefined);
      s.on('close', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    open.push({ close: () => new Promise<void>((r) => proxy.close(() => r())) });
    const port = (proxy.address() as { port: number }).port;
    const conn = await BrokerConnection.open({ host: '127.0.0.1', port, clientId: 'test' });
    open.push(conn);
    const err = await conn.request(1, { maxWaitMs: 0, minBytes: 1, topics: [] }).catch((e: unknown) => e);
    expect(isEddyError(err, 'IO_ERROR')).toBe(true);
    expect((err as { retriable: boolean }).retriable).toBe(true);
    expect((err as Error).message).toMatch(/Fetch v11: connection to broker 127\.0\.0\.1:\d+ closed .* may be retried/);
    for (const s of sockets) s.destroy();
  });
});
