// Streaming engine benchmark (issue 7): word count and windowed word count through Eddy's micro-batch engine from
// a MemoryStream (no broker, no network: the engine alone), beside hand-written loops computing the same counts in
// the same run. Every Eddy run is checked equal to its reference. Figures also go to
// bench/results/streaming-engine.json.
//
// Runs: availableNow with maxOffsetsPerTrigger (batches of BATCH lines), checkpoint on a local folder and on dfs://
// as a user would write them. Sizes: STREAMING_ENGINE_LINES (default 1,000,000 lines of 10 words).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { Eddy, col, explode, split, window } from '../dist/src/index.js';
import { MemoryStream } from '../dist/plugins/memory/index.js';
import { seededRandom } from '../dist/src/common/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const LINES = Number(process.env.STREAMING_ENGINE_LINES ?? 1_000_000);
const BATCH = Number(process.env.STREAMING_ENGINE_BATCH ?? 100_000);
const WORDS_PER_LINE = 10;
const VOCABULARY = 10_000;
const WORDS = LINES * WORDS_PER_LINE;
// Event time advances 1 ms per line from T0: 1,000,000 lines cover 1,000 s, so 50 tumbling 20 s windows.
const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const WINDOW_MS = 20_000;
const SLIDE_MS = 10_000;
const only = (process.env.STREAMING_ENGINE_ONLY ?? '').split(',').filter(Boolean);

// A deterministic text: words drawn from a fixed vocabulary by the project's seeded generator.
const rnd = seededRandom(0x9e3779b9);
const lines = Array.from({ length: LINES }, () =>
  Array.from({ length: WORDS_PER_LINE }, () => `w${Math.floor(rnd() * VOCABULARY)}`).join(' '),
);
const times = Array.from({ length: LINES }, (_, i) => T0 + i);

// ---- references: what a programmer would write by hand, same inputs, same batches ----
function rawCount() {
  const counts = new Map();
  for (let i = 0; i < LINES; i++) for (const w of lines[i].split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

function rawWindowCount(slide) {
  // One Map of word counts per window start, as one would write it by hand.
  const windows = new Map();
  for (let i = 0; i < LINES; i++) {
    const t = times[i];
    const words = lines[i].split(' ');
    for (let s = t - (t % slide); s > t - WINDOW_MS; s -= slide) {
      let counts = windows.get(s);
      if (counts === undefined) windows.set(s, (counts = new Map()));
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const flat = new Map();
  for (const [s, counts] of windows) for (const [w, n] of counts) flat.set(`${s}|${w}`, n);
  return flat;
}

/**
 * Complete mode replaces the table each batch; update mode appends every changed group each batch, so the last
 * row of a group is its final count.
 */
function check(name, rows, reference) {
  const last = new Map();
  for (const r of rows) last.set(r.window ? `${r.window.start.getTime()}|${r.word}` : r.word, Number(r.count));
  if (last.size !== reference.size) throw new Error(`${name}: ${last.size} groups, expected ${reference.size}`);
  for (const [k, n] of last)
    if (n !== reference.get(k)) throw new Error(`${name}: ${k}=${n}, expected ${reference.get(k)}`);
}

// Time spent in garbage collection, reported per run with STREAMING_ENGINE_VERBOSE.
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

const results = [];
const record = (name, ms, reference) => {
  results.push({ name, ms, wordsPerSecond: (WORDS * 1000) / ms, reference });
};
const timed = (fn) => {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
};

/** Distinct (time, word) pairs under a 30 s watermark, keys kept by time and dropped once behind it, by hand. */
function rawDedup() {
  const byTime = new Map();
  let kept = 0;
  let maxTime = 0;
  for (let i = 0; i < LINES; i++) {
    const t = times[i];
    maxTime = Math.max(maxTime, t);
    let seen = byTime.get(t);
    if (seen === undefined) byTime.set(t, (seen = new Set()));
    for (const w of lines[i].split(' ')) {
      if (!seen.has(w)) {
        seen.add(w);
        kept++;
      }
    }
    if ((i + 1) % BATCH === 0) for (const k of byTime.keys()) if (k <= maxTime - 30_000) byTime.delete(k);
  }
  return kept;
}

const [plainRef, plainMs] = timed(rawCount);
record('hand-written split + Map loop', plainMs, null);
const [tumblingRef, tumblingMs] = timed(() => rawWindowCount(WINDOW_MS));
record('hand-written loop, tumbling 20 s windows', tumblingMs, null);
const [slidingRef, slidingMs] = timed(() => rawWindowCount(SLIDE_MS));
record('hand-written loop, sliding 20 s / 10 s windows', slidingMs, null);
const [dedupRef, dedupMs] = timed(rawDedup);
record('hand-written loop, distinct (time, word) under a watermark', dedupMs, null);

const home = mkdtempSync(join(tmpdir(), 'eddy-bench-streaming-engine-'));
const eddy = await Eddy.start({ home, broker: false });
try {
  const plainInput = new MemoryStream(eddy, 'value STRING');
  const timedInput = new MemoryStream(eddy, 'value STRING, ts TIMESTAMP');
  for (let i = 0; i < LINES; i += BATCH) {
    const end = Math.min(i + BATCH, LINES);
    plainInput.addData(lines.slice(i, end).map((l) => [l]));
    const rows = [];
    for (let j = i; j < end; j++) rows.push([lines[j], new Date(times[j])]);
    timedInput.addData(rows);
  }
  const source = (stream) =>
    eddy.readStream.format('memory').option('id', stream.id).option('maxOffsetsPerTrigger', BATCH).load();
  const wordCount = (df) =>
    df
      .select(explode(split(col('value'), ' ')).alias('word'))
      .groupBy('word')
      .count();
  const windowedCount = (df, slide) =>
    df
      .withWatermark('ts', '30 seconds')
      .select(col('ts'), explode(split(col('value'), ' ')).alias('word'))
      .groupBy(slide ? window(col('ts'), '20 seconds', '10 seconds') : window(col('ts'), '20 seconds'), col('word'))
      .count();

  const runs = [
    { key: 'complete-local', name: 'word count, complete, local checkpoint', mode: 'complete', cp: 'local' },
    { key: 'update-local', name: 'word count, update, local checkpoint', mode: 'update', cp: 'local' },
    { key: 'complete-dfs', name: 'word count, complete, dfs:// checkpoint', mode: 'complete', cp: 'dfs' },
    {
      key: 'tumbling-local',
      name: 'tumbling 20 s windows, update, local',
      mode: 'update',
      cp: 'local',
      win: 'tumbling',
    },
    {
      key: 'sliding-local',
      name: 'sliding 20 s / 10 s windows, update, local',
      mode: 'update',
      cp: 'local',
      win: 'sliding',
    },
    { key: 'tumbling-dfs', name: 'tumbling 20 s windows, update, dfs://', mode: 'update', cp: 'dfs', win: 'tumbling' },
  ].filter((r) => only.length === 0 || only.includes(r.key));
  for (const run of runs) {
    const df = run.win ? windowedCount(source(timedInput), run.win === 'sliding') : wordCount(source(plainInput));
    const name = `q_${run.key.replace(/-/g, '_')}`;
    const checkpoint = run.cp === 'dfs' ? `dfs:///checkpoints/${run.key}` : join(home, 'checkpoints', run.key);
    const t0 = performance.now();
    const gc0 = gcMs;
    const hr0 = process.hrtime.bigint() / 1000n;
    const q = await df.writeStream
      .outputMode(run.mode)
      .format('memory')
      .queryName(name)
      .trigger({ availableNow: true })
      .option('checkpointLocation', checkpoint)
      .start();
    await q.awaitTermination();
    const ms = performance.now() - t0;
    const batches = q.recentProgress.filter((p) => p.numInputRows > 0).length;
    if (process.env.STREAMING_ENGINE_VERBOSE) {
      const sum = {};
      for (const p of q.recentProgress) for (const [k, v] of Object.entries(p.durationMs)) sum[k] = (sum[k] ?? 0) + v;
      console.error(run.key, JSON.stringify(sum), `gc ${(gcMs - gc0).toFixed(0)} ms`);
      console.error(`window-us ${hr0} ${process.hrtime.bigint() / 1000n}`);
    }
    const rows = await eddy.table(name).collect();
    check(run.name, rows, !run.win ? plainRef : run.win === 'sliding' ? slidingRef : tumblingRef);
    const refMs = !run.win ? plainMs : run.win === 'sliding' ? slidingMs : tumblingMs;
    record(`Eddy ${run.name} (${batches} batches)`, ms, refMs);
    eddy.dropTempView?.(name);
  }
  if (only.length === 0 || only.includes('dedup-local')) {
    // dropDuplicates on (word, ts) with a watermark: output rows counted in foreachBatch (they are ~10 M).
    let kept = 0;
    const t0 = performance.now();
    const q = await source(timedInput)
      .withWatermark('ts', '30 seconds')
      .select(col('ts'), explode(split(col('value'), ' ')).alias('word'))
      .dropDuplicates(['word', 'ts'])
      .writeStream.trigger({ availableNow: true })
      .option('checkpointLocation', join(home, 'checkpoints', 'dedup-local'))
      .foreachBatch(async (df) => {
        kept += (await df.collectBatch()).numRows;
      })
      .start();
    await q.awaitTermination();
    const ms = performance.now() - t0;
    if (kept !== dedupRef) throw new Error(`dropDuplicates kept ${kept} rows, expected ${dedupRef}`);
    const batches = q.recentProgress.filter((p) => p.numInputRows > 0).length;
    record(`Eddy dropDuplicates(word, ts), 30 s watermark, local (${batches} batches)`, ms, dedupMs);
  }
} finally {
  await eddy.close();
  rmSync(home, { recursive: true, force: true });
}

console.log(
  `${LINES.toLocaleString('en')} lines × ${WORDS_PER_LINE} words (vocabulary ${VOCABULARY.toLocaleString('en')}), ` +
    `MemoryStream, availableNow, ${BATCH.toLocaleString('en')}-line batches; results checked equal to the references\n`,
);
console.log('| run | s | words/s | × its reference time |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of results) {
  const ratio = r.reference === null ? '1.0 (reference)' : (r.ms / r.reference).toFixed(1);
  console.log(`| ${r.name} | ${(r.ms / 1000).toFixed(2)} | ${(r.wordsPerSecond / 1e6).toFixed(2)} M | ${ratio} |`);
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'streaming-engine.json'),
  JSON.stringify({ date: new Date().toISOString(), lines: LINES, batch: BATCH, results }, null, 2),
);
