// Streaming benchmark: the seed's word count through Eddy's micro-batch engine, from a MemoryStream and from the
// built-in Kafka broker, against a raw JavaScript loop (split + Map) counting the same lines in the same run.
// Every run checks Eddy's counts equal the loop's. Figures also go to bench/results/streaming.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { Eddy, col, explode, split } from '../dist/src/index.js';
import { MemoryStream } from '../dist/plugins/memory/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const LINES = Number(process.env.STREAMING_BENCH_LINES ?? 100_000);
const BATCH = 20_000;
const WORDS_PER_LINE = 8;
const VOCABULARY = 1_000;

// A deterministic text: xorshift words from a fixed vocabulary.
let seed = 0x9e3779b9;
const rnd = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const lines = Array.from({ length: LINES }, () =>
  Array.from({ length: WORDS_PER_LINE }, () => `w${Math.floor(rnd() * VOCABULARY)}`).join(' '),
);

function rawCount() {
  const counts = new Map();
  for (const line of lines) for (const w of line.split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

function check(name, rows, reference) {
  if (rows.length !== reference.size) throw new Error(`${name}: ${rows.length} words, expected ${reference.size}`);
  for (const r of rows) {
    if (Number(r.count) !== reference.get(r.word))
      throw new Error(`${name}: ${r.word}=${r.count}, expected ${reference.get(r.word)}`);
  }
}

const wordCount = (df) =>
  df
    .select(explode(split(col('value'), ' ')).alias('word'))
    .groupBy('word')
    .count();

const results = [];
const time = async (name, fn) => {
  const t0 = performance.now();
  const out = await fn();
  const ms = performance.now() - t0;
  results.push({ name, ms, linesPerSecond: (LINES * 1000) / ms });
  return out;
};

const reference = await time('raw JS loop (split + Map), reference', async () => rawCount());

const home = mkdtempSync(join(tmpdir(), 'eddy-bench-streaming-'));
const eddy = await Eddy.start({ home });
try {
  // MemoryStream → word count (complete) → memory sink, in batches of BATCH lines.
  const input = new MemoryStream(eddy, 'value STRING');
  const q = await wordCount(input.toDF())
    .writeStream.outputMode('complete')
    .format('memory')
    .queryName('bench_memory')
    .option('checkpointLocation', join(home, 'cp-memory'))
    .start();
  await time(`Eddy MemoryStream → word count, ${BATCH}-line batches`, async () => {
    for (let i = 0; i < LINES; i += BATCH) {
      input.addData(lines.slice(i, i + BATCH).map((l) => [l]));
      await q.processAllAvailable();
    }
  });
  await q.stop();
  check('memory', await eddy.table('bench_memory').collect(), reference);

  // Kafka: lines produced to the built-in broker, then read by the kafka source (maxOffsetsPerTrigger BATCH).
  const kafka = new kafkajs.Kafka({ brokers: [eddy.broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await time('kafkajs producer → built-in broker (not streaming; for scale)', async () => {
    for (let i = 0; i < LINES; i += 5_000) {
      await producer.send({ topic: 'bench-lines', messages: lines.slice(i, i + 5_000).map((value) => ({ value })) });
    }
  });
  await producer.disconnect();
  const kq = await wordCount(
    eddy.readStream
      .format('kafka')
      .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
      .option('subscribe', 'bench-lines')
      .option('startingOffsets', 'earliest')
      .option('maxOffsetsPerTrigger', BATCH)
      .load()
      .selectExpr('CAST(value AS STRING)'),
  )
    .writeStream.outputMode('complete')
    .format('memory')
    .queryName('bench_kafka')
    .trigger({ availableNow: true })
    .option('checkpointLocation', 'dfs:///checkpoints/bench')
    .start();
  await time(`Eddy kafka source → word count (availableNow, maxOffsetsPerTrigger ${BATCH})`, () =>
    kq.awaitTermination(),
  );
  check('kafka', await eddy.table('bench_kafka').collect(), reference);
} finally {
  await eddy.close();
  rmSync(home, { recursive: true, force: true });
}

const base = results[0].ms;
console.log(
  `word count of ${LINES} lines × ${WORDS_PER_LINE} words (vocabulary ${VOCABULARY}); counts checked equal\n`,
);
console.log('| run | ms | lines/s | × reference time |');
console.log('|---|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.name} | ${r.ms.toFixed(0)} | ${Math.round(r.linesPerSecond)} | ${(r.ms / base).toFixed(1)} |`);
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'streaming.json'),
  JSON.stringify({ date: new Date().toISOString(), lines: LINES, results }, null, 2),
);
