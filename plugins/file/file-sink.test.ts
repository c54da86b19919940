import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, col, count, sum, window, type Row } from '../../src/index.js';
import { MemoryStream } from '../memory/index.js';

let home: string;
let eddy: Eddy;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-file-sink-'));
  eddy = await Eddy.start({ home, broker: false });
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

const t = (s: string) => new Date(`2024-01-01T00:${s}Z`);
const iso = (r: Row): Row => ({ ...r, start: (r['start'] as Date).toISOString().slice(14, 19) });

describe('file sink', () => {
  it('windowed sums with a watermark land in parquet on dfs:// once each window closes (hand-computed)', async () => {
    const input = new MemoryStream(eddy, 'ts TIMESTAMP, user STRING, amount INT');
    const totals = input
      .toDF()
      .withWatermark('ts', '5 seconds')
      .groupBy(window(col('ts'), '10 seconds'), col('user'))
      .agg(sum('amount').alias('total'), count('*').alias('n'))
      .selectExpr('window.start AS start', 'user', 'total', 'n');
    const q = await totals.writeStream
      .format('parquet')
      .option('checkpointLocation', 'dfs:///cp/totals')
      .start('dfs:///out/totals');
    // Windows [00:00,00:10) and [00:10,00:20). Max event time 00:17 → watermark 00:12 closes [00:00,00:10).
    input.addData([
      [t('00:01'), 'ann', 5],
      [t('00:04'), 'bob', 1],
      [t('00:09'), 'ann', 2],
      [t('00:17'), 'ann', 10],
    ]);
    await q.processAllAvailable();
    // Late for a closed window: dropped. On time for [00:10, 00:20): counted. 00:31 → watermark 00:26 closes it.
    input.addData([
      [t('00:08'), 'bob', 100],
      [t('00:12'), 'bob', 3],
      [t('00:31'), 'cy', 1],
    ]);
    await q.processAllAvailable();
    await q.stop();
    const rows = (await (await eddy.read.parquet('dfs:///out/totals')).collect())
      .map(iso)
      .sort((a, b) => `${a['start']}${a['user']}`.localeCompare(`${b['start']}${b['user']}`));
    expect(rows).toEqual([
      { start: '00:00', user: 'ann', total: 7n, n: 2n },
      { start: '00:00', user: 'bob', total: 1n, n: 1n },
      { start: '00:10', user: 'ann', total: 10n, n: 1n },
      { start: '00:10', user: 'bob', total: 3n, n: 1n },
    ]);
    const dropped = q.recentProgress.reduce((a, p) => a + (p.stateOperators[0]?.numRowsDroppedByWatermark ?? 0), 0);
    expect(dropped).toBe(1);
  });

  it('is exactly once: a logged batch is not written again, and files outside the log are not read', async () => {
    const input = new MemoryStream(eddy, 'v STRING');
    const out = join(home, 'out');
    const start = () =>
      input
        .toDF()
        .writeStream.format('json')
        .option('checkpointLocation', join(home, 'cp'))
        .option('path', out)
        .start();
    let q = await start();
    input.addData([['a'], ['b']]);
    await q.processAllAvailable();
    await q.stop();
    // A crashed batch's leftovers: a data file that its log entry never listed.
    await eddy
      .createDataFrame([['ghost']], 'v STRING')
      .write.mode('append')
      .json(out);
    const sink = await eddy.plugins
      .sink('json')
      .createSink(
        { path: out },
        { session: eddy, outputMode: 'append', queryName: null, schema: input.schema, checkpointLocation: '' },
      );
    await sink.addBatch(0, eddy.createDataFrame([['again']], 'v STRING'));
    q = await start();
    input.addData([['c']]);
    await q.processAllAvailable();
    await q.stop();
    const values = (await (await eddy.read.json(out)).collect()).map((r) => r['v']).sort();
    expect(values).toEqual(['a', 'b', 'c']);
  });

  it('refuses complete and update modes, and a missing path', async () => {
    const input = new MemoryStream(eddy, 'v STRING');
    await expect(
      input
        .toDF()
        .groupBy('v')
        .count()
        .writeStream.outputMode('complete')
        .format('parquet')
        .option('checkpointLocation', join(home, 'c1'))
        .start(join(home, 'o')),
    ).rejects.toThrow(/Data source parquet does not support complete output mode/);
    await expect(
      input.toDF().writeStream.format('csv').option('checkpointLocation', join(home, 'c2')).start(),
    ).rejects.toThrow(/the csv sink needs an output folder/);
  });
});
