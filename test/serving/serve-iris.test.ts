import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecisionTreeClassifier,
  Eddy,
  Pipeline,
  PipelineModel,
  StringIndexer,
  StringIndexerModel,
  VectorAssembler,
  serve,
  type DataFrame,
  type Row,
  type ServingProgress,
} from '../../src/index.js';
import { IRIS_FEATURES, fitIrisPipeline, irisData } from '../support/iris-pipeline.js';

/*
 * Issue 8 end to end: the iris pipeline saved on dfs://, served from one topic of the built-in broker to
 * another; every prediction must equal the batch transform's, bad messages go to the dead-letter topic.
 */

const { Kafka, logLevel } = kafkajs;
let home: string;
let eddy: Eddy;
let kafka: InstanceType<typeof Kafka>;
let iris: DataFrame;
let model: PipelineModel;
let expected: Row[];
const FEATURES = IRIS_FEATURES;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-serve-'));
  eddy = await Eddy.start({ home });
  kafka = new Kafka({ clientId: 'test', brokers: [eddy.broker.bootstrapServers], logLevel: logLevel.NOTHING });
  iris = await irisData(eddy);
  model = await fitIrisPipeline(iris, 3);
  await model.write().overwrite().session(eddy).save('dfs:///models/iris');
  expected = await model.transform(iris).collect();
});
afterAll(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

async function createTopics(...topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 2 })), waitForLeaders: true });
  await admin.disconnect();
}

async function produce(topic: string, messages: { key: string; value: string }[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: messages.map((m, i) => ({ ...m, partition: i % 2 })) });
  await producer.disconnect();
}

async function readTopic(topic: string): Promise<{ key: string; value: Record<string, unknown> }[]> {
  const df = await eddy.read
    .format('kafka')
    .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
    .option('subscribe', topic)
    .load();
  const rows = await df.collect();
  return rows.map((r) => ({
    key: Buffer.from(r['key'] as Uint8Array).toString(),
    value: JSON.parse(Buffer.from(r['value'] as Uint8Array).toString()) as Record<string, unknown>,
  }));
}

const irisJson = (r: Row, withLabel: boolean) =>
  JSON.stringify(Object.fromEntries([...FEATURES, ...(withLabel ? ['_c4'] : [])].map((c) => [c, r[c]])));

describe('serve: the iris pipeline on the built-in broker', () => {
  it('answers every message with the batch prediction; bad messages become dead letters; a restart continues', async () => {
    await createTopics('iris-in', 'iris-out', 'iris-dead');
    // Half the messages carry the label column, half do not: the label indexer is skipped either way.
    await produce(
      'iris-in',
      expected.map((r, i) => ({ key: `row-${i}`, value: irisJson(r, i % 2 === 0) })),
    );
    const bad = [
      { key: 'bad-json', value: 'sepal 5.1' },
      { key: 'bad-array', value: '[5.1, 3.5, 1.4, 0.2]' },
      { key: 'bad-missing', value: '{"_c0": 5.1, "_c1": 3.5, "_c2": 1.4}' },
      { key: 'bad-type', value: '{"_c0": 5.1, "_c1": "3.5", "_c2": 1.4, "_c3": 0.2}' },
      { key: 'bad-null', value: '{"_c0": 5.1, "_c1": null, "_c2": 1.4, "_c3": 0.2}' },
    ];
    await produce('iris-in', bad);
    const reports: ServingProgress[] = [];
    const options = {
      modelPath: 'dfs:///models/iris',
      inputTopic: 'iris-in',
      outputTopic: 'iris-out',
      deadLetterTopic: 'iris-dead',
      progressIntervalMs: 0,
      onProgress: (p: ServingProgress) => reports.push(p),
    };
    let server = await serve(eddy, options);
    await server.processAllAvailable();
    expect(server.stats).toEqual({ messages: 155, predictions: 150, deadLetters: 5 });
    const progress = server.report();
    expect(progress).toMatchObject({ messages: 155, deadLetters: 5, totalPredictions: 150 });
    expect(progress.p50Ms).not.toBeNull();
    expect(progress.p99Ms!).toBeGreaterThanOrEqual(progress.p50Ms!);
    await server.stop();

    const out = await readTopic('iris-out');
    expect(out).toHaveLength(150);
    const labels = (model.stages[1] as StringIndexerModel).labels;
    expect(labels).toEqual(['Iris-setosa', 'Iris-versicolor', 'Iris-virginica']);
    for (const { key, value } of out) {
      const want = expected[Number(key.slice('row-'.length))]!;
      for (const c of FEATURES) expect(value[c]).toBe(want[c]);
      expect(value['prediction']).toBe(want['prediction']);
      expect(value['probability']).toEqual(Array.from((want['probability'] as { toArray(): Float64Array }).toArray()));
      expect(value['predictedLabel']).toBe(labels[want['prediction'] as number]);
      expect(value['modelUid']).toBe(model.uid);
    }
    const dead = await readTopic('iris-dead');
    const reasons = Object.fromEntries(dead.map((d) => [d.key, String(d.value['error'])]));
    expect(Object.keys(reasons).sort()).toEqual(bad.map((b) => b.key).sort());
    expect(reasons['bad-json']).toMatch(/^not JSON/);
    expect(reasons['bad-array']).toMatch(/expected a JSON object/);
    expect(reasons['bad-missing']).toBe("missing field '_c3'");
    expect(reasons['bad-type']).toBe('field \'_c1\' is "3.5", expected a number');
    expect(reasons['bad-null']).toMatch(/^the model cannot handle this message: /);
    for (const d of dead)
      expect(d.value).toMatchObject({ topic: 'iris-in', value: bad.find((b) => b.key === d.key)!.value });

    // Restart on the same checkpoint: only the new messages are answered.
    await produce('iris-in', [{ key: 'row-0', value: irisJson(expected[0]!, false) }]);
    server = await serve(eddy, options);
    await server.processAllAvailable();
    expect(server.stats).toEqual({ messages: 1, predictions: 1, deadLetters: 0 });
    await server.stop();
    expect(await readTopic('iris-out')).toHaveLength(151);
  });

  it('serves CSV lines of the feature columns', async () => {
    await createTopics('csv-in', 'csv-out', 'csv-dead');
    await produce('csv-in', [
      ...expected.slice(0, 10).map((r, i) => ({ key: `row-${i}`, value: FEATURES.map((c) => String(r[c])).join(',') })),
      { key: 'short', value: '5.1,3.5' },
      { key: 'word', value: '5.1,x,1.4,0.2' },
    ]);
    const server = await serve(eddy, {
      model,
      format: 'csv',
      inputTopic: 'csv-in',
      outputTopic: 'csv-out',
      deadLetterTopic: 'csv-dead',
      checkpointLocation: join(home, 'csv-checkpoint'),
      progressIntervalMs: 0,
    });
    await server.processAllAvailable();
    await server.stop();
    const out = await readTopic('csv-out');
    expect(out).toHaveLength(10);
    for (const { key, value } of out) expect(value['prediction']).toBe(expected[Number(key.slice(4))]!['prediction']);
    const dead = await readTopic('csv-dead');
    expect(Object.fromEntries(dead.map((d) => [d.key, d.value['error']]))).toEqual({
      short: 'expected 4 CSV fields (_c0,_c1,_c2,_c3), got 2',
      word: 'field \'_c1\' is "x", not a number',
    });
  });

  it('with watch, swaps in a model saved anew at the same path between batches', async () => {
    await createTopics('watch-in', 'watch-out');
    const fit = (maxDepth: number) => fitIrisPipeline(iris, maxDepth);
    const [stump, deep] = [await fit(1), await fit(4)];
    const predictions = async (m: PipelineModel) => (await m.transform(iris).collect()).map((r) => r['prediction']);
    const [stumpWant, deepWant] = [await predictions(stump), await predictions(deep)];
    expect(stumpWant).not.toEqual(deepWant); // a stump cannot tell three classes apart
    await stump.write().overwrite().session(eddy).save('dfs:///models/watched');
    const server = await serve(eddy, {
      modelPath: 'dfs:///models/watched',
      watch: true,
      inputTopic: 'watch-in',
      outputTopic: 'watch-out',
      progressIntervalMs: 0,
    });
    const send = (tag: string) =>
      produce(
        'watch-in',
        expected.map((r, i) => ({ key: `${tag}-${i}`, value: irisJson(r, false) })),
      );
    await send('a');
    await server.processAllAvailable();
    await deep.write().overwrite().session(eddy).save('dfs:///models/watched');
    await send('b');
    await server.processAllAvailable();
    expect(server.model.uid).toBe(deep.uid);
    await server.stop();
    const out = await readTopic('watch-out');
    expect(out).toHaveLength(300);
    for (const { key, value } of out) {
      const [tag, i] = key.split('-');
      const [want, uid] = tag === 'a' ? [stumpWant, stump.uid] : [deepWant, deep.uid];
      expect(value['modelUid']).toBe(uid);
      expect(typeof value['modelSavedAt']).toBe('number');
      expect(value['prediction']).toBe(want[Number(i)]);
    }
  });

  it('a message the model drops (handleInvalid=skip) becomes a dead letter, the rest of its batch is answered', async () => {
    await createTopics('skip-in', 'skip-out', 'skip-dead');
    const skipping = await new Pipeline({
      stages: [
        new VectorAssembler({ inputCols: FEATURES, outputCol: 'features', handleInvalid: 'skip' }),
        new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
        new DecisionTreeClassifier({ featuresCol: 'features', labelCol: 'label', maxDepth: 3 }),
      ],
    }).fit(iris);
    await produce('skip-in', [
      { key: 'row-0', value: irisJson(expected[0]!, false) },
      { key: 'null', value: '{"_c0": null, "_c1": 3.5, "_c2": 1.4, "_c3": 0.2}' },
      { key: 'row-100', value: irisJson(expected[100]!, false) },
    ]);
    const server = await serve(eddy, {
      model: skipping,
      inputTopic: 'skip-in',
      outputTopic: 'skip-out',
      deadLetterTopic: 'skip-dead',
      progressIntervalMs: 0,
    });
    await server.processAllAvailable();
    await server.stop();
    expect(server.stats).toEqual({ messages: 3, predictions: 2, deadLetters: 1 });
    expect((await readTopic('skip-out')).map((m) => m.key).sort()).toEqual(['row-0', 'row-100']);
    const dead = await readTopic('skip-dead');
    expect(dead.map((d) => [d.key, d.value['error']])).toEqual([
      ['null', 'the model dropped this row (handleInvalid=skip)'],
    ]);
  });
});
