import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, col, explode, split, window, type DataFrame } from '../../index.js';
import { MemoryStream } from '../../../plugins/memory/index.js';
import { CHUNK_ROWS } from './dataframe-stream-plan.js';

let home: string;
let eddy: Eddy;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-large-batches-'));
  eddy = await Eddy.start({ home, broker: false });
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

// Lines of words over a small vocabulary, one second of event time per 100 lines.
const LINES = 3 * CHUNK_ROWS + 123;
const T0 = Date.UTC(2026, 0, 1);
const lines = Array.from({ length: LINES }, (_, i) => [
  `w${i % 7} w${(i * 13) % 11} w${i % 3}`,
  new Date(T0 + Math.floor(i / 100) * 1000),
]);

function windowed(df: DataFrame): DataFrame {
  return df
    .withWatermark('ts', '10 seconds')
    .select(col('ts'), explode(split(col('value'), ' ')).alias('word'))
    .groupBy(window(col('ts'), '20 seconds'), col('word'))
    .count();
}

const key = (r: Record<string, unknown>) => `${(r['window'] as { start: Date }).start.toISOString()} ${r['word']}`;

describe('batches larger than a chunk', () => {
  it('availableNow with maxOffsetsPerTrigger: windowed counts equal the batch query, state evicted, across a restart', async () => {
    const input = new MemoryStream(eddy, 'value STRING, ts TIMESTAMP');
    const expected = new Map(
      (await windowed(eddy.createDataFrame(lines, 'value STRING, ts TIMESTAMP')).collect()).map((r) => [
        key(r),
        r['count'],
      ]),
    );
    const checkpoint = join(home, 'cp');
    const run = async (name: string) => {
      const q = await windowed(
        eddy.readStream
          .format('memory')
          .option('id', input.id)
          .option('maxOffsetsPerTrigger', String(CHUNK_ROWS * 2))
          .load(),
      )
        .writeStream.outputMode('update')
        .format('memory')
        .queryName(name)
        .trigger({ availableNow: true })
        .option('checkpointLocation', checkpoint)
        .start();
      await q.awaitTermination();
      return q.recentProgress;
    };
    const split1 = CHUNK_ROWS * 2 + 50;
    input.addData(lines.slice(0, split1));
    const first = await run('first');
    // The second run starts from the checkpoint's files: state, and which keys close when, are read back.
    input.addData(lines.slice(split1));
    const second = await run('second');
    const withData = [...first, ...second].filter((p) => p.numInputRows > 0);
    expect(withData.map((p) => p.numInputRows)).toEqual([CHUNK_ROWS * 2, 50, LINES - split1]);
    // Update mode appends changed groups: the last row of each is its final count.
    const got = new Map<string, unknown>();
    for (const t of ['first', 'second']) for (const r of await eddy.table(t).collect()) got.set(key(r), r['count']);
    expect(got).toEqual(expected);
    const states = [...first, ...second].map((p) => p.stateOperators[0]!);
    expect(states.every((s) => s.numRowsDroppedByWatermark === 0)).toBe(true);
    // After the restart, the watermark still closes windows whose groups were read back from files.
    const removedAfterRestart = second.reduce((n, p) => n + p.stateOperators[0]!.numRowsRemoved, 0);
    expect(removedAfterRestart).toBeGreaterThan(0);
    // Every group of a window the final watermark closed left the state, those read back from files too.
    const watermark = T0 + Math.floor((LINES - 1) / 100) * 1000 - 10_000;
    const open = (await windowed(eddy.createDataFrame(lines, 'value STRING, ts TIMESTAMP')).collect()).filter(
      (r) => (r['window'] as { end: Date }).end.getTime() > watermark,
    );
    expect(states.at(-1)!.numRowsTotal).toBe(open.length);
  });

  it('a plain word count over large batches equals the batch word count (complete mode)', async () => {
    const input = new MemoryStream(eddy, 'value STRING, ts TIMESTAMP');
    input.addData(lines);
    const counts = (df: DataFrame) =>
      df
        .select(explode(split(col('value'), ' ')).alias('word'))
        .groupBy('word')
        .count();
    const q = await counts(input.toDF())
      .writeStream.outputMode('complete')
      .format('memory')
      .queryName('wc')
      .trigger({ availableNow: true })
      .start();
    await q.awaitTermination();
    const sortRows = (rows: Record<string, unknown>[]) =>
      rows.sort((a, b) => String(a['word']).localeCompare(String(b['word'])));
    expect(sortRows(await eddy.table('wc').collect())).toEqual(
      sortRows(await counts(eddy.createDataFrame(lines, 'value STRING, ts TIMESTAMP')).collect()),
    );
  });
});
