import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy, col, explode, split, sum } from '../index.js';
import { bundledDataset } from '../common/paths.js';

describe('DataFrames through the session, on dfs:// and file://', () => {
  let dir: string;
  let eddy: Eddy;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eddy-session-df-'));
    eddy = await Eddy.start({ home: join(dir, 'home') });
  });
  afterAll(async () => {
    await eddy.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies iris into dfs as CSV, JSON and Parquet and reads each back the same', async () => {
    const iris = await eddy.read.option('inferSchema', true).csv(bundledDataset('iris'));
    await iris.write.csv('dfs:///datasets/iris');
    const fromDfs = await eddy.read.option('inferSchema', true).csv('dfs:///datasets/iris');
    expect(fromDfs.dtypes).toEqual(iris.dtypes);
    expect(await fromDfs.count()).toBe(150);
    await fromDfs.write.json('dfs:///datasets/iris-json');
    await fromDfs.write.parquet('dfs:///datasets/iris-parquet');
    const j = await eddy.read.schema(iris.schema).json('dfs:///datasets/iris-json');
    const p = await eddy.read.parquet('dfs:///datasets/iris-parquet');
    const expected = await iris.orderBy('_c0', '_c1', '_c2', '_c3', '_c4').collect();
    expect(await j.orderBy('_c0', '_c1', '_c2', '_c3', '_c4').collect()).toEqual(expected);
    expect(await p.orderBy('_c0', '_c1', '_c2', '_c3', '_c4').collect()).toEqual(expected);
    expect(await eddy.fs.get('dfs').exists('/datasets/iris/_SUCCESS')).toBe(true);
  });

  it('runs the word count of the tutorial on createDataFrame rows', async () => {
    const lines = eddy.createDataFrame([{ value: 'to be or not to be' }, { value: 'be quick' }]);
    const counts = await lines
      .selectExpr('CAST(value AS STRING)')
      .select(explode(split(col('value'), ' ')).alias('word'))
      .groupBy('word')
      .count()
      .orderBy(col('count').desc(), 'word')
      .take(2);
    expect(counts).toEqual([
      { word: 'be', count: 3n },
      { word: 'to', count: 2n },
    ]);
    const total = await lines
      .select(explode(split('value', ' ')).alias('w'))
      .groupBy()
      .agg(sum(col('w').isNotNull().cast('int')));
    expect(total.columns).toEqual(['sum(CAST((w IS NOT NULL) AS INT))']);
  });
});
