import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, col, count, explode, split, window, type DataFrame, type StreamingQuery } from '../../index.js';
import { MemoryStream } from '../../../plugins/memory/index.js';

let home: string;
let eddy: Eddy;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-streamdf-'));
  eddy = await Eddy.start({ home, broker: false });
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

const sorted = async (df: DataFrame, key: string) =>
  (await df.collect()).sort((a, b) => String(a[key]).localeCompare(String(b[key])));

function wordCounts(lines: DataFrame): DataFrame {
  return lines
    .select(explode(split(col('value'), ' ')).alias('word'))
    .groupBy('word')
    .count();
}

describe('streaming DataFrames', () => {
  it('isStreaming, and actions refuse a stream', async () => {
    const input = new MemoryStream(eddy, 'value STRING');
    const df = input.toDF();
    expect(df.isStreaming).toBe(true);
    expect(df.select('value').isStreaming).toBe(true);
    expect(eddy.createDataFrame([['a']], 'value STRING').isStreaming).toBe(false);
    await expect(df.collect()).rejects.toThrow(/must be executed with writeStream.start\(\)/);
  });

  it('word count in complete mode continues across batches and a restart from the checkpoint', async () => {
    const checkpoint = join(home, 'cp');
    const input = new MemoryStream(eddy, 'value STRING');
    const start = () =>
      wordCounts(input.toDF())
        .writeStream.outputMode('complete')
        .format('memory')
        .queryName('counts')
        .option('checkpointLocation', checkpoint)
        .start();
    let q: StreamingQuery = await start();
    input.addData([['a b a'], ['c']]);
    await q.processAllAvailable();
    expect(await sorted(eddy.table('counts'), 'word')).toEqual([
      { word: 'a', count: 2n },
      { word: 'b', count: 1n },
      { word: 'c', count: 1n },
    ]);
    input.addData([['a c']]);
    await q.processAllAvailable();
    expect(await sorted(eddy.table('counts'), 'word')).toEqual([
      { word: 'a', count: 3n },
      { word: 'b', count: 1n },
      { word: 'c', count: 2n },
    ]);
    expect(q.lastProgress?.stateOperators[0]).toMatchObject({ numRowsTotal: 3, numRowsUpdated: 2 });
    await q.stop();

    input.addData([['b b']]);
    q = await start();
    await q.processAllAvailable();
    expect(await sorted(eddy.table('counts'), 'word')).toEqual([
      { word: 'a', count: 3n },
      { word: 'b', count: 3n },
      { word: 'c', count: 2n },
    ]);
    await q.stop();
  });

  it('update mode emits only the groups a batch changed', async () => {
    const input = new MemoryStream(eddy, 'value STRING');
    const q = await wordCounts(input.toDF()).writeStream.outputMode('update').format('memory').queryName('u').start();
    input.addData([['x y']]);
    await q.processAllAvailable();
    input.addData([['y']]);
    await q.processAllAvailable();
    expect(await eddy.table('u').collect()).toEqual([
      { word: 'x', count: 1n },
      { word: 'y', count: 1n },
      { word: 'y', count: 2n },
    ]);
    await q.stop();
  });

  it('append mode without aggregation passes rows through, with select/filter/withColumn', async () => {
    const input = new MemoryStream(eddy, 'n INT, s STRING');
    const out = input.toDF().filter(col('n').gt(1)).withColumn('twice', col('n').multiply(2)).selectExpr('s', 'twice');
    const q = await out.writeStream.format('memory').queryName('rows').start();
    input.addData([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    await q.processAllAvailable();
    expect(await eddy.table('rows').collect()).toEqual([
      { s: 'b', twice: 4 },
      { s: 'c', twice: 6 },
    ]);
    expect(q.lastProgress).toMatchObject({ numInputRows: 3, sink: { numOutputRows: 2 } });
    await q.stop();
  });

  it('foreachBatch sees each batch once with its id', async () => {
    const input = new MemoryStream(eddy, 'value STRING');
    const seen: [number, number][] = [];
    const q = await input
      .toDF()
      .writeStream.foreachBatch(async (df, id) => {
        seen.push([id, await df.count()]);
      })
      .option('checkpointLocation', join(home, 'fb'))
      .start();
    input.addData([['a'], ['b']]);
    await q.processAllAvailable();
    input.addData([['c']]);
    await q.processAllAvailable();
    await q.stop();
    expect(seen).toEqual([
      [0, 2],
      [1, 1],
    ]);
  });

  it('windowed counts with a watermark: late rows dropped and counted, append emits closed windows', async () => {
    const input = new MemoryStream(eddy, 'ts TIMESTAMP, word STRING');
    const t = (s: string) => new Date(`2024-01-01T00:${s}Z`);
    const counts = input
      .toDF()
      .withWatermark('ts', '10 seconds')
      .groupBy(window(col('ts'), '10 seconds'), col('word'))
      .agg(count('*').alias('n'));
    const q = await counts.writeStream.outputMode('append').format('memory').queryName('w').start();
    // Batch 0: events at 00:05 and 00:12; max event time 00:12 → watermark 00:02 from batch 1.
    input.addData([
      [t('00:05'), 'a'],
      [t('00:12'), 'a'],
    ]);
    await q.processAllAvailable();
    expect(await eddy.table('w').count()).toBe(0);
    // Batch 1: 00:25 moves the watermark to 00:15 for batch 2; 00:08 still lands in [00:00, 00:10) (not yet closed).
    input.addData([
      [t('00:25'), 'a'],
      [t('00:08'), 'a'],
    ]);
    await q.processAllAvailable();
    // The no-data batch run for the new watermark (00:15) closes [00:00, 00:10), holding 2 rows.
    const rows = await eddy.table('w').collect();
    expect(rows).toEqual([{ window: { start: t('00:00'), end: t('00:10') }, word: 'a', n: 2n }]);
    // Batch: 00:03 is behind the watermark (window end 00:10 ≤ 00:15): dropped, counted.
    input.addData([[t('00:03'), 'a']]);
    await q.processAllAvailable();
    const dropped = q.recentProgress.reduce((a, p) => a + (p.stateOperators[0]?.numRowsDroppedByWatermark ?? 0), 0);
    expect(dropped).toBe(1);
    expect(q.lastProgress?.eventTime.watermark).toBe('2024-01-01T00:00:15.000Z');
    await q.stop();
  });
});
