// Serving benchmark: the iris pipeline (VectorAssembler → StringIndexer → decision tree) answering JSON messages
// through the built-in broker with serve(), against, in the same run, (a) the batch transform of the same rows
// (no Kafka: the model's own cost) and (b) a raw kafkajs produce + consume of the same messages (no model: the
// broker path's cost). Every served prediction is checked equal to the batch transform's.
// Figures also go to bench/results/serving.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { DecisionTreeClassifier, Eddy, Pipeline, StringIndexer, VectorAssembler, serve } from '../dist/src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const MESSAGES = Number(process.env.SERVING_BENCH_MESSAGES ?? 20_000);
const BATCH = 2_000;
const LIVE_CHUNKS = 40;
const LIVE_CHUNK = 50;
const FEATURES = ['_c0', '_c1', '_c2', '_c3'];

const results = [];
const record = (name, ms, n, extra = {}) => results.push({ name, ms, perSecond: (n * 1000) / ms, ...extra });

const home = mkdtempSync(join(tmpdir(), 'eddy-bench-serving-'));
const eddy = await Eddy.start({ home });
try {
  const iris = await (await eddy.read.option('inferSchema', true).csv('datasets/iris')).cache();
  const model = await new Pipeline({
    stages: [
      new VectorAssembler({ inputCols: FEATURES, outputCol: 'features' }),
      new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
      new DecisionTreeClassifier({ featuresCol: 'features', labelCol: 'label' }),
    ],
  }).fit(iris);
  await model.write().overwrite().session(eddy).save('dfs:///models/iris');
  const irisRows = await iris.select(...FEATURES).collect();
  const rows = Array.from({ length: MESSAGES }, (_, i) => irisRows[i % irisRows.length]);
  const values = rows.map((r) => JSON.stringify(r));

  // (a) the model alone: one DataFrame of every row, transformed and collected.
  let t0 = performance.now();
  const df = eddy.createDataFrame(rows, FEATURES.map((c) => `${c} DOUBLE`).join(', '));
  const batchPredictions = (await model.transform(df).select('prediction').collect()).map((r) => r.prediction);
  record('batch model.transform of the same rows (no Kafka), reference', performance.now() - t0, MESSAGES);

  const kafka = new kafkajs.Kafka({ brokers: [eddy.broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: ['raw', 'in', 'out', 'live-in', 'live-out'].map((topic) => ({ topic, numPartitions: 2 })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const produce = async (topic, from, to) => {
    for (let i = from; i < to; i += 5_000) {
      await producer.send({
        topic,
        messages: values.slice(i, Math.min(to, i + 5_000)).map((value, j) => ({ key: String(i + j), value })),
      });
    }
  };
  const consumeAll = async (topic, n) => {
    const consumer = kafka.consumer({ groupId: `bench-${topic}-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = [];
    await new Promise((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) got.push(m);
          if (got.length >= n) resolve();
        },
      });
    });
    await consumer.disconnect();
    return got;
  };

  // (b) the broker path alone: produce every message, consume every message.
  t0 = performance.now();
  await produce('raw', 0, MESSAGES);
  await consumeAll('raw', MESSAGES);
  record('kafkajs produce + consume of the same messages (no model), reference', performance.now() - t0, MESSAGES);

  // Throughput: a backlog answered in micro-batches of BATCH.
  await produce('in', 0, MESSAGES);
  t0 = performance.now();
  const server = await serve(eddy, {
    modelPath: 'dfs:///models/iris',
    inputTopic: 'in',
    outputTopic: 'out',
    maxOffsetsPerTrigger: BATCH,
    progressIntervalMs: 0,
  });
  await server.processAllAvailable();
  const backlogMs = performance.now() - t0;
  await server.stop();
  record(`serve(): a backlog of ${MESSAGES}, maxOffsetsPerTrigger ${BATCH}`, backlogMs, MESSAGES);
  const served = await consumeAll('out', MESSAGES);
  for (const m of served) {
    const i = Number(m.key.toString());
    const p = JSON.parse(m.value.toString()).prediction;
    if (p !== batchPredictions[i]) throw new Error(`message ${i}: served ${p}, batch transform ${batchPredictions[i]}`);
  }

  // Latency: messages produced in small chunks while the server runs; timestamp → prediction written.
  const live = await serve(eddy, {
    modelPath: 'dfs:///models/iris',
    inputTopic: 'live-in',
    outputTopic: 'live-out',
    progressIntervalMs: 0,
  });
  t0 = performance.now();
  for (let c = 0; c < LIVE_CHUNKS; c++) await produce('live-in', c * LIVE_CHUNK, (c + 1) * LIVE_CHUNK);
  await live.processAllAvailable();
  const liveMs = performance.now() - t0;
  const progress = live.report();
  await live.stop();
  record(`serve(): ${LIVE_CHUNKS} chunks of ${LIVE_CHUNK} produced while serving`, liveMs, LIVE_CHUNKS * LIVE_CHUNK, {
    p50Ms: progress.p50Ms,
    p99Ms: progress.p99Ms,
  });
  await producer.disconnect();
} finally {
  await eddy.close();
  rmSync(home, { recursive: true, force: true });
}

console.log(`iris pipeline served through the built-in broker; ${MESSAGES} messages; predictions checked equal\n`);
console.log('| run | ms | messages/s | p50 latency ms | p99 latency ms |');
console.log('|---|---:|---:|---:|---:|');
for (const r of results) {
  const f = (x) => (x === undefined || x === null ? '' : x.toFixed(1));
  console.log(`| ${r.name} | ${r.ms.toFixed(0)} | ${Math.round(r.perSecond)} | ${f(r.p50Ms)} | ${f(r.p99Ms)} |`);
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'serving.json'),
  JSON.stringify({ date: new Date().toISOString(), messages: MESSAGES, results }, null, 2),
);
