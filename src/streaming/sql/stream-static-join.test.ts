import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, col, sum, type DataFrame } from '../../index.js';
import { MemoryStream } from '../../../plugins/memory/index.js';

/* A stream joined with a static DataFrame, as Spark runs it: batch by batch, with Spark's refusals. */

let home: string;
let eddy: Eddy;
let users: DataFrame;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-stream-join-'));
  eddy = await Eddy.start({ home, broker: false });
  users = eddy.createDataFrame(
    [
      ['ann', 'NO'],
      ['bob', 'SE'],
      ['cid', 'NO'],
    ],
    'user STRING, country STRING',
  );
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

const byKey = async (df: DataFrame, key: string, value: string) =>
  Object.fromEntries((await df.collect()).map((r) => [r[key], r[value] === null ? null : Number(r[value])]));

describe('stream-static joins', () => {
  it('an inner join feeds a stateful aggregation that continues across batches', async () => {
    const events = new MemoryStream(eddy, 'user STRING, amount INT');
    const totals = events
      .toDF()
      .join(users, 'user')
      .groupBy('country')
      .agg(sum(col('amount')).alias('total'));
    const q = await totals.writeStream
      .outputMode('complete')
      .format('memory')
      .queryName('totals')
      .option('checkpointLocation', 'dfs:///checkpoints/join-totals')
      .start();
    events.addData([
      ['ann', 5],
      ['bob', 2],
      ['zed', 100], // no such user: an inner join drops it
    ]);
    await q.processAllAvailable();
    expect(await byKey(eddy.table('totals'), 'country', 'total')).toEqual({ NO: 5, SE: 2 });
    events.addData([
      ['cid', 1],
      ['bob', 3],
    ]);
    await q.processAllAvailable();
    expect(await byKey(eddy.table('totals'), 'country', 'total')).toEqual({ NO: 6, SE: 5 });
    await q.stop();
  });

  it('a left outer join with the stream on the left keeps unmatched rows with nulls', async () => {
    const events = new MemoryStream(eddy, 'user STRING, amount INT');
    const q = await events
      .toDF()
      .join(users, 'user', 'left')
      .writeStream.format('memory')
      .queryName('enriched')
      .start();
    events.addData([
      ['ann', 5],
      ['zed', 7],
    ]);
    await q.processAllAvailable();
    const rows = (await eddy.table('enriched').collect()).map((r) => [r['user'], r['amount'], r['country']]);
    expect(rows.sort()).toEqual([
      ['ann', 5, 'NO'],
      ['zed', 7, null],
    ]);
    await q.stop();
  });

  it('refuses the joins Spark refuses on streams, naming what is wrong', async () => {
    const events = new MemoryStream(eddy, 'user STRING, amount INT').toDF();
    const other = new MemoryStream(eddy, 'user STRING, note STRING').toDF();
    const start = (df: DataFrame) => df.writeStream.format('memory').queryName(`q${Math.random()}`.slice(2)).start();
    await expect(start(events.join(users, 'user', 'full'))).rejects.toThrow(
      /Full outer joins with streaming DataFrames\/Datasets are not supported/,
    );
    await expect(start(users.join(events, 'user', 'left'))).rejects.toThrow(
      /Left outer join with a streaming DataFrame\/Dataset on the right and a static DataFrame\/Dataset on the left is not supported/,
    );
    await expect(start(users.join(events, 'user', 'left_semi'))).rejects.toThrow(/Left semi join with a streaming/);
    await expect(start(events.join(other, 'user'))).rejects.toThrow(/Stream-stream joins are not supported in Eddy/);
  });
});
