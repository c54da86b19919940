import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBatch, readValues } from '../../test/support/record-batch.js';
import { RawClient } from '../../test/support/raw-client.js';
import { startBroker, type Broker } from './broker.js';
import type { Handler } from './handler.js';

let dir: string;
const open: { close(): unknown }[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-broker-'));
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(
  config: Record<string, string> = {},
  extra: Partial<Parameters<typeof startBroker>[0]> = {},
): Promise<Broker> {
  const b = await startBroker({ port: 0, dataDir: dir, config, ...extra });
  open.push(b);
  return b;
}

async function client(b: Broker): Promise<RawClient> {
  const c = await RawClient.open(b.port);
  open.push(c);
  return c;
}

type Obj = Record<string, unknown>;
const produce = (topic: string, values: string[], acks = -1, partition = 0): Obj => ({
  transactionalId: null,
  acks,
  timeoutMs: 1000,
  topicData: [
    { name: topic, partitionData: [{ index: partition, records: buildBatch(values.map((value) => ({ value }))) }] },
  ],
});
const fetch = (topic: string, offset: number, maxWaitMs = 0, minBytes = 1): Obj => ({
  replicaId: -1,
  maxWaitMs,
  minBytes,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] }],
});
const createTopic = (name: string, numPartitions = 1, replicationFactor = 1, configs: Obj[] = []): Obj => ({
  topics: [{ name, numPartitions, replicationFactor, assignments: [], configs }],
  timeoutMs: 1000,
  validateOnly: false,
});

function partitionOf(res: Obj, key = 'responses', inner = 'partitions'): Obj {
  return ((res[key] as Obj[])[0]![inner] as Obj[])[0]!;
}

describe('broker', () => {
  it('answers bootstrapServers on 127.0.0.1 and advertises only registered APIs', async () => {
    const b = await start({}, { extensions: [] });
    expect(b.bootstrapServers).toBe(`127.0.0.1:${b.port}`);
    const c = await client(b);
    const keys = ((await c.send(18, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })).apiKeys as Obj[]).map(
      (k) => k.apiKey,
    );
    expect(keys).toEqual([0, 1, 2, 3, 18, 19, 20, 21, 22, 32, 33, 37]);
    const heartbeat: Handler = async () => ({ errorCode: 27 });
    b.registerHandlers(new Map([[12, heartbeat]]));
    const again = (await c.send(18, 0, {})).apiKeys as Obj[];
    expect(again.find((k) => k.apiKey === 12)).toEqual({ apiKey: 12, minVersion: 0, maxVersion: 3 });
    expect(await c.send(12, 3, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null })).toMatchObject({
      errorCode: 27,
    });
  });

  it('answers an ApiVersions version it does not know with v0 and UNSUPPORTED_VERSION', async () => {
    const b = await start();
    const c = await client(b);
    // Hand-made ApiVersions v9 request: size, key 18, version 9, correlation 77, client id "x", tag byte.
    const req = Buffer.from([0, 0, 0, 12, 0, 18, 0, 9, 0, 0, 0, 77, 0, 1, 0x78, 0]);
    const reply = new Promise<Buffer>((resolve) => c.socket.once('data', resolve));
    c.writeRaw(req);
    const bytes = await reply;
    expect(bytes.readInt32BE(4)).toBe(77);
    expect(bytes.readInt16BE(8)).toBe(35);
    expect(bytes.readInt32BE(10)).toBeGreaterThanOrEqual(12); // v0 array: the 12 core APIs and any extension's
  });

  it('produces and fetches, pipelined requests answered in order, acks=0 unanswered', async () => {
    const b = await start();
    const c = await client(b);
    await c.send(19, 3, createTopic('t'));
    const sends = [
      c.send(0, 7, produce('t', ['a'])),
      c.send(3, 1, { topics: [{ name: 't' }] }),
      c.send(0, 7, produce('t', ['b', 'c'])),
    ];
    const [p1, , p2] = await Promise.all(sends);
    expect(partitionOf(p1!, 'responses', 'partitionResponses')).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(partitionOf(p2!, 'responses', 'partitionResponses')).toMatchObject({ errorCode: 0, baseOffset: 1 });
    // acks=0: no response; the next request's answer is the next frame on the wire.
    c.writeRaw(
      (await import('./protocol/codecs.js')).encodeRequest(
        { apiKey: 0, apiVersion: 7, correlationId: 999, clientId: null },
        produce('t', ['d'], 0),
      ),
    );
    const f = partitionOf(await c.send(1, 11, fetch('t', 1)));
    expect(f).toMatchObject({ errorCode: 0, highWatermark: 4, lastStableOffset: 4, logStartOffset: 0 });
    expect(readValues(f.records as Buffer).map((r) => r.value)).toEqual(['b', 'c', 'd']);
    expect(partitionOf(await c.send(1, 11, fetch('t', 9)))).toMatchObject({ errorCode: 1 });
    // A failed acks=0 produce (unknown topic) closes the connection, as Kafka does.
    c.writeRaw(
      (await import('./protocol/codecs.js')).encodeRequest(
        { apiKey: 0, apiVersion: 7, correlationId: 1000, clientId: null },
        produce('missing', ['x'], 0),
      ),
    );
    await c.closed;
  });

  it('long-polls a fetch until data arrives', async () => {
    const b = await start();
    const c = await client(b);
    const other = await client(b);
    await c.send(19, 3, createTopic('lp'));
    const empty = partitionOf(await c.send(1, 11, fetch('lp', 0, 1)));
    expect((empty.records as Buffer).length).toBe(0);
    const waiting = c.send(1, 11, fetch('lp', 0, 60_000));
    await other.send(0, 7, produce('lp', ['late']));
    const got = partitionOf(await waiting);
    expect(readValues(got.records as Buffer).map((r) => r.value)).toEqual(['late']);
  });

  it('follows Kafka topic rules', async () => {
    const b = await start({ 'auto.create.topics.enable': 'false', 'num.partitions': '3' });
    const c = await client(b);
    const res = (await c.send(19, 4, {
      topics: [
        { name: 'ok', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] },
        { name: 'rf', numPartitions: 1, replicationFactor: 2, assignments: [], configs: [] },
        { name: 'bad name!', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: '..', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'zero', numPartitions: 0, replicationFactor: 1, assignments: [], configs: [] },
        {
          name: 'cfg',
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [{ name: 'retention.ms', value: 'soon' }],
        },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    })) as { topics: Obj[] };
    expect(res.topics.map((t) => t.errorCode)).toEqual([0, 38, 17, 17, 17, 37, 40]);
    expect((await c.send(19, 4, createTopic('ok'))).topics).toMatchObject([{ errorCode: 36 }]);
    const md = (await c.send(3, 4, { topics: [{ name: 'ok' }, { name: 'nope' }], allowAutoTopicCreation: true })) as {
      topics: Obj[];
    };
    expect(md.topics.map((t) => [t.name, t.errorCode, (t.partitions as Obj[]).length])).toEqual([
      ['ok', 0, 3],
      ['nope', 3, 0],
    ]);
    expect(partitionOf(await c.send(0, 7, produce('nope', ['x'])), 'responses', 'partitionResponses')).toMatchObject({
      errorCode: 3,
    });
  });

  it('auto-creates topics on metadata by default with num.partitions', async () => {
    const b = await start({ 'num.partitions': '2' });
    const c = await client(b);
    const md = (await c.send(3, 1, { topics: [{ name: 'auto' }] })) as { topics: Obj[] };
    expect(md.topics[0]).toMatchObject({ name: 'auto', errorCode: 0 });
    expect((md.topics[0]!.partitions as Obj[]).length).toBe(2);
    const none = (await c.send(3, 4, { topics: [{ name: 'auto2' }], allowAutoTopicCreation: false })) as {
      topics: Obj[];
    };
    expect(none.topics[0]).toMatchObject({ errorCode: 3 });
  });

  it('describes and alters topic configs, which survive a restart; grows partitions; deletes records and topics', async () => {
    let b = await start();
    let c = await client(b);
    await c.send(19, 3, createTopic('cfg', 1, 1, [{ name: 'retention.ms', value: '1000' }]));
    const describe = async (): Promise<Record<string, unknown>> => {
      const r = (await c.send(32, 1, {
        resources: [{ resourceType: 2, resourceName: 'cfg', configurationKeys: null }],
        includeSynonyms: false,
      })) as {
        results: { configs: { name: string; value: string; configSource: number }[] }[];
      };
      return Object.fromEntries(r.results[0]!.configs.map((x) => [x.name, [x.value, x.configSource]]));
    };
    expect(await describe()).toMatchObject({
      'retention.ms': ['1000', 1],
      'segment.bytes': ['1073741824', 5],
      'cleanup.policy': ['delete', 5],
    });
    const alter = (await c.send(33, 1, {
      resources: [{ resourceType: 2, resourceName: 'cfg', configs: [{ name: 'segment.bytes', value: '1048576' }] }],
      validateOnly: false,
    })) as { responses: Obj[] };
    expect(alter.responses[0]).toMatchObject({ errorCode: 0 });
    const bad = (await c.send(33, 1, {
      resources: [{ resourceType: 2, resourceName: 'cfg', configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
      validateOnly: false,
    })) as { responses: Obj[] };
    expect(bad.responses[0]).toMatchObject({ errorCode: 40 });
    await c.send(0, 7, produce('cfg', ['a', 'b', 'c']));
    const dr = (await c.send(21, 1, {
      topics: [{ name: 'cfg', partitions: [{ partitionIndex: 0, offset: 2 }] }],
      timeoutMs: 1000,
    })) as { topics: Obj[] };
    expect(partitionOf(dr, 'topics')).toMatchObject({ lowWatermark: 2, errorCode: 0 });
    const cp = (await c.send(37, 1, {
      topics: [{ name: 'cfg', count: 3, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    })) as { results: Obj[] };
    expect(cp.results[0]).toMatchObject({ errorCode: 0 });
    await b.close();
    b = await start();
    c = await client(b);
    // AlterConfigs replaced the overrides as a whole, so retention.ms went back to its default.
    expect(await describe()).toMatchObject({ 'retention.ms': ['604800000', 5], 'segment.bytes': ['1048576', 1] });
    const md = (await c.send(3, 1, { topics: [{ name: 'cfg' }] })) as { topics: Obj[] };
    expect((md.topics[0]!.partitions as Obj[]).length).toBe(3);
    const lo = (await c.send(2, 1, {
      replicaId: -1,
      topics: [{ name: 'cfg', partitions: [{ partitionIndex: 0, timestamp: -2 }] }],
    })) as { topics: Obj[] };
    expect(partitionOf(lo, 'topics')).toMatchObject({ offset: 2 });
    const del = (await c.send(20, 1, { topicNames: ['cfg', 'nope'], timeoutMs: 1000 })) as { responses: Obj[] };
    expect(del.responses.map((r) => r.errorCode)).toEqual([0, 3]);
    expect(((await c.send(3, 1, { topics: null })) as { topics: Obj[] }).topics).toEqual([]);
  });

  it('hands out idempotent producer ids that are never reused across restarts', async () => {
    let b = await start();
    let c = await client(b);
    const a = await c.send(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
    const d = await c.send(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 });
    expect([a.producerId, d.producerId]).toEqual([0, 1]);
    const bump = await c.send(22, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: 1,
      producerEpoch: 0,
    });
    expect(bump).toMatchObject({ producerId: 1, producerEpoch: 1 });
    await b.close();
    b = await start();
    c = await client(b);
    expect((await c.send(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 })).producerId).toBe(2);
  });

  it('closes a connection on garbage and keeps serving the others', async () => {
    const b = await start();
    const good = await client(b);
    const bad = await client(b);
    bad.writeRaw(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
    await bad.closed;
    const worse = await client(b);
    worse.writeRaw(Buffer.from([0, 0, 0, 6, 0, 99, 0, 0, 0, 0]));
    await worse.closed;
    expect((await good.send(18, 2, {})).errorCode).toBe(0);
  });
});

describe('broker identity', () => {
  it('keeps its cluster id in meta.properties and refuses a data dir of another node.id', async () => {
    let b = await start();
    let c = await client(b);
    const id = (await c.send(3, 4, { topics: [], allowAutoTopicCreation: false })).clusterId;
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await b.close();
    b = await start();
    c = await client(b);
    expect((await c.send(3, 4, { topics: [], allowAutoTopicCreation: false })).clusterId).toBe(id);
    await b.close();
    await expect(startBroker({ port: 0, dataDir: dir, config: { 'node.id': '7' } })).rejects.toThrow(
      /belongs to node.id 1/,
    );
  });
});

describe('produce validation and idempotence', () => {
  it('rejects corrupt batches without storing anything and answers a retried idempotent batch with its first offset', async () => {
    const b = await start();
    const c = await client(b);
    await c.send(19, 3, createTopic('idem'));
    const req = (records: Buffer): Obj => ({
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 'idem', partitionData: [{ index: 0, records }] }],
    });
    const answer = async (records: Buffer): Promise<Obj> =>
      partitionOf(await c.send(0, 7, req(records)), 'responses', 'partitionResponses');
    const corrupt = buildBatch([{ value: 'x' }]);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 1, corrupt.length - 1);
    expect(await answer(corrupt)).toMatchObject({ errorCode: 2, baseOffset: -1 });
    expect(await answer(Buffer.from('not a batch'))).toMatchObject({ errorCode: 2 });
    const twoBatches = Buffer.concat([buildBatch([{ value: 'a' }]), buildBatch([{ value: 'b' }])]);
    expect(await answer(twoBatches)).toMatchObject({ errorCode: 87 });
    const { producerId } = (await c.send(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 })) as {
      producerId: number;
    };
    const first = buildBatch([{ value: 'p0' }, { value: 'p1' }], { producerId, producerEpoch: 0, baseSequence: 0 });
    expect(await answer(Buffer.from(first))).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await answer(Buffer.from(first))).toMatchObject({ errorCode: 0, baseOffset: 0 });
    const gap = buildBatch([{ value: 'p9' }], { producerId, producerEpoch: 0, baseSequence: 9 });
    expect(await answer(gap)).toMatchObject({ errorCode: 45 });
    const next = buildBatch([{ value: 'p2' }], { producerId, producerEpoch: 0, baseSequence: 2 });
    expect(await answer(next)).toMatchObject({ errorCode: 0, baseOffset: 2 });
    const f = partitionOf(await c.send(1, 11, fetch('idem', 0)));
    expect(readValues(f.records as Buffer).map((r) => r.value)).toEqual(['p0', 'p1', 'p2']);
  });
});

describe('broker configuration', () => {
  it('refuses bad settings at start, naming the setting', async () => {
    await expect(startBroker({ port: 0, dataDir: dir, config: { 'num.partitions': 'abc' } })).rejects.toThrow(
      /num\.partitions="abc"/,
    );
    await expect(startBroker({ port: 0, dataDir: dir, config: { 'eddy.flush.policy': 'sometimes' } })).rejects.toThrow(
      /eddy\.flush\.policy/,
    );
    await expect(startBroker({ port: 0, dataDir: dir, config: { listeners: 'nonsense' } })).rejects.toThrow(
      /listener "nonsense"/,
    );
  });

  it('uses log.retention.ms over minutes over hours, as Kafka', async () => {
    const { BrokerConfig } = await import('./config/broker-config.js');
    expect(new BrokerConfig({}).millis('log.retention')).toBe(168 * 3600_000);
    expect(new BrokerConfig({ 'log.retention.minutes': 5 }).millis('log.retention')).toBe(300_000);
    expect(new BrokerConfig({ 'log.retention.minutes': 5, 'log.retention.ms': 7 }).millis('log.retention')).toBe(7);
    expect(new BrokerConfig({ 'log.retention.hours': -1 }).millis('log.retention')).toBe(-1);
  });
});
