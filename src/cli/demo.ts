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
import { serve } from '../serving/serve.js';
import { formatProgress } from '../serving/model-server.js';

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
    },
  },
  {
    title: 'Serve the saved model on a topic: iris-measurements → serve() → iris-predictions',
    async run({ eddy, print, modelsDir }) {
      const kafka = new Kafka({
        clientId: 'eddy-demo',
        brokers: [eddy.broker.bootstrapServers],
        logLevel: logLevel.NOTHING,
      });
      // Each run starts from empty topics and its own checkpoint, so a demo run again on the same home serves
      // exactly this run's messages.
      const admin = kafka.admin();
      await admin.connect();
      const topics = ['iris-measurements', 'iris-predictions', 'iris-dead-letters'];
      const existing = (await admin.listTopics()).filter((t) => topics.includes(t));
      if (existing.length > 0) await admin.deleteTopics({ topics: existing });
      await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 2 })) });
      await admin.disconnect();
      const { fs, path } = eddy.fs.resolve('dfs:///checkpoints/demo-serve');
      await fs.delete(path, true);

      const text = await readFile(join(bundledDataset('iris'), 'iris.data'), 'utf8');
      const messages = text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l, i) => {
          const v = l.split(',');
          const m = { _c0: Number(v[0]), _c1: Number(v[1]), _c2: Number(v[2]), _c3: Number(v[3]), species: v[4] };
          return { key: String(i), value: JSON.stringify(m) };
        });
      messages.push({ key: 'bad', value: '{"_c0": "five point one"}' });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'iris-measurements', messages });
      await producer.disconnect();
      print(`produced ${messages.length} messages to iris-measurements (one of them malformed)`);

      const server = await serve(eddy, {
        modelPath: join(modelsDir, MODEL_NAME),
        inputTopic: 'iris-measurements',
        outputTopic: 'iris-predictions',
        deadLetterTopic: 'iris-dead-letters',
        checkpointLocation: 'dfs:///checkpoints/demo-serve',
        progressIntervalMs: 0,
      });
      await server.processAllAvailable();
      print(formatProgress(server.report()));
      await server.stop();

      const read = async (topic: string) =>
        (
          await (
            await eddy.read
              .format('kafka')
              .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
              .option('subscribe', topic)
              .option('startingOffsets', 'earliest')
              .load()
          )
            .selectExpr('CAST(value AS STRING)')
            .collect()
        ).map((r) => JSON.parse(r['value'] as string) as Record<string, unknown>);
      const predictions = await read('iris-predictions');
      const right = predictions.filter((p) => p['predictedLabel'] === p['species']).length;
      print(`iris-predictions holds ${predictions.length} answers; ${right} name the true species`);
      for (const p of predictions.slice(0, 2)) print(`  ${JSON.stringify(p)}`);
      for (const d of await read('iris-dead-letters')) print(`dead letter: ${String(d['error'])}`);
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
