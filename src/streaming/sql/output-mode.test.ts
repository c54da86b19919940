import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, col, count, window } from '../../index.js';
import { MemoryStream } from '../../../plugins/memory/index.js';

/* Every output-mode rule (Spark's UnsupportedOperationChecker) refuses at start(), before anything is written. */

let home: string;
let eddy: Eddy;
let input: MemoryStream;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-modes-'));
  eddy = await Eddy.start({ home, broker: false });
  input = new MemoryStream(eddy, 'ts TIMESTAMP, word STRING');
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

const start = (df: ReturnType<MemoryStream['toDF']>, mode: string) =>
  df.writeStream.outputMode(mode).format('memory').queryName('t').start();

describe('output-mode rules', () => {
  it('complete needs an aggregation', async () => {
    await expect(start(input.toDF(), 'complete')).rejects.toThrow(
      /Complete output mode not supported when there are no streaming aggregations/,
    );
  });

  it('append with an aggregation needs a watermark on a grouping event-time column', async () => {
    await expect(start(input.toDF().groupBy('word').count(), 'append')).rejects.toThrow(
      /Append output mode not supported when there are streaming aggregations .* without watermark/,
    );
    // A watermark alone is not enough: the grouping must use event time.
    await expect(start(input.toDF().withWatermark('ts', '1 minute').groupBy('word').count(), 'append')).rejects.toThrow(
      /without watermark/,
    );
    const ok = await start(
      input
        .toDF()
        .withWatermark('ts', '1 minute')
        .groupBy(window(col('ts'), '1 minute'))
        .agg(count('*')),
      'append',
    );
    await ok.stop();
  });

  it('update and complete accept an aggregation without a watermark', async () => {
    for (const mode of ['update', 'complete']) {
      const q = await start(input.toDF().groupBy('word').count(), mode);
      await q.stop();
    }
  });

  it('sorting only after an aggregation in complete mode', async () => {
    await expect(start(input.toDF().orderBy('word'), 'append')).rejects.toThrow(
      /Sorting is not supported on streaming/,
    );
    await expect(start(input.toDF().groupBy('word').count().orderBy('word'), 'update')).rejects.toThrow(
      /Sorting is not supported/,
    );
    const q = await start(input.toDF().groupBy('word').count().orderBy(col('count').desc()), 'complete');
    input.addData([
      [new Date(0), 'a'],
      [new Date(0), 'b'],
      [new Date(0), 'b'],
    ]);
    await q.processAllAvailable();
    expect((await eddy.table('t').collect()).map((r) => r['word'])).toEqual(['b', 'a']);
    await q.stop();
  });

  it('limit only after an aggregation in complete mode; two aggregations and unsupported operators refused', async () => {
    await expect(start(input.toDF().limit(3), 'append')).rejects.toThrow(
      /Limits are not supported .* Append output mode/,
    );
    await expect(start(input.toDF().groupBy('word').count().groupBy('count').count(), 'complete')).rejects.toThrow(
      /Multiple streaming aggregations are not supported/,
    );
    await expect(start(input.toDF().distinct(), 'append')).rejects.toThrow(/is not supported on streaming DataFrames/);
  });

  it('unknown modes, formats, missing checkpoints and memory sinks without a name are refused clearly', async () => {
    expect(() => input.toDF().writeStream.outputMode('sometimes')).toThrow(
      /unknown output mode "sometimes"; accepted output modes are 'append', 'complete', 'update'/,
    );
    await expect(input.toDF().writeStream.format('nosuch').start()).rejects.toThrow(
      /unknown streaming sink format "nosuch"; known sinks: console, csv, json, kafka, memory, parquet/,
    );
    expect(() => eddy.readStream.format('nosuch').load()).toThrow(
      /known sources: csv, json, kafka, memory, parquet, rate, socket/,
    );
    await expect(
      input.toDF().writeStream.format('kafka').option('kafka.bootstrap.servers', 'h:1').option('topic', 't').start(),
    ).rejects.toThrow(/checkpointLocation must be specified/);
    await expect(input.toDF().writeStream.format('memory').start()).rejects.toThrow(/queryName must be specified/);
    await expect(
      eddy
        .createDataFrame([['a']], 'value STRING')
        .writeStream.format('memory')
        .queryName('x')
        .start(),
    ).rejects.toThrow(/'writeStream' can be called only on streaming DataFrames/);
    expect(() => input.toDF().withWatermark('word', '1 minute')).toThrow(
      /Event time must be defined on a window or a timestamp/,
    );
    expect(() => input.toDF().withWatermark('nope', '1 minute')).toThrow(/cannot resolve 'nope'/);
  });

  it('a checkpoint refuses a query of another shape', async () => {
    const cp = join(home, 'cp');
    const q = await input
      .toDF()
      .groupBy('word')
      .count()
      .writeStream.outputMode('complete')
      .format('memory')
      .queryName('a')
      .option('checkpointLocation', cp)
      .start();
    await q.stop();
    await expect(
      input.toDF().writeStream.format('memory').queryName('b').option('checkpointLocation', cp).start(),
    ).rejects.toThrow(/checkpoint/);
  });
});
