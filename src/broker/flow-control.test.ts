import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildBatch } from '../../test/support/record-batch.js';
import { RawClient } from '../../test/support/raw-client.js';
import { startBroker, type Broker } from './broker.js';
import { decodeResponse, encodeRequest } from './protocol/codecs.js';

// Backpressure and memory bounds, observed through the broker's own accounting (Broker.stats()) over real
// sockets. Waiting for a state uses vi.waitFor on that accounting: it polls until the broker reaches the state
// the test then checks, with no timing threshold on how fast it gets there.

let dir: string;
const open: { close(): unknown }[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-flow-'));
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

const WAIT = { timeout: 20_000, interval: 10 };

async function start(config: Record<string, string | number>): Promise<Broker> {
  const b = await startBroker({ port: 0, dataDir: dir, config, extensions: [] });
  open.push(b);
  return b;
}

async function client(b: Broker): Promise<RawClient> {
  const c = await RawClient.open(b.port);
  open.push(c);
  return c;
}

/** A bare socket whose reading the test controls. */
async function rawSocket(b: Broker): Promise<Socket> {
  const s = await new Promise<Socket>((resolve, reject) => {
    const sock = connect(b.port, '127.0.0.1', () => resolve(sock));
    sock.once('error', reject);
  });
  s.on('error', () => undefined);
  open.push({ close: () => s.destroy() });
  return s;
}

type Obj = Record<string, unknown>;
const produceBody = (topic: string, records: Buffer, acks = 1): Obj => ({
  transactionalId: null,
  acks,
  timeoutMs: 1000,
  topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
});
const fetchBody = (topic: string, offset: number, maxWaitMs = 0, maxBytes = 0x7fffffff): Obj => ({
  replicaId: -1,
  maxWaitMs,
  minBytes: 1,
  maxBytes,
  isolationLevel: 0,
  topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 0x7fffffff }] }],
});
const frame = (apiKey: number, version: number, correlationId: number, body: Obj): Buffer =>
  encodeRequest({ apiKey, apiVersion: version, correlationId, clientId: 'flow' }, body);

/** A batch of `count` records of `size` bytes each. */
const batchOf = (count: number, size: number, tag = 'v'): Buffer =>
  buildBatch(Array.from({ length: count }, (_, i) => ({ value: `${tag}${i}:`.padEnd(size, 'x') })));

async function createTopic(c: RawClient, name: string): Promise<void> {
  const res = await c.send(19, 4, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  expect(((res.topics as Obj[])[0] as Obj).errorCode).toBe(0);
}

function partitionOf(res: Obj): Obj {
  return ((res.responses as Obj[])[0]!.partitions as Obj[])[0]!;
}

/**
 * Reads `count` response frames off a socket (resuming it), decoding each as `apiKey`/`version`, or the i-th as
 * `kinds[i]` when given.
 */
function readResponses(
  s: Socket,
  count: number,
  apiKey: number,
  version: number,
  kinds?: [number, number][],
): Promise<Obj[]> {
  return new Promise((resolve, reject) => {
    const out: Obj[] = [];
    let buf: Buffer = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const size = buf.readInt32BE(0);
        const [key, v] = kinds?.[out.length] ?? [apiKey, version];
        const { correlationId, body } = decodeResponse(key, v, buf.subarray(4, 4 + size));
        out.push({ correlationId, ...body });
        buf = buf.subarray(4 + size);
      }
      if (out.length >= count) {
        s.off('data', onData);
        resolve(out);
      }
    };
    s.on('data', onData);
    s.once('close', () => reject(new Error(`connection closed after ${out.length} of ${count} responses`)));
    s.resume();
  });
}

const statsOf = (b: Broker, exclude: Set<string>) => b.stats().connections.filter((c) => !exclude.has(c.id));

describe('flow control', () => {
  it('stops serving a consumer that does not read its responses, keeps serving others, resumes on drain', async () => {
    const bound = 256 * 1024;
    const fetchMax = 1024 * 1024;
    const b = await start({ 'eddy.connection.max.queued.response.bytes': bound, 'fetch.max.bytes': fetchMax });
    const other = await client(b);
    await createTopic(other, 'big');
    for (let i = 0; i < 8; i++) {
      const res = await other.send(0, 7, produceBody('big', batchOf(128, 1000, `b${i}-`)));
      expect(
        partitionOf({ responses: (res.responses as Obj[]).map((t) => ({ partitions: t.partitionResponses })) }),
      ).toMatchObject({ errorCode: 0 });
    }
    const known = new Set(b.stats().connections.map((c) => c.id));
    // 60 fetches of ~1 MiB each: far more than the kernel's socket buffers take while nobody reads.
    const slow = await rawSocket(b);
    slow.pause();
    const fetches = 60;
    slow.write(Buffer.concat(Array.from({ length: fetches }, (_, i) => frame(1, 4, i + 1, fetchBody('big', 0)))));

    await vi.waitFor(() => {
      const [s] = statsOf(b, known);
      expect(s?.awaitingDrain).toBe(true);
    }, WAIT);
    const [stuck] = statsOf(b, known);
    // The fetch chain is parked: what the broker holds for this client stays within the bound plus one fetch.
    expect(stuck!.pausedBy).toBe('response-bytes');
    expect(stuck!.queuedResponseBytes).toBeGreaterThan(bound);
    expect(stuck!.queuedResponseBytes).toBeLessThanOrEqual(bound + fetchMax + 1024);
    expect(stuck!.responsesSent).toBeLessThan(fetches);
    expect(stuck!.queuedFetches).toBeGreaterThan(0);

    // Everyone else is still served: metadata, produce and fetch on another connection.
    await other.send(3, 1, { topics: null });
    const p = await other.send(0, 7, produceBody('big', batchOf(1, 10, 'late')));
    expect(((p.responses as Obj[])[0]!.partitionResponses as Obj[])[0]).toMatchObject({
      errorCode: 0,
      baseOffset: 1024,
    });
    const f = await other.send(1, 4, fetchBody('big', 1024));
    expect((partitionOf(f).records as Buffer).length).toBeGreaterThan(0);
    // And the stuck connection still holds no more than before.
    const [still] = statsOf(b, known);
    expect(still!.queuedResponseBytes).toBeLessThanOrEqual(bound + fetchMax + 1024);

    // Once the client reads, every fetch is answered, in order, with the whole megabyte.
    const responses = await readResponses(slow, fetches, 1, 4);
    expect(responses.map((r) => r.correlationId)).toEqual(Array.from({ length: fetches }, (_, i) => i + 1));
    for (const r of responses) {
      expect(partitionOf(r).errorCode).toBe(0);
      const bytes = (partitionOf(r).records as Buffer).length;
      expect(bytes).toBeGreaterThan(fetchMax / 2);
      expect(bytes).toBeLessThanOrEqual(fetchMax);
    }
    const [done] = statsOf(b, known);
    expect(done).toMatchObject({
      inFlightRequests: 0,
      queuedResponseBytes: 0,
      reservedRequestBytes: 0,
      pausedBy: null,
    });
  });

  it('stops reading at the in-flight limit and dispatches the buffered requests once answers go out', async () => {
    const b = await start({ 'eddy.connection.max.in.flight.requests': 4 });
    const other = await client(b);
    await createTopic(other, 'empty');
    const known = new Set(b.stats().connections.map((c) => c.id));
    const s = await rawSocket(b);
    // Ten long-polling fetches on an empty partition: none can be answered until something is produced.
    s.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frame(1, 4, i + 1, fetchBody('empty', 0, 60_000)))));
    await vi.waitFor(() => {
      const [c] = statsOf(b, known);
      expect(c?.inFlightRequests).toBe(4);
      expect(c?.pausedBy).toBe('in-flight');
    }, WAIT);
    const [held] = statsOf(b, known);
    expect(held!.bufferedRequestBytes).toBeGreaterThan(0); // the other six frames, read but not dispatched
    const answers = readResponses(s, 10, 1, 4);
    await other.send(0, 7, produceBody('empty', batchOf(3, 10)));
    const all = await answers;
    expect(all.map((r) => r.correlationId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const r of all) expect((partitionOf(r).records as Buffer).length).toBeGreaterThan(0);
    const [after] = statsOf(b, known);
    expect(after).toMatchObject({ inFlightRequests: 0, bufferedRequestBytes: 0, pausedBy: null });
  });

  it('holds hundreds of connections with partial frames within their declared sizes, serving others', async () => {
    const b = await start({});
    const other = await client(b);
    await createTopic(other, 't');
    const known = new Set(b.stats().connections.map((c) => c.id));
    const n = 300;
    const sockets: Socket[] = [];
    for (let i = 0; i < n; i++) {
      const s = await rawSocket(b);
      const head = Buffer.alloc(4 + 100, 7);
      head.writeInt32BE(4096, 0); // declares 4 KiB, sends 100 bytes of it
      s.write(head);
      sockets.push(s);
    }
    await vi.waitFor(() => {
      const mine = statsOf(b, known);
      expect(mine.length).toBe(n);
      expect(mine.every((c) => c.bufferedRequestBytes === 104)).toBe(true);
    }, WAIT);
    const st = b.stats();
    expect(st.queuedRequestBytes).toBe(n * 4096);
    for (const c of statsOf(b, known)) expect(c).toMatchObject({ reservedRequestBytes: 4096, inFlightRequests: 0 });
    // A well-behaved client is served meanwhile.
    const p = await other.send(0, 7, produceBody('t', batchOf(2, 10)));
    expect(((p.responses as Obj[])[0]!.partitionResponses as Obj[])[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
    const f = await other.send(1, 4, fetchBody('t', 0));
    expect((partitionOf(f).records as Buffer).length).toBeGreaterThan(0);
    // Closing them gives every reservation back.
    for (const s of sockets) s.destroy();
    await vi.waitFor(() => expect(b.stats().queuedRequestBytes).toBe(0), WAIT);
    expect(statsOf(b, known)).toEqual([]);
  });

  it('bounds request memory broker-wide with queued.max.request.bytes and resumes waiting connections', async () => {
    const max = 64 * 1024;
    const b = await start({ 'socket.request.max.bytes': max, 'queued.max.request.bytes': 2 * max });
    const setup = await client(b);
    await createTopic(setup, 'pool');
    const known = new Set(b.stats().connections.map((c) => c.id));
    // Four producers each send the first half of a ~60 KiB produce request: three reservations fit (the pool
    // admits a request while anything is left), the fourth must wait, and so must a fifth, small request.
    const frames = Array.from({ length: 4 }, (_, i) =>
      frame(0, 7, 1, produceBody('pool', batchOf(60, 1000, `p${i}-`))),
    );
    for (const f of frames) expect(f.length).toBeLessThan(max);
    const holders: Socket[] = [];
    for (const f of frames) {
      const s = await rawSocket(b);
      s.write(f.subarray(0, f.length >> 1));
      holders.push(s);
      // In order, so that the first three are the ones that get the budget (the fourth stops reading, so
      // only its waiting is awaited, not all its bytes).
      await vi.waitFor(() => {
        if (holders.length === 4) return expect(b.stats().connectionsWaitingForMemory).toBe(1);
        const buffered = statsOf(b, known).reduce((sum, x) => sum + x.bufferedRequestBytes, 0);
        return expect(buffered).toBe(holders.reduce((sum, _, i) => sum + (frames[i]!.length >> 1), 0));
      }, WAIT);
    }
    const small = await rawSocket(b);
    const metadata = frame(3, 1, 9, { topics: null });
    small.write(metadata);
    await vi.waitFor(() => expect(b.stats().connectionsWaitingForMemory).toBe(2), WAIT);
    const st = b.stats();
    expect(st.queuedRequestBytes).toBe(frames.slice(0, 3).reduce((sum, f) => sum + f.length - 4, 0));
    expect(st.queuedRequestBytes).toBeLessThanOrEqual(2 * max + max);
    expect(statsOf(b, known).filter((c) => c.pausedBy === 'request-memory')).toHaveLength(2);

    // The holders finish their frames: every request is answered, the waiting ones included.
    const answers = holders.map((s) => readResponses(s, 1, 0, 7));
    const smallAnswer = readResponses(small, 1, 3, 1);
    holders.forEach((s, i) => s.write(frames[i]!.subarray(frames[i]!.length >> 1)));
    for (const [r] of await Promise.all(answers)) {
      expect(((r!.responses as Obj[])[0]!.partitionResponses as Obj[])[0]).toMatchObject({ errorCode: 0 });
    }
    expect((await smallAnswer)[0]!.correlationId).toBe(9);
    const f = await setup.send(2, 1, {
      replicaId: -1,
      topics: [{ name: 'pool', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    });
    expect(((f.topics as Obj[])[0]!.partitions as Obj[])[0]).toMatchObject({ offset: 240 });
    expect(b.stats()).toMatchObject({ queuedRequestBytes: 0, connectionsWaitingForMemory: 0 });
  });

  it('caps a fetch asking for 2 GiB at fetch.max.bytes, and returns an oversized first batch whole', async () => {
    const cap = 64 * 1024;
    const b = await start({ 'fetch.max.bytes': cap });
    const c = await client(b);
    await createTopic(c, 'capped');
    for (let i = 0; i < 10; i++) await c.send(0, 7, produceBody('capped', batchOf(16, 1000, `c${i}-`)));
    const f = partitionOf(
      await c.send(1, 11, {
        ...fetchBody('capped', 0),
        sessionId: 0,
        sessionEpoch: -1,
        forgottenTopicsData: [],
        rackId: '',
      }),
    );
    const got = (f.records as Buffer).length;
    expect(got).toBeGreaterThan(cap / 2);
    expect(got).toBeLessThanOrEqual(cap);
    // A batch larger than fetch.max.bytes (but within message.max.bytes) still comes back, alone, as in Kafka.
    await createTopic(c, 'large');
    await c.send(0, 7, produceBody('large', batchOf(100, 1000)));
    await c.send(0, 7, produceBody('large', batchOf(100, 1000)));
    const one = partitionOf(await c.send(1, 4, fetchBody('large', 0)));
    const size = (one.records as Buffer).length;
    expect(size).toBeGreaterThan(cap);
    expect(size).toBe(12 + (one.records as Buffer).readInt32BE(8)); // exactly one whole batch
  });
});

describe('frame assembly', () => {
  it('keeps the bytes of large pipelined frames that arrive in many chunks, produce and other requests alike', async () => {
    const b = await start({ 'auto.create.topics.enable': 'false' });
    const c = await client(b);
    await createTopic(c, 'asm');
    const s = await rawSocket(b);
    const batches = Array.from({ length: 6 }, (_, i) => batchOf(200, 1000, `a${i}-`)); // ~200 KiB each
    const names = Array.from({ length: 3000 }, (_, i) => ({ name: `missing-topic-with-a-long-name-${i}` }));
    const frames = [
      ...batches.slice(0, 3).map((batch, i) => frame(0, 7, i + 1, produceBody('asm', batch, i === 1 ? -1 : 1))),
      frame(3, 1, 4, { topics: names }), // ~110 KiB, not a produce: must get its own copy
      ...batches.slice(3).map((batch, i) => frame(0, 7, i + 5, produceBody('asm', batch))),
    ];
    // Written in one go, so that frames straddle the chunks the socket delivers.
    const kinds = frames.map((_, i): [number, number] => (i === 3 ? [3, 1] : [0, 7]));
    const answers = readResponses(s, frames.length, 0, 7, kinds);
    s.write(Buffer.concat(frames));
    const all = await answers;
    expect(all.map((r) => r.correlationId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const r of all.filter((_, i) => i !== 3)) {
      expect(((r.responses as Obj[])[0]!.partitionResponses as Obj[])[0]).toMatchObject({ errorCode: 0 });
    }
    expect((all[3]!.topics as Obj[]).map((t) => t.name)).toEqual(names.map((n) => n.name));
    // The assembly buffers went back to the broker's shelf: reused, and bounded whatever the traffic.
    const kept = b.stats().assemblyBufferBytes;
    expect(kept).toBeGreaterThanOrEqual(Math.max(...frames.map((f) => f.length - 4)));
    expect(kept).toBeLessThanOrEqual(8 * 2 * 1024 * 1024);
    // The log holds every batch byte for byte after its first 21 bytes (offset, epoch, magic, CRC are the broker's).
    let offset = 0;
    for (const batch of batches) {
      const f = partitionOf(await c.send(1, 4, fetchBody('asm', offset, 0, batch.length)));
      const stored = f.records as Buffer;
      expect(stored.length).toBe(batch.length);
      expect(stored.subarray(21).equals(batch.subarray(21))).toBe(true);
      offset += 200;
    }
  });
});

describe('idle connections', () => {
  it('closes a connection that sent part of a frame and went silent (connections.max.idle.ms), freeing its budget', async () => {
    // Idle and wait times far apart, so that a loaded machine's scheduling pauses cannot blur them.
    const b = await start({ 'connections.max.idle.ms': 500 });
    const known = new Set(b.stats().connections.map((c) => c.id));
    const s = await rawSocket(b);
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    const head = Buffer.alloc(4 + 10);
    head.writeInt32BE(1 << 20, 0);
    s.write(head);
    await vi.waitFor(() => expect(statsOf(b, known)[0]?.reservedRequestBytes).toBe(1 << 20), WAIT);
    await closed;
    await vi.waitFor(() => expect(b.stats().queuedRequestBytes).toBe(0), WAIT);
    // A long-polling fetch is not idleness: the broker answers it when its wait is over.
    const c = await client(b);
    await createTopic(c, 'quiet');
    const f = await c.send(1, 4, fetchBody('quiet', 0, 1500));
    expect(partitionOf(f)).toMatchObject({ errorCode: 0 });
  });
});
