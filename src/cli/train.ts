import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { EddyError, describeValue } from '../common/errors.js';
import type { DataFrame } from '../dataframe/dataframe.js';
import { MulticlassClassificationEvaluator } from '../ml/evaluation/multiclass-classification-evaluator.js';
import { RegressionEvaluator } from '../ml/evaluation/regression-evaluator.js';
import { pipelineFromSpec } from '../ml/pipeline/pipeline-spec.js';
import { ProbabilisticClassifierParams } from '../ml/classification/probabilistic-classifier-params.js';
import { TreeClassifierParams, TreeParams } from '../ml/tree/tree-params.js';
import { Eddy } from '../session.js';

/**
 * `eddy train`: the seed example from the command line — read a dataset, fit a pipeline described in JSON,
 * print training (and, with --test-fraction, test) metrics, and save the PipelineModel.
 */

export interface TrainOptions {
  data: string;
  pipeline: string;
  output?: string;
  format?: string;
  header?: boolean;
  inferSchema?: boolean;
  home?: string;
  overwrite?: boolean;
  testFraction?: string;
  seed?: string;
}

const FORMATS = ['csv', 'json', 'parquet'];

function num(value: string | undefined, name: string, ok: (n: number) => boolean, want: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !ok(n)) throw new EddyError('USAGE', `${name} ${describeValue(value)} must be ${want}`);
  return n;
}

async function metrics(
  kind: 'classification' | 'regression',
  df: DataFrame,
  labelCol: string,
  predictionCol: string,
): Promise<[string, number][]> {
  const names =
    kind === 'classification'
      ? (['accuracy', 'f1', 'weightedPrecision', 'weightedRecall'] as const)
      : (['rmse', 'mse', 'mae', 'r2'] as const);
  const cached = df.cache();
  const out: [string, number][] = [];
  for (const metricName of names) {
    const e =
      kind === 'classification'
        ? new MulticlassClassificationEvaluator({ metricName: metricName as 'f1', labelCol, predictionCol })
        : new RegressionEvaluator({ metricName: metricName as 'rmse', labelCol, predictionCol });
    out.push([metricName, await e.evaluate(cached)]);
  }
  cached.unpersist();
  return out;
}

export async function runTrain(opts: TrainOptions, out: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const format = (opts.format ?? 'csv').toLowerCase();
  if (!FORMATS.includes(format)) {
    throw new EddyError('USAGE', `--format ${describeValue(opts.format)} is not one of ${FORMATS.join(', ')}`);
  }
  const testFraction = num(
    opts.testFraction,
    '--test-fraction',
    (n) => n > 0 && n < 1,
    'a number between 0 and 1 (exclusive)',
  );
  const seed = num(opts.seed, '--seed', (n) => Number.isInteger(n), 'an integer') ?? 42;
  let specText: string;
  try {
    specText = await readFile(opts.pipeline, 'utf8');
  } catch (e) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `cannot read the pipeline description ${opts.pipeline}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  let spec: unknown;
  try {
    spec = JSON.parse(specText);
  } catch (e) {
    throw new EddyError('INVALID_ARGUMENT', `${opts.pipeline} is not valid JSON: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const pipeline = pipelineFromSpec(spec, opts.pipeline);
  const output = opts.output ?? `models/${basename(opts.pipeline, extname(opts.pipeline))}`;
  const usesDfs = [opts.data, output].some((p) => p.toLowerCase().startsWith('dfs:'));
  // The store is opened only when a path needs it, so training from local files does not take the store's lock.
  const eddy = await Eddy.start({
    broker: false,
    ...(usesDfs ? {} : { dfs: false }),
    ...(opts.home === undefined ? {} : { home: opts.home }),
  });
  try {
    let reader = eddy.read.format(format);
    if (opts.header === true) reader = reader.option('header', true);
    if (opts.inferSchema === true) reader = reader.option('inferSchema', true);
    const data = (await reader.load(opts.data)).cache();
    const total = await data.count();
    out(`Read ${total} rows from ${opts.data} (${format}), columns: ${data.columns.join(', ')}`);
    let train = data;
    let test: DataFrame | undefined;
    if (testFraction !== undefined) {
      const [a, b] = data.randomSplit([1 - testFraction, testFraction], seed);
      train = a!.cache();
      test = b!.cache();
      out(`Split with seed ${seed}: ${await train.count()} training rows, ${await test.count()} test rows`);
    }
    const t0 = performance.now();
    const model = await pipeline.fit(train);
    out(
      `Fitted ${pipeline.uid} (${pipeline
        .getStages()
        .map((s) => s.constructor.name)
        .join(' → ')}) in ${(performance.now() - t0).toFixed(0)} ms`,
    );

    const predictor = [...pipeline.getStages()]
      .reverse()
      .find((s) => s instanceof TreeParams || s instanceof ProbabilisticClassifierParams) as
      TreeParams | ProbabilisticClassifierParams | undefined;
    if (predictor === undefined) {
      out('No predictor stage in the pipeline: no metrics to report');
    } else {
      const kind =
        predictor instanceof TreeClassifierParams || predictor instanceof ProbabilisticClassifierParams
          ? 'classification'
          : 'regression';
      const labelCol = predictor.getLabelCol();
      const predictionCol = predictor.getPredictionCol();
      for (const [name, df] of [
        ['Training', train],
        ['Test', test],
      ] as const) {
        if (df === undefined) continue;
        out(`${name} metrics (${kind}; label '${labelCol}', prediction '${predictionCol}'):`);
        for (const [metric, value] of await metrics(kind, model.transform(df), labelCol, predictionCol)) {
          out(`  ${metric.padEnd(18)} ${value.toFixed(4)}`);
        }
      }
    }
    await model.save(output, { fs: eddy.fs, overwrite: opts.overwrite === true });
    out(`Model written to ${eddy.fs.qualify(output)}`);
  } finally {
    await eddy.close();
  }
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('fit a pipeline described in JSON on a dataset, print its metrics and save the PipelineModel')
    .requiredOption('--data <path>', 'dataset folder or file (plain path, file:// or dfs://)')
    .requiredOption(
      '--pipeline <file.json>',
      'pipeline description: {"stages": [{"class": "VectorAssembler", "params": {...}}, ...]}',
    )
    .option('--output <path>', 'where to save the model (default: models/<pipeline file name>)')
    .option('--format <format>', `data format: ${FORMATS.join(', ')}`, 'csv')
    .option('--header', 'CSV: the first line holds the column names')
    .option('--infer-schema', 'CSV: infer column types (default: every column a string)')
    .option('--test-fraction <f>', 'hold out this fraction of the rows (randomSplit) and report test metrics too')
    .option('--seed <n>', 'seed of the train/test split', '42')
    .option('--overwrite', 'replace an existing model at --output')
    .option(
      '--home <dir>',
      'Eddy home holding the dfs store, needed for dfs:// paths (default: $EDDY_HOME or ./eddy-home)',
    )
    .action(async (opts: TrainOptions) => {
      await runTrain(opts);
    });
}
