import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStream } from '../../plugins/memory/index.js';
import {
  Eddy,
  IndexToString,
  Pipeline,
  RandomForestClassifier,
  StandardScaler,
  StringIndexer,
  VectorAssembler,
  col,
  type DataFrame,
  type Row,
} from '../../src/index.js';
import { IRIS_FEATURES, irisData } from '../support/iris-pipeline.js';

/* model.transform(streamingDataFrame): the ML plan node runs per micro-batch like a projection. */

let home: string;
let eddy: Eddy;
let iris: DataFrame;
const FEATURES = IRIS_FEATURES;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-serve-stream-'));
  eddy = await Eddy.start({ home, broker: false });
  iris = await irisData(eddy);
});
afterAll(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

const byFeatures = (rows: Row[]) =>
  rows.map((r) => JSON.stringify(FEATURES.map((c) => r[c]).concat([r['prediction'], r['predictedLabel']]))).sort();

describe('model.transform on a streaming DataFrame', () => {
  it('runs a fitted pipeline per micro-batch and matches the batch transform', async () => {
    const indexer = await new StringIndexer({ inputCol: '_c4', outputCol: 'label' }).fit(iris);
    const model = await new Pipeline({
      stages: [
        new VectorAssembler({ inputCols: FEATURES, outputCol: 'raw' }),
        new StandardScaler({ inputCol: 'raw', outputCol: 'features' }),
        indexer,
        new RandomForestClassifier({ featuresCol: 'features', labelCol: 'label', numTrees: 5, seed: 7 }),
        new IndexToString({ inputCol: 'prediction', outputCol: 'predictedLabel', labels: [...indexer.labels] }),
      ],
    }).fit(iris);
    const features = iris.select(...FEATURES);
    const rows = await features.collect();
    const input = new MemoryStream(eddy, FEATURES.map((c) => `${c} DOUBLE`).join(', '));
    const scored = model.transform(input.toDF()).select(...FEATURES, 'prediction', 'predictedLabel');
    expect(scored.isStreaming).toBe(true);
    const q = await scored.writeStream.format('memory').queryName('scored').start();
    input.addData(rows.slice(0, 70).map((r) => FEATURES.map((c) => r[c])));
    await q.processAllAvailable();
    input.addData(rows.slice(70).map((r) => FEATURES.map((c) => r[c])));
    await q.processAllAvailable();
    await q.stop();
    const batch = await model
      .transform(features)
      .select(...FEATURES, 'prediction', 'predictedLabel')
      .collect();
    const streamed = await eddy.table('scored').collect();
    expect(streamed).toHaveLength(150);
    expect(byFeatures(streamed)).toEqual(byFeatures(batch));
    expect(await eddy.table('scored').where(col('predictedLabel').isNull()).count()).toBe(0);
  });
});
