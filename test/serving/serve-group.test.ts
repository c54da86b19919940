import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy, serve, type PipelineModel, type Row } from '../../src/index.js';
import { IRIS_FEATURES, fitIrisPipeline, irisData } from '../support/iris-pipeline.js';

/* serve({ group }): two instances in one consumer group share the input's partitions; nothing answered twice. */

const { Kafka, logLevel } = kafkajs;
let home: string;
let eddy: Eddy;
let model: PipelineModel;
let expected: Row[];
const FEATURES = IRIS_FEATURES;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-serve-group-'));
  eddy = await Eddy.start({ home });
  const iris = await irisData(eddy);
  model = await fitIrisPipeline(iris);
  expected = await model.transform(iris).collect();
});
afterAll(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

describe('serve with a consumer group', () => {
  it('two instances share the partitions and answer every message once', async () => {
    const kafka = new Kafka({ brokers: [eddy.broker.bootstrapServers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'g-in', numPartitions: 2 },
        { topic: 'g-out', numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const options = { model, inputTopic: 'g-in', outputTopic: 'g-out', group: 'scorers', progressIntervalMs: 0 };
    const a = await serve(eddy, options);
    const b = await serve(eddy, options);
    try {
      await Promise.all([a.awaitAssignment(1), b.awaitAssignment(1)]);
      expect([...a.assignment, ...b.assignment].sort()).toEqual([0, 1]);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'g-in',
        messages: expected.map((r, i) => ({
          key: String(i),
          partition: i % 2,
          value: JSON.stringify(Object.fromEntries(FEATURES.map((c) => [c, r[c]]))),
        })),
      });
      await producer.disconnect();
      await Promise.all([a.processAllAvailable(), b.processAllAvailable()]);
      expect(a.stats.predictions).toBe(75);
      expect(b.stats.predictions).toBe(75);
    } finally {
      await a.stop();
      await b.stop();
    }
    const df = await eddy.read
      .format('kafka')
      .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
      .option('subscribe', 'g-out')
      .load();
    const out = await df.collect();
    expect(out).toHaveLength(150);
    const keys = out.map((r) => Number(Buffer.from(r['key'] as Uint8Array).toString()));
    expect(new Set(keys).size).toBe(150);
    for (const r of out) {
      const v = JSON.parse(Buffer.from(r['value'] as Uint8Array).toString()) as Record<string, unknown>;
      const i = Number(Buffer.from(r['key'] as Uint8Array).toString());
      expect(v['prediction']).toBe(expected[i]!['prediction']);
    }
  });
});
