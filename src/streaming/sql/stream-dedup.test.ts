import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../common/random.js';
import { Eddy } from '../../index.js';
import { MemoryStream } from '../../../plugins/memory/index.js';

/* Streaming dropDuplicates: keys remembered across batches and restarts, bounded by the watermark. */

let home: string;
let eddy: Eddy;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-stream-dedup-'));
  eddy = await Eddy.start({ home, broker: false });
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

const t = (s: number) => new Date(s * 1000);
const ids = async (name: string) => (await eddy.table(name).collect()).map((r) => r['id'] as string).sort();

describe('streaming dropDuplicates', () => {
  it('drops a key seen in any earlier batch, also after a restart from the checkpoint', async () => {
    const events = new MemoryStream(eddy, 'id STRING, n INT');
    const start = () =>
      events
        .toDF()
        .dropDuplicates(['id'])
        .writeStream.format('memory')
        .queryName('unique')
        .option('checkpointLocation', 'dfs:///checkpoints/dedup')
        .start();
    let q = await start();
    events.addData([
      ['a', 1],
      ['b', 2],
      ['a', 3],
    ]);
    await q.processAllAvailable();
    events.addData([
      ['b', 4],
      ['c', 5],
    ]);
    await q.processAllAvailable();
    expect(await ids('unique')).toEqual(['a', 'b', 'c']);
    expect(q.lastProgress!.stateOperators[0]).toMatchObject({ operatorName: 'dedupe', numRowsTotal: 3 });
    await q.stop();
    events.addData([
      ['c', 6],
      ['d', 7],
    ]);
    q = await start();
    await q.processAllAvailable();
    await q.stop();
    // The memory table of the restarted query holds only its own batches: d is new, c was seen before the restart.
    expect(await ids('unique')).toEqual(['d']);
  });

  it('with the watermarked event time among the keys, drops late rows and evicts old keys', async () => {
    const events = new MemoryStream(eddy, 'id STRING, ts TIMESTAMP');
    const q = await events
      .toDF()
      .withWatermark('ts', '10 seconds')
      .dropDuplicates(['id', 'ts'])
      .writeStream.format('memory')
      .queryName('deduped')
      .option('checkpointLocation', 'dfs:///checkpoints/dedup-wm')
      .start();
    events.addData([
      ['a', t(100)],
      ['a', t(100)],
      ['b', t(130)],
    ]);
    await q.processAllAvailable(); // watermark becomes 130 - 10 = 120 s
    events.addData([
      ['a', t(100)], // behind the watermark: late, dropped
      ['c', t(125)],
      ['b', t(130)], // a duplicate still in state
    ]);
    await q.processAllAvailable();
    await q.stop();
    expect(await ids('deduped')).toEqual(['a', 'b', 'c']);
    const last = q.recentProgress.at(-1)!.stateOperators[0]!;
    expect(last.numRowsDroppedByWatermark).toBe(1);
    // Key (a, 100 s) is behind the 120 s watermark and was evicted; (b, 130 s) and (c, 125 s) remain.
    expect(last.numRowsTotal).toBe(2);
  });

  it('over many batches with restarts, equals a model of the rules, and state holds just the unexpired keys', async () => {
    const random = seededRandom(21);
    const DELAY_MS = 3_000;
    // Batches of (id, time): times move on 1.5 s a batch and reach 3.5 s back, so rows land on both sides of the
    // watermark, in the bucket it is in, and repeat keys of earlier batches; a few come far too late.
    const batches: [string, Date][][] = Array.from({ length: 24 }, (_, b) =>
      Array.from({ length: 15 }, () => {
        const late = random() < 0.1 ? 8_000 : 0;
        const ms = 100_000 + b * 1_500 + Math.floor(random() * 6_000) - 3_500 - late;
        return [`k${Math.floor(random() * 2)}`, new Date(ms - (ms % 250))] as [string, Date];
      }),
    );
    // The model: a row is late when its time is at or behind the watermark; otherwise it is emitted unless its key
    // is in state. State drops keys at or behind the watermark after each batch (and after the no-data batch
    // that follows a watermark move).
    const state = new Set<string>();
    const emitted: string[] = [];
    let wm = 0;
    let maxTime = 0;
    for (const rows of batches) {
      for (const [id, ts] of rows) {
        const ms = ts.getTime();
        maxTime = Math.max(maxTime, ms);
        if (wm > 0 && ms <= wm) continue;
        const key = `${id}@${ms}`;
        if (state.has(key)) continue;
        state.add(key);
        emitted.push(key);
      }
      for (const evict of [wm, Math.max(wm, maxTime - DELAY_MS)]) {
        for (const key of state) if (Number(key.split('@')[1]) <= evict) state.delete(key);
      }
      wm = Math.max(wm, maxTime - DELAY_MS);
    }
    const events = new MemoryStream(eddy, 'id STRING, ts TIMESTAMP');
    const got: string[] = [];
    const start = () =>
      events
        .toDF()
        .withWatermark('ts', `${DELAY_MS / 1000} seconds`)
        .dropDuplicates(['id', 'ts'])
        .writeStream.option('checkpointLocation', join(home, 'cp-model'))
        .foreachBatch(async (df) => {
          for (const r of await df.collect()) got.push(`${r['id']}@${(r['ts'] as Date).getTime()}`);
        })
        .start();
    let q = await start();
    for (let b = 0; b < batches.length; b++) {
      events.addData(batches[b]!);
      await q.processAllAvailable();
      if (b === 6 || b === 15) {
        await q.stop();
        q = await start(); // the time buckets are rebuilt from the state files
      }
    }
    await q.stop();
    expect(got.sort()).toEqual(emitted.sort());
    expect(q.recentProgress.at(-1)!.stateOperators[0]!.numRowsTotal).toBe(state.size);
  });

  it('resumes from state files written before segments (format v1, the event time as the value)', async () => {
    const events = new MemoryStream(eddy, 'id STRING, ts TIMESTAMP');
    const cp = join(home, 'cp-v1');
    const start = () =>
      events
        .toDF()
        .withWatermark('ts', '10 seconds')
        .dropDuplicates(['id', 'ts'])
        .writeStream.format('memory')
        .queryName('dedup_v1')
        .option('checkpointLocation', cp)
        .start();
    let q = await start();
    events.addData([
      ['a', t(100)],
      ['b', t(101)],
    ]);
    await q.processAllAvailable();
    await q.stop();
    // Rewrite every state file as an older Eddy wrote it: [key, event time].
    const dir = join(cp, 'state', '0', '0');
    for (const name of await readdir(dir)) {
      const lines = (await readFile(join(dir, name), 'utf8')).split('\n').slice(1);
      const v1 = lines.map((line) => {
        const key = line.slice(0, line.indexOf('\t'));
        const removed = line.endsWith('\t');
        return removed ? `[${JSON.stringify(key)}]` : `[${JSON.stringify(key)},${(JSON.parse(key) as number[])[1]}]`;
      });
      await writeFile(join(dir, name), ['v1', ...v1].join('\n'));
    }
    q = await start();
    events.addData([
      ['a', t(100)], // a duplicate remembered in the old files
      ['c', t(102)],
    ]);
    await q.processAllAvailable();
    await q.stop();
    expect(await ids('dedup_v1')).toEqual(['c']);
    expect(q.lastProgress!.stateOperators[0]!.numRowsTotal).toBe(3);
  });

  it('refuses a second stateful operator on the same stream', async () => {
    const events = new MemoryStream(eddy, 'id STRING, n INT');
    await expect(
      events
        .toDF()
        .dropDuplicates(['id'])
        .groupBy('id')
        .count()
        .writeStream.outputMode('complete')
        .format('memory')
        .queryName('x')
        .start(),
    ).rejects.toThrow(/one stateful operator per streaming query/);
  });
});
