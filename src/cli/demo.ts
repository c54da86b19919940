import type { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundledDataset } from '../common/paths.js';
import type { DataFrame } from '../dataframe/dataframe.js';
import { col, desc, explode, split } from '../dataframe/functions.js';
import { DecisionTreeClassifier } from '../ml/classification/decision-tree-classifier.js';
import { MulticlassClassificationEvaluator } from '../ml/evaluation/multiclass-classification-evaluator.js';
import { StringIndexer } from '../ml/feature/string-indexer.js';
import { VectorAssembler } from '../ml/feature/vector-assembler.js';
import { Pipeline, PipelineModel } from '../ml/pipeline/pipeline.js';
import { Eddy } from '../session.js';

/**
 * `eddy demo` (what `npm start` runs): the tour of the platform on the embedded default, with nothing to set up.
 * Each step uses the public pieces as a user would and prints what a person wants to see; the demo exits 0 when
 * every step has passed, and non-zero with the failing step's error otherwise.
 */

export interface DemoContext {
  eddy: Eddy;
  /** Folder models are saved under (./models, as Spark ML's tutorials save to a relative path). */
  modelsDir: string;
  print(line?: string): void;
  /** Values steps hand to later steps. */
  shared: Map<string, unknown>;
}

export interface DemoStep {
  title: string;
  run(ctx: DemoContext): Promise<void>;
}

const IRIS_DFS = 'dfs:///datasets/iris';

interface Measurement {
  id: number;
  _c0: number;
  _c1: number;
  _c2: number;
  _c3: number;
  species: string;
  [feature: string]: number | string;
}
const MODEL_NAME = 'iris-decision-tree';
const FEATURES = ['_c0', '_c1', '_c2', '_c3'];

function printBlock(print: (l: string) => void, text: string): void {
  for (const line of text.replace(/\n$/, '').split('\n')) print(line);
}

export const demoSteps: DemoStep[] = [
  {
    title: 'Start Eddy: the built-in Kafka-protocol broker and the dfs:// store',
    async run({ eddy, print }) {
      print(`broker listening on ${eddy.broker.bootstrapServers} (point any Kafka client here)`);
      print(
        `dfs store at ${join(eddy.home, 'dfs')}: ${eddy.dfs.config.volumes} volume(s), replication ${eddy.dfs.config.replication}`,
      );
    },
  },
  {
    title: `Store the iris dataset in ${IRIS_DFS}`,
    async run({ eddy, print }) {
      const data = await readFile(join(bundledDataset('iris'), 'iris.data'));
      const { fs, path } = eddy.fs.resolve(`${IRIS_DFS}/iris.data`);
      await fs.writeFile(path, data, { overwrite: true });
      for (const st of await fs.list('/datasets/iris')) print(`${String(st.length).padStart(8)}  ${st.uri}`);
    },
  },
  {
    title: 'Read it back as a DataFrame (CSV, no header, inferSchema)',
    async run({ eddy, print, shared }) {
      const iris = await eddy.read.option('inferSchema', true).csv(IRIS_DFS);
      printBlock(print, iris.schema.treeString());
      printBlock(print, await iris.showString(5));
      print(`${await iris.count()} rows`);
      shared.set('iris', iris);
    },
  },
  {
    title: `Fit the Pipeline [VectorAssembler, StringIndexer, DecisionTreeClassifier] and save it to models/${MODEL_NAME}`,
    async run({ eddy, print, shared, modelsDir }) {
      const iris = shared.get('iris') as DataFrame;
      const model = await new Pipeline({
        stages: [
          new VectorAssembler({ inputCols: FEATURES, outputCol: 'features' }),
          new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
          new DecisionTreeClassifier({ featuresCol: 'features', labelCol: 'label' }),
        ],
      }).fit(iris);
      const accuracy = await new MulticlassClassificationEvaluator({ metricName: 'accuracy' }).evaluate(
        model.transform(iris),
      );
      print(`training accuracy ${(100 * accuracy).toFixed(1)}%`);
      const path = join(modelsDir, MODEL_NAME);
      await model.write().overwrite().save(path);
      const loaded = await PipelineModel.load(path);
      print(`saved to ${path}; loaded back, it predicts the new row:`);
      const newRow = eddy.createDataFrame([[5.1, 3.5, 1.4, 0.2]], FEATURES);
      printBlock(print, await loaded.transform(newRow).select('features', 'probability', 'prediction').showString());
      const indexer = loaded.stages[1] as unknown as { labels: string[] };
      shared.set('labels', indexer.labels);
      shared.set('model', loaded);
    },
  },
  {
    title: 'Predict every message of a topic: iris-measurements → model → iris-predictions',
    async run({ eddy, print, shared }) {
      const labels = shared.get('labels') as string[];
      const model = shared.get('model') as PipelineModel;
      const text = await readFile(join(bundledDataset('iris'), 'iris.data'), 'utf8');
      const measurements = text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l, i) => {
          const v = l.split(',');
          const m: Measurement = {
            id: i,
            _c0: Number(v[0]),
            _c1: Number(v[1]),
            _c2: Number(v[2]),
            _c3: Number(v[3]),
            species: v[4]!,
          };
          return m;
        });
      const kafka = new Kafka({
        clientId: 'eddy-demo',
        brokers: [eddy.broker.bootstrapServers],
        logLevel: logLevel.NOTHING,
      });
      // Each run starts from empty topics and its own consumer groups, so a demo run again on the same home
      // predicts exactly this run's messages.
      const admin = kafka.admin();
      await admin.connect();
      const topics = ['iris-measurements', 'iris-predictions'];
      const existing = (await admin.listTopics()).filter((t) => topics.includes(t));
      if (existing.length > 0) await admin.deleteTopics({ topics: existing });
      await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 2 })) });
      const run = Date.now().toString(36);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'iris-measurements',
        messages: measurements.map((m) => ({ key: String(m.id), value: JSON.stringify(m) })),
      });
      print(`produced ${measurements.length} messages to iris-measurements (2 partitions)`);

      const consumer = kafka.consumer({ groupId: `eddy-demo-scorer-${run}` });
      await consumer.connect();
      await consumer.subscribe({ topics: ['iris-measurements'], fromBeginning: true });
      let scored = 0;
      const allScored = new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachBatch: async ({ batch }) => {
              // Each batch of messages becomes a DataFrame the saved pipeline transforms in one go.
              const input = batch.messages.map((msg) => JSON.parse(msg.value!.toString()) as Measurement);
              const scoredRows = await model
                .transform(
                  eddy.createDataFrame(
                    input.map((m) => [m.id, ...FEATURES.map((c) => m[c])]),
                    ['id', ...FEATURES],
                  ),
                )
                .select('id', 'prediction')
                .collect();
              const out = scoredRows.map((r, k) => {
                const prediction = r['prediction'] as number;
                const m = input[k]!;
                return { key: String(m.id), value: JSON.stringify({ ...m, prediction, label: labels[prediction] }) };
              });
              await producer.send({ topic: 'iris-predictions', messages: out });
              scored += out.length;
              if (scored >= measurements.length) resolve();
            },
          })
          .catch(reject);
      });
      await allScored;
      await consumer.disconnect();
      await producer.disconnect();

      const offsets = await admin.fetchTopicOffsets('iris-predictions');
      await admin.disconnect();
      const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
      const reader = kafka.consumer({ groupId: `eddy-demo-reader-${run}` });
      await reader.connect();
      await reader.subscribe({ topics: ['iris-predictions'], fromBeginning: true });
      const predictions: Record<string, unknown>[] = [];
      await new Promise<void>((resolve, reject) => {
        reader
          .run({
            eachMessage: async ({ message }) => {
              predictions.push(JSON.parse(message.value!.toString()) as Record<string, unknown>);
              if (predictions.length === total) resolve();
            },
          })
          .catch(reject);
      });
      await reader.disconnect();
      const right = predictions.filter((p) => p['label'] === p['species']).length;
      print(`scored ${scored} messages; iris-predictions holds ${total}; ${right} match the true species`);
      for (const p of predictions.slice(0, 3)) print(`  ${JSON.stringify(p)}`);
    },
  },
  {
    title: 'Streaming word count: kafka source → explode(split(value)) → groupBy(word).count(), checkpointed on dfs://',
    async run({ eddy, print }) {
      const kafka = new Kafka({
        clientId: 'eddy-demo',
        brokers: [eddy.broker.bootstrapServers],
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      if ((await admin.listTopics()).includes('demo-lines')) await admin.deleteTopics({ topics: ['demo-lines'] });
      await admin.createTopics({ topics: [{ topic: 'demo-lines', numPartitions: 2 }] });
      await admin.disconnect();
      const { fs, path } = eddy.fs.resolve('dfs:///checkpoints/demo-wordcount');
      await fs.delete(path, true);
      const producer = kafka.producer();
      await producer.connect();
      const lines = [
        'to be or not to be that is the question',
        'whether tis nobler in the mind to suffer',
        'the slings and arrows of outrageous fortune',
      ];
      await producer.send({ topic: 'demo-lines', messages: lines.map((value) => ({ value })) });
      await producer.disconnect();
      print(`produced ${lines.length} lines to demo-lines`);
      const counts = eddy.readStream
        .format('kafka')
        .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
        .option('subscribe', 'demo-lines')
        .option('startingOffsets', 'earliest')
        .load()
        .selectExpr('CAST(value AS STRING)')
        .select(explode(split(col('value'), ' ')).alias('word'))
        .groupBy('word')
        .count();
      const query = await counts.writeStream
        .outputMode('complete')
        .format('memory')
        .queryName('demo_wordcount')
        .trigger({ availableNow: true })
        .option('checkpointLocation', 'dfs:///checkpoints/demo-wordcount')
        .start();
      await query.awaitTermination();
      const p = query.lastProgress;
      print(
        `batch ${p?.batchId}: ${p?.numInputRows} input rows, state ${JSON.stringify(p?.stateOperators[0]?.numRowsTotal)} words`,
      );
      printBlock(print, await eddy.table('demo_wordcount').orderBy(desc('count'), col('word')).showString(5));
    },
  },
];

export async function runDemo(
  options: { home?: string; models?: string },
  out: (line: string) => void = (l) => console.log(l),
): Promise<void> {
  const eddy = await Eddy.start({
    ...(options.home === undefined ? {} : { home: options.home }),
    // A demo should not wait Kafka's 3 s for more consumers to join before the first rebalance.
    broker: { config: { 'group.initial.rebalance.delay.ms': 0 } },
  });
  try {
    out(`Eddy demo — home ${eddy.home}`);
    const ctx: DemoContext = {
      eddy,
      modelsDir: options.models ?? 'models',
      print: (line = '') => out(`    ${line}`),
      shared: new Map(),
    };
    let i = 0;
    for (const step of demoSteps) {
      i++;
      out('');
      out(`[${i}/${demoSteps.length}] ${step.title}`);
      const t0 = performance.now();
      await step.run(ctx);
      out(`    done in ${(performance.now() - t0).toFixed(0)} ms`);
    }
    out('');
    out('Demo finished.');
  } finally {
    await eddy.close();
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the end-to-end tour on the embedded default (what `npm start` runs)')
    .option('--home <dir>', 'folder for the embedded store and broker (default: $EDDY_HOME or ./eddy-home)')
    .option('--models <dir>', 'folder to save the demo model under', 'models')
    .action(async (opts: { home?: string; models?: string }) => {
      await runDemo(opts);
    });
}
