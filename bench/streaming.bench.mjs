// Streaming benchmark (issues 7 and 8): the word count over Kafka end to end — a topic of LINES lines of 10 words
// in the built-in broker, read by the kafka source, split/explode → groupBy count → memory sink, trigger
// availableNow — beside, in the same run and on the same topic:
//   - a hand-written kafkajs consumer counting words in a Map (the reference),
//   - the same loop on Eddy's own Kafka client (what the source can get at most from the wire),
//   - a split + Map loop over the lines already in memory (no Kafka at all),
//   - the same word count from a MemoryStream (the engine alone, no Kafka),
//   - the windowed count (window(timestamp, 20 s), word) with a 30 s watermark, update mode: line i carries the
//     Kafka timestamp T0 + i ms, so the event times of 1,000,000 lines span 1,000 s (50 windows),
//   - a copy of the topic through the kafka source and sink (what serving does around its model).
// Every Eddy result is checked equal to the in-memory loop's counts. Figures also go to bench/results/streaming.json.
// STREAMING_BENCH_LINES (1,000,000), STREAMING_BENCH_PARTITIONS (4), STREAMING_BENCH_TRIGGER (maxOffsetsPerTrigger,
// 200,000) and STREAMING_BENCH_ONLY (comma list of run keys: fill,raw,kafkajs,client,memory,eddy,windowed,
// passthrough) change the run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { Eddy, KafkaClient, col, explode, split, window } from '../dist/src/index.js';
import { MemoryStream } from '../dist/plugins/memory/index.js';
import { seededRandom } from '../dist/src/common/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const LINES = Number(process.env.STREAMING_BENCH_LINES ?? 1_000_000);
const PARTITIONS = Number(process.env.STREAMING_BENCH_PARTITIONS ?? 4);
const TRIGGER = Number(process.env.STREAMING_BENCH_TRIGGER ?? 200_000);
const ONLY = process.env.STREAMING_BENCH_ONLY?.split(',');
const WORDS_PER_LINE = 10;
const VOCABULARY = 1_000;
const WORDS = LINES * WORDS_PER_LINE;
const TOPIC = 'bench-lines';
// The Kafka timestamp of line i: T0 + i ms.
const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const runs = (key) => !ONLY || ONLY.includes(key);

// A deterministic text: words drawn from a fixed vocabulary by the project's seeded generator.
const rnd = seededRandom(0x9e3779b9);
const lines = Array.from({ length: LINES }, () =>
  Array.from({ length: WORDS_PER_LINE }, () => `w${Math.floor(rnd() * VOCABULARY)}`).join(' '),
);

const results = [];
const time = async (key, name, fn) => {
  const t0 = performance.now();
  const out = await fn();
  const ms = performance.now() - t0;
  results.push({ key, name, ms, linesPerSecond: (LINES * 1000) / ms, wordsPerSecond: (WORDS * 1000) / ms });
  return out;
};

function countInto(counts, line) {
  for (const w of line.split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
}

function check(name, rows, reference, count = (r) => Number(r.count)) {
  const got = new Map();
  for (const r of rows) got.set(r.word, (got.get(r.word) ?? 0) + count(r));
  if (got.size !== reference.size) throw new Error(`${name}: ${got.size} words, expected ${reference.size}`);
  for (const [w, n] of reference) {
    if (got.get(w) !== n) throw new Error(`${name}: ${w}=${got.get(w)}, expected ${n}`);
  }
}

const reference = await time('raw', 'split + Map over the lines in memory (no Kafka)', async () => {
  const counts = new Map();
  for (const line of lines) countInto(counts, line);
  return counts;
});

const home = mkdtempSync(join(tmpdir(), 'eddy-bench-streaming-'));
const eddy = await Eddy.start({ home, broker: { config: { 'num.partitions': String(PARTITIONS) } } });
const servers = eddy.broker.bootstrapServers;
try {
  // Fill the topic with Eddy's client: 10,000-line sends, four in flight.
  const client = await KafkaClient.connect({ bootstrapServers: servers, clientId: 'bench-fill' });
  await time('fill', `fill the topic: Eddy client send, ${PARTITIONS} partitions, acks=1 (not a count)`, async () => {
    const inFlight = [];
    for (let i = 0; i < LINES; i += 10_000) {
      inFlight.push(
        client.send(
          TOPIC,
          lines.slice(i, i + 10_000).map((value, j) => ({ value, timestamp: T0 + i + j })),
          { acks: 1 },
        ),
      );
      if (inFlight.length >= 4) await inFlight.shift();
    }
    await Promise.all(inFlight);
  });
  const ranges = await client.offsetRange(TOPIC);
  const total = ranges.reduce((n, r) => n + r.high - r.low, 0);
  if (total !== LINES) throw new Error(`topic holds ${total} lines, expected ${LINES}`);

  if (runs('kafkajs')) {
    const kafka = new kafkajs.Kafka({ brokers: [servers], logLevel: kafkajs.logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'bench-kafkajs', maxBytes: 50 << 20, maxBytesPerPartition: 1 << 20 });
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    const counts = await time('kafkajs', 'kafkajs consumer → split + Map (reference)', async () => {
      const counts = new Map();
      let seen = 0;
      await new Promise((resolve, reject) => {
        consumer
          .run({
            eachBatch: async ({ batch }) => {
              for (const m of batch.messages) countInto(counts, m.value.toString());
              seen += batch.messages.length;
              if (seen >= LINES) resolve();
            },
          })
          .catch(reject);
      });
      return counts;
    });
    await consumer.disconnect();
    check(
      'kafkajs',
      [...counts].map(([word, count]) => ({ word, count })),
      reference,
    );
  }

  if (runs('client')) {
    const counts = await time('client', 'Eddy client fetch → split + Map', async () => {
      const counts = new Map();
      const next = ranges.map((r) => r.low);
      let pending = ranges.map((_, i) => i);
      while (pending.length > 0) {
        const res = await client.fetch(
          pending.map((i) => ({ topic: TOPIC, partition: ranges[i].partition, offset: next[i] })),
        );
        res.forEach((r, k) => {
          const i = pending[k];
          for (const v of r.records.values) countInto(counts, v.toString());
          next[i] = r.records.nextOffset;
        });
        pending = pending.filter((i) => next[i] < ranges[i].high);
      }
      return counts;
    });
    check(
      'client',
      [...counts].map(([word, count]) => ({ word, count })),
      reference,
    );
  }
  await client.close();

  const source = () =>
    eddy.readStream
      .format('kafka')
      .option('kafka.bootstrap.servers', servers)
      .option('subscribe', TOPIC)
      .option('startingOffsets', 'earliest')
      .option('maxOffsetsPerTrigger', TRIGGER)
      .load();
  const run = async (key, name, df, table, mode = 'complete') => {
    const q = await df.writeStream
      .outputMode(mode)
      .format('memory')
      .queryName(table)
      .trigger({ availableNow: true })
      .option('checkpointLocation', join(home, `cp-${table}`))
      .start();
    await time(key, name, () => q.awaitTermination());
    return q;
  };

  if (runs('memory')) {
    // The engine alone: the same lines from a MemoryStream, TRIGGER lines per batch — no Kafka in the way.
    const input = new MemoryStream(eddy, 'value STRING');
    const q = await input
      .toDF()
      .select(explode(split(col('value'), ' ')).alias('word'))
      .groupBy('word')
      .count()
      .writeStream.outputMode('complete')
      .format('memory')
      .queryName('bench_memory')
      .option('checkpointLocation', join(home, 'cp-memory'))
      .start();
    await time('memory', `Eddy MemoryStream → word count, ${TRIGGER}-line batches (the engine alone)`, async () => {
      for (let i = 0; i < LINES; i += TRIGGER) {
        // addData spreads its rows into a push: hand them over 10,000 at a time.
        for (let j = i; j < Math.min(LINES, i + TRIGGER); j += 10_000) {
          input.addData(lines.slice(j, Math.min(j + 10_000, i + TRIGGER)).map((l) => [l]));
        }
        await q.processAllAvailable();
      }
    });
    await q.stop();
    check('memory', await eddy.table('bench_memory').collect(), reference);
  }

  if (runs('eddy')) {
    const q = await run(
      'eddy',
      `Eddy kafka source → word count (availableNow, maxOffsetsPerTrigger ${TRIGGER})`,
      source()
        .selectExpr('CAST(value AS STRING)')
        .select(explode(split(col('value'), ' ')).alias('word'))
        .groupBy('word')
        .count(),
      'bench_words',
    );
    check('eddy', await eddy.table('bench_words').collect(), reference);
    const d = q.recentProgress.map((p) => p.durationMs ?? {});
    const sum = (k) => d.reduce((n, x) => n + (x[k] ?? 0), 0);
    console.log(
      `word count: ${q.recentProgress.length} batches; getBatch ${sum('getBatch')} ms, addBatch ${sum('addBatch')} ms, latestOffset ${sum('latestOffset')} ms, walCommit ${sum('walCommit')} ms`,
    );
  }

  if (runs('windowed')) {
    await run(
      'windowed',
      'Eddy kafka source → windowed word count (20 s windows on the Kafka timestamp, 30 s watermark, update)',
      source()
        .selectExpr('CAST(value AS STRING)', 'timestamp')
        .withWatermark('timestamp', '30 seconds')
        .select(col('timestamp'), explode(split(col('value'), ' ')).alias('word'))
        .groupBy(window(col('timestamp'), '20 seconds'), col('word'))
        .count(),
      'bench_windowed',
      'update',
    );
    // Update mode appends a row each time a group changes: the last one per (window, word) is its count, and the
    // windows of a word add up to its count over the whole topic.
    const last = new Map();
    for (const r of await eddy.table('bench_windowed').collect()) last.set(`${r.window.start.getTime()}|${r.word}`, r);
    const windows = new Set([...last.values()].map((r) => r.window.start.getTime())).size;
    if (windows !== Math.ceil(LINES / 20_000))
      throw new Error(`windowed: ${windows} windows, expected ${LINES / 20_000}`);
    check('windowed', [...last.values()], reference);
  }

  if (runs('passthrough')) {
    // What serving moves around its model: source → sink, acks=all, no transformation (words/s counts the lines' words).
    const q = await source()
      .select('key', 'value')
      .writeStream.format('kafka')
      .option('kafka.bootstrap.servers', servers)
      .option('topic', 'bench-copy')
      .option('checkpointLocation', join(home, 'cp-copy'))
      .trigger({ availableNow: true })
      .start();
    await time('passthrough', 'Eddy kafka source → kafka sink, copy of the topic (acks=all)', () =>
      q.awaitTermination(),
    );
    const check = await KafkaClient.connect({ bootstrapServers: servers });
    const copied = (await check.offsetRange('bench-copy')).reduce((n, r) => n + r.high - r.low, 0);
    await check.close();
    if (copied !== LINES) throw new Error(`copy holds ${copied} messages, expected ${LINES}`);
  }
} finally {
  await eddy.close();
  rmSync(home, { recursive: true, force: true });
}

const rate = (key) => results.find((r) => r.key === key)?.wordsPerSecond;
console.log(
  `\nword count of ${LINES} lines × ${WORDS_PER_LINE} words (vocabulary ${VOCABULARY}), ${PARTITIONS} partitions; counts checked equal\n`,
);
console.log('| run | s | lines/s | words/s |');
console.log('|---|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.name} | ${(r.ms / 1000).toFixed(2)} | ${Math.round(r.linesPerSecond).toLocaleString('en-US')} | ${Math.round(r.wordsPerSecond).toLocaleString('en-US')} |`,
  );
}
const goals = [];
if (rate('eddy')) {
  goals.push(`end to end ≥ 2,000,000 words/s: ${rate('eddy') >= 2e6 ? 'reached' : 'NOT reached'}`);
  if (rate('kafkajs'))
    goals.push(
      `≥ half the kafkajs loop's rate: ${rate('eddy') >= rate('kafkajs') / 2 ? 'reached' : 'NOT reached'} (${((100 * rate('eddy')) / rate('kafkajs')).toFixed(0)}%)`,
    );
  if (rate('windowed'))
    goals.push(
      `windowed ≥ half the plain count: ${rate('windowed') >= rate('eddy') / 2 ? 'reached' : 'NOT reached'} (${((100 * rate('windowed')) / rate('eddy')).toFixed(0)}%)`,
    );
}
if (goals.length > 0) console.log(`\nGoals: ${goals.join('; ')}.`);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'streaming.json'),
  JSON.stringify(
    { date: new Date().toISOString(), lines: LINES, partitions: PARTITIONS, trigger: TRIGGER, results },
    null,
    2,
  ),
);
