import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { buildBatch, readValues } from '../../../test/support/record-batch.js';
import { checkProducedBatch } from '../log/record-batch.js';
import { decodeRequest, encodeResponse } from './codecs.js';
import type { Message } from './message-codec.js';

// The bytes here come from kafkajs's own protocol encoders (the code that talks to real brokers), and our
// responses are read back with kafkajs's decoders: the codecs must agree with a real client byte for byte.
const require = createRequire(import.meta.url);
const requests = (require('kafkajs/src/protocol/requests') as { requests: KjsApis }).requests;
type KjsApis = Record<
  string,
  { protocol(o: { version: number }): (args: unknown) => { request: KjsRequest; response: KjsResponse } }
>;
const frame = require('kafkajs/src/protocol/request') as (o: unknown) => Promise<{ buffer: Buffer }>;

interface KjsRequest {
  apiKey: number;
  apiVersion: number;
}
interface KjsResponse {
  decode(b: Buffer): Promise<unknown>;
}

async function roundTrip(
  api: string,
  version: number,
  args: unknown,
): Promise<{ body: Message; response: KjsResponse }> {
  const { request, response } = requests[api]!.protocol({ version })(args);
  const bytes = (await frame({ correlationId: 5, clientId: 'kafkajs', request })).buffer;
  const decoded = decodeRequest(bytes.subarray(4));
  expect(decoded.header).toMatchObject({
    apiKey: request.apiKey,
    apiVersion: version,
    correlationId: 5,
    clientId: 'kafkajs',
  });
  return { body: decoded.body, response };
}

async function kjsDecode(response: KjsResponse, apiKey: number, version: number, body: Message): Promise<unknown> {
  const bytes = Buffer.concat(encodeResponse(apiKey, version, 5, body));
  return response.decode(bytes.subarray(8));
}

describe('codecs against kafkajs 2.2.4 bytes', () => {
  it('ApiVersions v2', async () => {
    const { body, response } = await roundTrip('ApiVersions', 2, {});
    expect(body).toEqual({});
    const out = await kjsDecode(response, 18, 2, {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 9 }],
    });
    expect(out).toMatchObject({ errorCode: 0, apiVersions: [{ apiKey: 0, minVersion: 0, maxVersion: 9 }] });
  });

  it('Metadata v6', async () => {
    const { body, response } = await roundTrip('Metadata', 6, { topics: ['a', 'b'], allowAutoTopicCreation: false });
    expect(body).toEqual({ topics: [{ name: 'a' }, { name: 'b' }], allowAutoTopicCreation: false });
    const out = await kjsDecode(response, 3, 6, {
      brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
      clusterId: 'c',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'a',
          partitions: [{ partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
        },
      ],
    });
    expect(out).toMatchObject({
      controllerId: 1,
      brokers: [{ nodeId: 1, host: 'h', port: 9092 }],
      topicMetadata: [{ topic: 'a', partitionMetadata: [{ partitionId: 0, leader: 1, replicas: [1], isr: [1] }] }],
    });
  });

  it('Produce v7 with a plain and a gzip batch', async () => {
    for (const compression of [0, 1]) {
      const { body, response } = await roundTrip('Produce', 7, {
        acks: -1,
        timeout: 30000,
        compression,
        topicData: [
          {
            topic: 't',
            partitions: [
              {
                partition: 2,
                firstSequence: 0,
                messages: [
                  { value: 'v1', timestamp: 1 },
                  { key: 'k', value: 'v2', timestamp: 2 },
                ],
              },
            ],
          },
        ],
      });
      expect(body).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 });
      const topicData = body['topicData'] as { name: string; partitionData: { index: number; records: Buffer }[] }[];
      expect(topicData[0]!.name).toBe('t');
      const p = topicData[0]!.partitionData[0]!;
      expect(p.index).toBe(2);
      const check = checkProducedBatch(p.records, 7);
      expect(check.ok).toBe(true);
      if (check.ok) expect([check.batch.recordsCount, check.batch.attributes & 7]).toEqual([2, compression]);
      if (compression === 0) expect(readValues(p.records).map((r) => r.value)).toEqual(['v1', 'v2']);
      const out = await kjsDecode(response, 0, 7, {
        responses: [{ name: 't', partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 17, logStartOffset: 3 }] }],
      });
      expect(out).toMatchObject({
        topics: [{ topicName: 't', partitions: [{ partition: 2, baseOffset: '17', logStartOffset: '3' }] }],
      });
    }
  });

  it('Fetch v11: request fields and stored batches read back by kafkajs', async () => {
    const { body, response } = await roundTrip('Fetch', 11, {
      replicaId: -1,
      maxWaitTime: 5000,
      minBytes: 1,
      maxBytes: 1000,
      topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: '12', maxBytes: 500 }] }],
    });
    expect(body).toMatchObject({
      replicaId: -1,
      maxWaitMs: 5000,
      minBytes: 1,
      maxBytes: 1000,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        { topic: 't', partitions: [{ partition: 0, fetchOffset: 12, partitionMaxBytes: 500, currentLeaderEpoch: -1 }] },
      ],
      rackId: '',
    });
    const batch = buildBatch([{ value: 'x' }, { value: 'y' }]);
    batch.writeBigInt64BE(12n, 0);
    const out = (await kjsDecode(response, 1, 11, {
      responses: [
        {
          topic: 't',
          partitions: [
            {
              partitionIndex: 0,
              highWatermark: 14,
              lastStableOffset: 14,
              logStartOffset: 0,
              abortedTransactions: [],
              preferredReadReplica: -1,
              records: [batch],
            },
          ],
        },
      ],
    })) as { responses: { partitions: { highWatermark: string; messages: { offset: string; value: Buffer }[] }[] }[] };
    const part = out.responses[0]!.partitions[0]!;
    expect(part.highWatermark).toBe('14');
    expect(part.messages.map((m) => [m.offset, m.value.toString()])).toEqual([
      ['12', 'x'],
      ['13', 'y'],
    ]);
  });

  it('ListOffsets v3, CreateTopics v3, DeleteTopics v1, InitProducerId v1', async () => {
    const lo = await roundTrip('ListOffsets', 3, {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ topic: 't', partitions: [{ partition: 1, timestamp: -2 }] }],
    });
    expect(lo.body).toEqual({
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, timestamp: -2 }] }],
    });
    const ct = await roundTrip('CreateTopics', 3, {
      topics: [
        {
          topic: 'n',
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ name: 'retention.ms', value: '1000' }],
        },
      ],
      timeout: 5000,
      validateOnly: false,
    });
    expect(ct.body).toEqual({
      topics: [
        {
          name: 'n',
          numPartitions: 3,
          replicationFactor: 1,
          assignments: [],
          configs: [{ name: 'retention.ms', value: '1000' }],
        },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const dt = await roundTrip('DeleteTopics', 1, { topics: ['n'], timeout: 5000 });
    expect(dt.body).toEqual({ topicNames: ['n'], timeoutMs: 5000 });
    const ip = await roundTrip('InitProducerId', 1, { transactionalId: null, transactionTimeout: 60000 });
    expect(ip.body).toEqual({ transactionalId: null, transactionTimeoutMs: 60000 });
  });

  it('group APIs as kafkajs sends them', async () => {
    const jg = await roundTrip('JoinGroup', 5, {
      groupId: 'g',
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([1, 2]) }],
    });
    expect(jg.body).toEqual({
      groupId: 'g',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([1, 2]) }],
    });
    const fc = await roundTrip('GroupCoordinator', 2, { groupId: 'g', coordinatorType: 0 });
    expect(fc.body).toEqual({ key: 'g', keyType: 0 });
    const of = await roundTrip('OffsetFetch', 4, {
      groupId: 'g',
      topics: [{ topic: 't', partitions: [{ partition: 0 }] }],
    });
    expect(of.body).toEqual({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] });
  });
});
