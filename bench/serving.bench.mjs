// Serving benchmark (issue 8): serve() answering JSON messages through the built-in broker, for two models:
//   iris    the iris pipeline (VectorAssembler → StringIndexer → decision tree), 4 features
//   tree20  a depth-10 decision tree on 20 numeric features (VectorAssembler → tree), synthetic data
// For each: the full-load rate (a backlog answered in micro-batches) and p50/p99 latency (message timestamp →
// answer written) at 5,000 messages/s offered load. In the same run, the references: the model's batch
// `transform` of the same rows (no Kafka), and the raw client — produce + consume of the same messages, and its
// own latency at the same offered load (no model). Every served prediction is checked against the batch transform.
// Goals: ≥ 100,000 predictions/s at full load, p99 < 50 ms at 5,000 msg/s.  Figures also go to
// bench/results/serving.json.  Env: SERVING_BENCH_MESSAGES (backlog size), SERVING_BENCH_SECONDS (paced run),
// SERVING_BENCH_ONLY=latency (only the offered-load rows: serve() with async progress tracking — the default —,
// with the synchronous checkpoint, and with a consumer group; plus the raw kafkajs latency reference).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import {
  DecisionTreeClassifier,
  Eddy,
  KafkaClient,
  Pipeline,
  StringIndexer,
  VectorAssembler,
  serve,
} from '../dist/src/index.js';
import { seededRandom as mulberry32 } from '../dist/src/common/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const MESSAGES = Number(process.env.SERVING_BENCH_MESSAGES ?? 50_000);
const PACED_SECONDS = Number(process.env.SERVING_BENCH_SECONDS ?? 4);
const LATENCY_ONLY = process.env.SERVING_BENCH_ONLY === 'latency';
const RATE = 5_000;
const TICK_MS = 10;
const BATCH = 10_000;
const F = 20;

/** 20 features in [-1, 1) (4 decimals, so JSON round-trips them exactly), label from a nonlinear rule. */
function tree20Rows(n, seed) {
  const r = mulberry32(seed);
  const rows = [];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: F }, () => Math.round((r() * 2 - 1) * 1e4) / 1e4);
    const s = Math.sin(3 * x[0]) + x[1] * x[2] * 2 + (x[3] > 0.2 ? 0.6 : -0.6) + x[4] * x[4] - 0.35 + 0.5 * x[5];
    const row = Object.fromEntries(x.map((v, f) => [`f${f}`, v]));
    row.label = (s > 0 ? 1 : 0) ^ (r() < 0.05 ? 1 : 0);
    rows.push(row);
  }
  return rows;
}

const pct = (sorted, q) =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length, Math.ceil(q * sorted.length)) - 1];
const results = [];
// CPU time of this process (serving, the client and the in-process broker) per message: steadier than rates on a
// shared machine, since waiting for the other processes' turn on the cores does not count.
let cpu0 = process.cpuUsage();
const start = () => {
  cpu0 = process.cpuUsage();
  return performance.now();
};
const record = (model, run, ms, n, extra = {}) => {
  const c = process.cpuUsage(cpu0);
  results.push({
    model,
    run,
    ms,
    messages: n,
    perSecond: (n * 1000) / ms,
    cpuUsPerMessage: (c.user + c.system) / n,
    ...extra,
  });
};

const home = mkdtempSync(join(tmpdir(), 'eddy-bench-serving-'));
const eddy = await Eddy.start({ home });
const kafka = new kafkajs.Kafka({ brokers: [eddy.broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING });
const producer = kafka.producer();
try {
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  const createTopic = (topic) => admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });

  // The two models, fitted here, saved on dfs:// and served from there.
  const iris = await (await eddy.read.option('inferSchema', true).csv('datasets/iris')).cache();
  const IRIS = ['_c0', '_c1', '_c2', '_c3'];
  const irisModel = await new Pipeline({
    stages: [
      new VectorAssembler({ inputCols: IRIS, outputCol: 'features' }),
      new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
      new DecisionTreeClassifier({ featuresCol: 'features', labelCol: 'label' }),
    ],
  }).fit(iris);
  const irisRows = await iris.select(...IRIS).collect();
  const TREE = Array.from({ length: F }, (_, f) => `f${f}`);
  const train = eddy.createDataFrame(
    tree20Rows(20_000, 1),
    [...TREE.map((c) => `${c} DOUBLE`), 'label DOUBLE'].join(', '),
  );
  const treeModel = await new Pipeline({
    stages: [
      new VectorAssembler({ inputCols: TREE, outputCol: 'features' }),
      new DecisionTreeClassifier({ featuresCol: 'features', labelCol: 'label', maxDepth: 10 }),
    ],
  }).fit(train);
  const treeRows = tree20Rows(MESSAGES, 2).map((r) => Object.fromEntries(TREE.map((c) => [c, r[c]])));
  const models = [
    { name: 'iris', model: irisModel, cols: IRIS, rows: Array.from({ length: MESSAGES }, (_, i) => irisRows[i % 150]) },
    { name: 'tree20', model: treeModel, cols: TREE, rows: treeRows },
  ];
  for (const m of models) {
    await m.model.write().overwrite().session(eddy).save(`dfs:///models/bench-${m.name}`);
    m.values = m.rows.map((r) => JSON.stringify(r));
  }

  const produce = async (topic, values, from, to) => {
    for (let i = from; i < to; i += 1_000) {
      const end = Math.min(to, i + 1_000);
      await producer.send({ topic, messages: values.slice(i, end).map((value, j) => ({ key: String(i + j), value })) });
    }
  };
  /** Offers RATE messages/s for PACED_SECONDS (TICK_MS ticks on an absolute schedule); returns how many. */
  const producePaced = async (topic, values) => {
    const perTick = (RATE * TICK_MS) / 1000;
    const ticks = (PACED_SECONDS * 1000) / TICK_MS;
    const t0 = performance.now();
    for (let k = 0; k < ticks; k++) {
      const wait = t0 + k * TICK_MS - performance.now();
      if (wait > 0) await delay(wait);
      const from = (k * perTick) % (values.length - perTick);
      await producer.send({
        topic,
        messages: values.slice(from, from + perTick).map((value, j) => ({ key: String(from + j), value })),
      });
    }
    return ticks * perTick;
  };
  /** Consumes n messages of a topic from its start with a kafkajs consumer; the time each arrived. */
  const consume = async (topic, n, onMessage = () => {}) => {
    const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxWaitTimeInMs: 5 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let got = 0;
    let started;
    const ready = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    const done = new Promise((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          const now = Date.now();
          for (const msg of batch.messages) onMessage(msg, now);
          got += batch.messages.length;
          if (got >= n) resolve();
        },
      });
    });
    started = ready;
    return { ready: started, done: done.then(() => consumer.disconnect()) };
  };

  // References: the raw clients moving the same (iris) messages, at full load and at the offered load. Eddy's
  // client is the one serve() writes with (and the kafka source reads with): produce, then fetch every partition.
  const values = models[0].values;
  let t0;
  if (!LATENCY_ONLY) {
    const client = await KafkaClient.connect({ bootstrapServers: eddy.broker.bootstrapServers, clientId: 'bench' });
    await createTopic('raw-eddy');
    t0 = start();
    for (let i = 0; i < MESSAGES; i += BATCH) {
      await client.send(
        'raw-eddy',
        values.slice(i, i + BATCH).map((value, j) => ({ key: String(i + j), value })),
      );
    }
    let fetched = 0;
    for (const r of await client.offsetRange('raw-eddy')) {
      for (let offset = r.low; offset < r.high;) {
        const [res] = await client.fetch([{ topic: 'raw-eddy', partition: r.partition, offset, untilOffset: r.high }], {
          partitionMaxBytes: 4 << 20,
        });
        fetched += res.records.count;
        offset = res.records.nextOffset;
      }
    }
    if (fetched !== MESSAGES) throw new Error(`raw Eddy client: fetched ${fetched} of ${MESSAGES}`);
    record('-', 'raw Eddy client produce + fetch, no model (reference)', performance.now() - t0, MESSAGES);
    await client.close();
    await createTopic('raw');
    t0 = start();
    await produce('raw', values, 0, MESSAGES);
    const c = await consume('raw', MESSAGES);
    await c.done;
    record('-', 'raw kafkajs produce + consume, no model (reference)', performance.now() - t0, MESSAGES);
  }
  await createTopic('raw-paced');
  const rawLatency = [];
  const offered = (RATE * PACED_SECONDS) | 0;
  const pc = await consume('raw-paced', offered, (msg, now) => rawLatency.push(now - Number(msg.timestamp)));
  await pc.ready;
  t0 = start();
  await producePaced('raw-paced', values);
  await pc.done;
  rawLatency.sort((a, b) => a - b);
  record('-', `raw kafkajs at ${RATE}/s offered, no model (reference)`, performance.now() - t0, offered, {
    p50Ms: pct(rawLatency, 0.5),
    p99Ms: pct(rawLatency, 0.99),
  });

  for (const m of models) {
    if (!LATENCY_ONLY) {
      // The model alone: one DataFrame of every row, transformed (twice: the second, warmed up, is timed).
      const df = eddy.createDataFrame(m.rows, m.cols.map((c) => `${c} DOUBLE`).join(', '));
      await m.model.transform(df).select('prediction').collect();
      t0 = start();
      const want = (await m.model.transform(df).select('prediction').collect()).map((r) => r.prediction);
      record(m.name, 'batch transform of the same rows, no Kafka (reference)', performance.now() - t0, MESSAGES);

      // Full load: a backlog answered in micro-batches of BATCH.
      await createTopic(`${m.name}-in`);
      await createTopic(`${m.name}-out`);
      await produce(`${m.name}-in`, m.values, 0, MESSAGES);
      t0 = start();
      const server = await serve(eddy, {
        modelPath: `dfs:///models/bench-${m.name}`,
        inputTopic: `${m.name}-in`,
        outputTopic: `${m.name}-out`,
        maxOffsetsPerTrigger: BATCH,
        progressIntervalMs: 0,
      });
      await server.processAllAvailable();
      record(m.name, `serve(): a backlog of ${MESSAGES}, ${BATCH} per batch`, performance.now() - t0, MESSAGES);
      await server.stop();
      let wrong = 0;
      const check = await consume(`${m.name}-out`, MESSAGES, (msg) => {
        if (JSON.parse(msg.value.toString()).prediction !== want[Number(msg.key.toString())]) wrong++;
      });
      await check.done;
      if (wrong > 0) throw new Error(`${m.name}: ${wrong} served predictions differ from the batch transform`);
    }

    // Offered load: RATE messages/s while serving; latency from each message's timestamp to its answer written.
    // Through the checkpointed query with async progress tracking (the default: checkpoint logs in the background,
    // once a second), with the synchronous checkpoint (two durable log writes per batch on its path), and with a
    // consumer group (offsets committed to the group, no checkpoint).
    for (const tag of ['live', 'sync', 'group']) {
      const group = tag === 'group' ? `${m.name}-scorers` : undefined;
      await createTopic(`${m.name}-${tag}-in`);
      await createTopic(`${m.name}-${tag}-out`);
      const live = await serve(eddy, {
        modelPath: `dfs:///models/bench-${m.name}`,
        inputTopic: `${m.name}-${tag}-in`,
        outputTopic: `${m.name}-${tag}-out`,
        progressIntervalMs: 0,
        ...(group === undefined ? {} : { group }),
        ...(tag === 'sync' ? { asyncProgressTracking: false } : {}),
      });
      // Warm-up (JIT, first connections), then a clean latency window.
      await produce(`${m.name}-${tag}-in`, m.values, 0, 2_000);
      await live.processAllAvailable();
      live.report();
      t0 = start();
      const n = await producePaced(`${m.name}-${tag}-in`, m.values);
      await live.processAllAvailable();
      const ms = performance.now() - t0;
      const p = live.report();
      record(
        m.name,
        `serve(${{ live: '', sync: '{ asyncProgressTracking: false }', group: '{ group }' }[tag]}): ${RATE}/s offered for ${PACED_SECONDS} s`,
        ms,
        n,
        {
          p50Ms: p.p50Ms,
          p99Ms: p.p99Ms,
        },
      );
      await live.stop();
    }
  }
  await admin.disconnect();
} finally {
  await producer.disconnect();
  await eddy.close();
  rmSync(home, { recursive: true, force: true });
}

console.log(
  `serve() through the built-in broker; backlog ${MESSAGES} messages; every served prediction checked equal to the batch transform\n`,
);
console.log('| model | run | ms | messages/s | CPU µs/message | p50 ms | p99 ms |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  const f = (x) => (x === undefined || x === null ? '' : x.toFixed(1));
  console.log(
    `| ${r.model} | ${r.run} | ${r.ms.toFixed(0)} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${f(r.cpuUsPerMessage)} | ${f(r.p50Ms)} | ${f(r.p99Ms)} |`,
  );
}
console.log(`\nGoals (issue 8): ≥ 100,000 predictions/s at full load; p99 < 50 ms at ${RATE}/s offered.`);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'serving.json'),
  JSON.stringify({ date: new Date().toISOString(), messages: MESSAGES, results }, null, 2),
);
