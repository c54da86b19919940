import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isEddyError } from '../../common/errors.js';
import { apiKeysOf } from '../handlers/api-versions.js';
import { decodeRequest, encodeResponse } from '../protocol/codecs.js';
import type { Message } from '../protocol/message-codec.js';
import { BrokerConnection } from './connection.js';
import { KafkaClient } from './kafka-client.js';
import { encodeRecordBatches } from './record-encoder.js';

/**
 * Leader moves and topic creation are hard to provoke on a single-node broker, so these tests talk to scripted
 * brokers: real sockets and the real codecs, with answers chosen per test (which node leads, which error first).
 */

/** The answer to a request; null sends none (a broker that hangs). */
type Script = (apiKey: number, body: Message, node: number) => Message | null;

class ScriptedBroker {
  readonly requests: { apiKey: number; body: Message }[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(node: number, script: Script, apiKeys?: Message[]): Promise<ScriptedBroker> {
    const ref: { self?: ScriptedBroker } = {};
    const server = createServer((s) => {
      ref.self!.sockets.add(s);
      s.on('close', () => ref.self!.sockets.delete(s));
      let buf = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
          const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
          buf = buf.subarray(4 + frame.length);
          const { header, body } = decodeRequest(frame);
          ref.self!.requests.push({ apiKey: header.apiKey, body });
          const answer =
            header.apiKey === 18
              ? {
                  errorCode: 0,
                  apiKeys: apiKeys ?? apiKeysOf({ handlers: new Map([0, 1, 2, 3].map((k) => [k, null])) } as never),
                }
              : script(header.apiKey, body, node);
          if (answer === null || (header.apiKey === 0 && body['acks'] === 0)) continue;
          for (const c of encodeResponse(header.apiKey, header.apiVersion, header.correlationId, answer)) s.write(c);
        }
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    ref.self = new ScriptedBroker(server, (server.address() as { port: number }).port);
    return ref.self;
  }

  count(apiKey: number): number {
    return this.requests.filter((r) => r.apiKey === apiKey).length;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

interface Cluster {
  leader: number;
  /** Topic-level error the next Metadata answers carry (LEADER_NOT_AVAILABLE while a topic is created). */
  topicErrors: number[];
  ports: Map<number, number>;
  /** What the brokers advertise in ApiVersions (default: the built-in broker's table). */
  apiKeys?: Message[];
}

const TOPIC_ID = 'ab'.repeat(16);

function metadataOf(c: Cluster, body: Message): Message {
  const names = ((body['topics'] as Message[] | null) ?? []).map((t) => t['name'] as string);
  return {
    brokers: [...c.ports].map(([nodeId, port]) => ({ nodeId, host: '127.0.0.1', port, rack: null })),
    clusterId: 'scripted',
    controllerId: 1,
    topics: names.map((name) => {
      const err = c.topicErrors.shift() ?? 0;
      return {
        errorCode: err,
        name,
        topicId: TOPIC_ID,
        isInternal: false,
        partitions:
          err !== 0
            ? []
            : [
                {
                  errorCode: 0,
                  partitionIndex: 0,
                  leaderId: c.leader,
                  leaderEpoch: 0,
                  replicaNodes: [1, 2],
                  isrNodes: [1, 2],
                  offlineReplicas: [],
                },
              ],
      };
    }),
  };
}

async function cluster(c: Cluster, script: Script): Promise<ScriptedBroker[]> {
  const brokers: ScriptedBroker[] = [];
  for (const node of [1, 2]) {
    const b = await ScriptedBroker.start(
      node,
      (apiKey, body, n) => (apiKey === 3 ? metadataOf(c, body) : script(apiKey, body, n)),
      c.apiKeys,
    );
    open.push(b);
    c.ports.set(node, b.port);
    brokers.push(b);
  }
  return brokers;
}

const produceAnswer = (errorCode: number, baseOffset: number): Message => ({
  responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode, baseOffset }] }],
  throttleTimeMs: 0,
});

const fetchAnswer = (errorCode: number, records: Buffer | null): Message => ({
  throttleTimeMs: 0,
  errorCode: 0,
  sessionId: 0,
  responses: [
    {
      topic: 't',
      topicId: TOPIC_ID,
      partitions: [
        {
          partitionIndex: 0,
          errorCode,
          highWatermark: errorCode === 0 ? 1 : -1,
          lastStableOffset: -1,
          logStartOffset: 0,
          abortedTransactions: null,
          records,
        },
      ],
    },
  ],
});

async function connect(port: number, retries = 5): Promise<KafkaClient> {
  const c = await KafkaClient.connect({ bootstrapServers: `127.0.0.1:${port}`, retries, retryBackoffMs: 1 });
  open.push(c);
  return c;
}

describe('leader routing and retries', () => {
  it('NOT_LEADER_OR_FOLLOWER: refreshes metadata and sends to the new leader', async () => {
    const c: Cluster = { leader: 1, topicErrors: [], ports: new Map() };
    const [a, b] = await cluster(c, (apiKey, _body, node) => {
      if (apiKey !== 0) throw new Error(`unexpected API ${apiKey}`);
      if (node === 1) {
        c.leader = 2; // the leadership moved while the request was on its way
        return produceAnswer(6, -1);
      }
      return produceAnswer(0, 42);
    });
    const client = await connect(a!.port);
    const r = await client.produce('t', 0, [{ value: 'x' }]);
    expect(r.baseOffset).toBe(42);
    expect([a!.count(0), b!.count(0)]).toEqual([1, 1]);
    expect(a!.count(3) + b!.count(3)).toBeGreaterThanOrEqual(3); // bootstrap, first lookup, refresh
  });

  it('LEADER_NOT_AVAILABLE right after auto-creation and UNKNOWN_TOPIC_OR_PARTITION while created: retried', async () => {
    const c: Cluster = { leader: 2, topicErrors: [5, 5], ports: new Map() };
    const [batch] = encodeRecordBatches([{ value: 'hello' }]);
    let fetches = 0;
    const [a] = await cluster(c, (apiKey) => {
      if (apiKey !== 1) throw new Error(`unexpected API ${apiKey}`);
      return ++fetches === 1 ? fetchAnswer(3, null) : fetchAnswer(0, batch!);
    });
    const client = await connect(a!.port);
    const [f] = await client.fetch([{ topic: 't', partition: 0, offset: 0 }], { maxWaitMs: 0 });
    expect(f!.records.values.map((v) => v!.toString())).toEqual(['hello']);
    expect(fetches).toBe(2);
  });

  it('gives up after the configured retries with a retriable error naming the partitions', async () => {
    const c: Cluster = { leader: 1, topicErrors: [], ports: new Map() };
    const [a] = await cluster(c, () => produceAnswer(6, -1));
    const client = await connect(a!.port, 2);
    const err = await client.produce('t', 0, [{ value: 'x' }]).catch((e: unknown) => e);
    expect(isEddyError(err)).toBe(true);
    expect((err as { retriable: boolean }).retriable).toBe(true);
    expect((err as Error).message).toMatch(/Produce failed for t-0 after 3 attempt\(s\).*NOT_LEADER_OR_FOLLOWER/);
    expect(a!.count(0)).toBe(3);
  });

  it("speaks Kafka 4's versions: Fetch v17 by topic id, Produce v11, ListOffsets v10, Metadata v12", async () => {
    // Kafka 4.0's ranges for these APIs (it removed Produce < 3, Fetch < 4, ListOffsets < 1).
    const apiKeys = [
      { apiKey: 0, minVersion: 3, maxVersion: 12 },
      { apiKey: 1, minVersion: 4, maxVersion: 17 },
      { apiKey: 2, minVersion: 1, maxVersion: 10 },
      { apiKey: 3, minVersion: 0, maxVersion: 13 },
    ];
    const c: Cluster = { leader: 1, topicErrors: [], ports: new Map(), apiKeys };
    const [batch] = encodeRecordBatches([{ value: 'by id' }]);
    const [a] = await cluster(c, (apiKey, body) => {
      if (apiKey === 1) {
        expect((body['topics'] as Message[])[0]!['topicId']).toBe(TOPIC_ID);
        return fetchAnswer(0, batch!);
      }
      if (apiKey === 2) {
        return { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 7 }] }] };
      }
      return produceAnswer(0, 5);
    });
    const client = await connect(a!.port);
    const [f] = await client.fetch([{ topic: 't', partition: 0, offset: 0 }], { maxWaitMs: 0 });
    expect(f!.records.values.map((v) => v!.toString())).toEqual(['by id']);
    expect((await client.produce('t', 0, [{ value: 'v' }])).baseOffset).toBe(5);
    expect((await client.listOffsets([{ topic: 't', partition: 0, timestamp: -1n }]))[0]!.offset).toBe(7);
    const conn = await BrokerConnection.open({ host: '127.0.0.1', port: a!.port, clientId: 'test' });
    open.push(conn);
    expect([0, 1, 2, 3].map((k) => conn.versions.version(k))).toEqual([11, 17, 10, 12]);
  });

  it('a request with no answer within request.timeout.ms fails with TIMEOUT and closes the connection', async () => {
    const c: Cluster = { leader: 1, topicErrors: [], ports: new Map() };
    const [a] = await cluster(c, () => null);
    const client = await KafkaClient.connect({
      bootstrapServers: `127.0.0.1:${a!.port}`,
      requestTimeoutMs: 50,
      retries: 0,
    });
    open.push(client);
    const err = await client.listOffsets([{ topic: 't', partition: 0, timestamp: -1n }]).catch((e: unknown) => e);
    expect(isEddyError(err, 'TIMEOUT')).toBe(true);
    expect((err as Error).message).toMatch(/ListOffsets v5 to broker 127\.0\.0\.1:\d+ got no answer within 50 ms/);
    // The next call opens a new connection rather than reuse the one whose answers are now out of step.
    const before = a!.count(18);
    await client.metadata(['t']);
    expect(a!.count(18)).toBe(before + 1);
  });
});
