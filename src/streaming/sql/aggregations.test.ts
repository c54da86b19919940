import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, avg, col, count, max, min, sum, window, type Row } from '../../index.js';
import { MemoryStream } from '../../../plugins/memory/index.js';

/* Stateful aggregation answers checked against hand-computed values, across batches and restarts. */

let home: string;
let eddy: Eddy;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-aggs-'));
  eddy = await Eddy.start({ home, broker: false, dfs: false });
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

const t = (s: string) => new Date(`2024-01-01T00:${s}Z`);
const byKey = (rows: Row[], key: (r: Row) => string) => Object.fromEntries(rows.map((r) => [key(r), r]));

describe('stateful aggregation', () => {
  it('count, sum, avg, min and max continue across a restart (longs, doubles, strings kept exactly)', async () => {
    const input = new MemoryStream(eddy, 'k STRING, n BIGINT, x DOUBLE, s STRING');
    const cp = join(home, 'cp');
    const start = () =>
      input
        .toDF()
        .groupBy('k')
        .agg(
          count('*').alias('c'),
          sum('n').alias('sn'),
          avg('x').alias('ax'),
          min('s').alias('lo'),
          max('x').alias('hi'),
        )
        .writeStream.outputMode('complete')
        .format('memory')
        .queryName('aggs')
        .option('checkpointLocation', cp)
        .start();
    let q = await start();
    input.addData([
      ['a', 9007199254740993n, 1.5, 'm'],
      ['a', 1n, -0.5, 'c'],
      ['b', 2n, 4, 'z'],
    ]);
    await q.processAllAvailable();
    await q.stop();
    input.addData([
      ['a', 2n, 2, 'b'],
      ['b', null, null, null],
    ]);
    q = await start();
    await q.processAllAvailable();
    await q.stop();
    const rows = byKey(await eddy.table('aggs').collect(), (r) => r['k'] as string);
    expect(rows['a']).toEqual({ k: 'a', c: 3n, sn: 9007199254740996n, ax: 1, lo: 'b', hi: 2 });
    expect(rows['b']).toEqual({ k: 'b', c: 2n, sn: 2n, ax: 4, lo: 'z', hi: 4 });
  });

  it('sliding windows count a row in every window that holds it', async () => {
    const input = new MemoryStream(eddy, 'ts TIMESTAMP');
    const q = await input
      .toDF()
      .groupBy(window(col('ts'), '10 seconds', '5 seconds'))
      .count()
      .selectExpr('window.start AS start', 'count')
      .writeStream.outputMode('complete')
      .format('memory')
      .queryName('sliding')
      .start();
    input.addData([[t('00:07')], [t('00:12')]]);
    await q.processAllAvailable();
    await q.stop();
    const got = (await eddy.table('sliding').collect())
      .map((r) => [(r['start'] as Date).toISOString().slice(14, 19), r['count']])
      .sort();
    // 00:07 is in [00:00,00:10) and [00:05,00:15); 00:12 in [00:05,00:15) and [00:10,00:20).
    expect(got).toEqual([
      ['00:00', 1n],
      ['00:05', 2n],
      ['00:10', 1n],
    ]);
  });

  it('update mode with a watermark emits changed windows and evicts closed ones from state', async () => {
    const input = new MemoryStream(eddy, 'ts TIMESTAMP');
    const q = await input
      .toDF()
      .withWatermark('ts', '0 seconds')
      .groupBy(window(col('ts'), '10 seconds'))
      .count()
      .writeStream.outputMode('update')
      .format('memory')
      .queryName('upd')
      .start();
    input.addData([[t('00:01')], [t('00:02')]]);
    await q.processAllAvailable();
    // Watermark 00:02 → 00:15 after this batch: [00:00, 00:10) is closed and leaves the state.
    input.addData([[t('00:15')]]);
    await q.processAllAvailable();
    const states = q.recentProgress.map((p) => p.stateOperators[0]!);
    expect(states.at(-1)).toMatchObject({ numRowsTotal: 1, numRowsRemoved: 1 });
    const rows = (await eddy.table('upd').collect()).map((r) => [
      (r['window'] as { start: Date }).start.toISOString().slice(14, 19),
      r['count'],
    ]);
    expect(rows).toEqual([
      ['00:00', 2n],
      ['00:10', 1n],
    ]);
    await q.stop();
  });
});
