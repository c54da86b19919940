import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../common/random.js';
import { Eddy, col, window, type Row } from '../../index.js';
import { MemoryStream } from '../../../plugins/memory/index.js';

/*
 * Windowed counts with a watermark over many batches (past two state snapshots), with restarts that rebuild state
 * from files, checked against a model of Spark's rules written out plainly: the watermark of a batch is the
 * largest event time of the batches before it minus the delay, rows of windows that end at or before it are
 * dropped, and those windows leave state (append mode emits them then).
 */

let home: string;
let eddy: Eddy;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-windowed-state-'));
  eddy = await Eddy.start({ home, broker: false, dfs: false });
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

const WINDOW_MS = 10_000;
const DELAY_MS = 5_000;
const T0 = Date.UTC(2024, 0, 1);
type Input = [string, Date][];
// One word is not ASCII: state keys are written as UTF-8 bytes.
const WORDS = ['w0', 'wö1', 'w2', 'w3'];

/** Batches of (word, time) rows: time moves on about 4 s a batch, some rows come late or far out of order. */
function batches(n: number): Input[] {
  const random = seededRandom(11);
  const out: Input[] = [];
  for (let b = 0; b < n; b++) {
    const rows: Input = [];
    for (let i = 0; i < 12; i++) {
      const late = random() < 0.15 ? 20_000 * random() : 0;
      const ms = T0 + b * 4_000 + Math.floor(random() * 6_000) - Math.floor(late);
      rows.push([WORDS[Math.floor(random() * 4)]!, new Date(ms)]);
    }
    out.push(rows);
  }
  return out;
}

/** The model: per batch, what append and update mode emit, as "windowStart|word" → count. */
function model(input: Input[]): { appended: Map<string, number>; updated: Map<string, number> } {
  const state = new Map<string, number>();
  const appended = new Map<string, number>();
  const updated = new Map<string, number>();
  let watermark = 0;
  let maxTime = 0;
  const closeAll = () => {
    for (const [key, n] of state) {
      if (Number(key.split('|')[0]) + WINDOW_MS <= watermark) {
        appended.set(key, n);
        state.delete(key);
      }
    }
  };
  for (const rows of input) {
    for (const [word, t] of rows) {
      const ms = t.getTime();
      maxTime = Math.max(maxTime, ms);
      const start = ms - (ms % WINDOW_MS);
      if (start + WINDOW_MS <= watermark) continue; // late: its window is closed
      const key = `${start}|${word}`;
      state.set(key, (state.get(key) ?? 0) + 1);
      updated.set(key, state.get(key)!);
    }
    closeAll();
    watermark = Math.max(watermark, maxTime - DELAY_MS);
    closeAll(); // the no-data batch that runs once the watermark moved
  }
  return { appended, updated };
}

describe('windowed state across snapshots and restarts', () => {
  for (const mode of ['append', 'update'] as const) {
    it(`${mode} mode equals the model over 25 batches with 3 restarts`, async () => {
      const input = new MemoryStream(eddy, 'word STRING, ts TIMESTAMP');
      const cp = join(home, 'cp');
      const emitted = new Map<number, Row[]>();
      const start = () =>
        input
          .toDF()
          .withWatermark('ts', `${DELAY_MS / 1000} seconds`)
          .groupBy(window(col('ts'), `${WINDOW_MS / 1000} seconds`), col('word'))
          .count()
          .writeStream.outputMode(mode)
          .option('checkpointLocation', cp)
          .foreachBatch(async (df, id) => {
            emitted.set(id, await df.collect());
          })
          .start();
      const all = batches(25);
      let q = await start();
      for (let b = 0; b < all.length; b++) {
        input.addData(all[b]!);
        await q.processAllAvailable();
        if (b === 7 || b === 12 || b === 21) {
          await q.stop();
          q = await start();
        }
      }
      await q.stop();
      const got = new Map<string, number>();
      for (const id of [...emitted.keys()].sort((a, b) => a - b)) {
        for (const r of emitted.get(id)!) {
          got.set(`${(r['window'] as { start: Date }).start.getTime()}|${r['word']}`, Number(r['count']));
        }
      }
      const expected = model(all);
      expect(got).toEqual(mode === 'append' ? expected.appended : expected.updated);
      expect(got.size).toBeGreaterThan(20);
      const files = await readdir(join(cp, 'state', '0', '0'));
      expect(files).toContain('20.snapshot');
    });
  }

  it('resumes from state files written before the window layout (format v1, values {"k": keys, "b": buffers})', async () => {
    const input = new MemoryStream(eddy, 'word STRING, ts TIMESTAMP');
    const cp = join(home, 'cp');
    const emitted: Row[] = [];
    const start = () =>
      input
        .toDF()
        .withWatermark('ts', '5 seconds')
        .groupBy(window(col('ts'), '10 seconds'), col('word'))
        .count()
        .writeStream.outputMode('update')
        .option('checkpointLocation', cp)
        .foreachBatch(async (df) => {
          emitted.push(...(await df.collect()));
        })
        .start();
    let q = await start();
    input.addData([
      ['a', new Date(T0 + 1_000)],
      ['a', new Date(T0 + 2_000)],
      ['b', new Date(T0 + 12_000)],
    ]);
    await q.processAllAvailable();
    await q.stop();
    // Rewrite every state file as an older Eddy wrote it.
    const dir = join(cp, 'state', '0', '0');
    for (const name of await readdir(dir)) {
      const lines = (await readFile(join(dir, name), 'utf8')).split('\n');
      expect(lines[0]).toBe('v2');
      const v1 = lines.slice(1).map((line) => {
        const [key, value] = line.split('\t') as [string, string];
        return value === '' ? `[${JSON.stringify(key)}]` : `[${JSON.stringify(key)},{"k":${key},"b":${value}}]`;
      });
      await writeFile(join(dir, name), ['v1', ...v1].join('\n'));
    }
    q = await start();
    input.addData([
      ['a', new Date(T0 + 3_000)],
      ['b', new Date(T0 + 13_000)],
    ]);
    await q.processAllAvailable();
    await q.stop();
    const last = new Map(
      emitted.map((r) => [`${(r['window'] as { start: Date }).start.getTime() - T0}|${r['word']}`, r['count']]),
    );
    expect(last).toEqual(
      new Map([
        ['0|a', 3n],
        ['10000|b', 2n],
      ]),
    );
  });
});
