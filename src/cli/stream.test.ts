import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../broker/broker.js';
import { packageRoot } from '../common/paths.js';

/* `eddy stream wordcount` as a user runs it: the built CLI against a broker on port 0. */

const run = promisify(execFile);
const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');
let dir: string;
let broker: Broker;

async function eddy(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-cli-stream-'));
  broker = await startBroker({
    port: 0,
    dataDir: join(dir, 'broker'),
    config: { 'group.initial.rebalance.delay.ms': 0 },
  });
  const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'lines', messages: [{ value: 'to be or not to be' }] });
  await producer.disconnect();
});
afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

describe('eddy stream wordcount', () => {
  it('counts a topic to the console and continues from its checkpoint', async () => {
    const args = [
      'stream',
      'wordcount',
      '--bootstrap-server',
      broker.bootstrapServers,
      '--topic',
      'lines',
      '--starting-offsets',
      'earliest',
      '--available-now',
      '--checkpoint',
      'dfs:///checkpoints/wc',
      '--home',
      join(dir, 'home'),
    ];
    const r = await eddy(...args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Batch: 0');
    expect(r.stdout).toMatch(/\|to\s*\|2\s*\|/);
    expect(r.stdout).toMatch(/\|be\s*\|2\s*\|/);
    expect(r.stdout).toMatch(/\|or\s*\|1\s*\|/);

    const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'lines', messages: [{ value: 'to go' }] });
    await producer.disconnect();
    const again = await eddy(...args);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Batch: 1');
    expect(again.stdout).not.toContain('Batch: 0');
    expect(again.stdout).toMatch(/\|to\s*\|3\s*\|/);
    expect(again.stdout).toMatch(/\|go\s*\|1\s*\|/);
  });

  it('writes closed event-time windows to parquet with a watermark', async () => {
    const now = Date.now();
    const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    // Message timestamps decide the windows: two in the first minute, one 10 minutes later closes it.
    const minute = Math.floor(now / 60_000) * 60_000 - 3_600_000;
    await producer.send({
      topic: 'events',
      messages: [
        { value: 'a b', timestamp: String(minute + 1_000) },
        { value: 'a', timestamp: String(minute + 2_000) },
        { value: 'z', timestamp: String(minute + 600_000) },
      ],
    });
    await producer.disconnect();
    const args = [
      'stream',
      'wordcount',
      '--bootstrap-server',
      broker.bootstrapServers,
      '--topic',
      'events',
      '--starting-offsets',
      'earliest',
      '--window',
      '1 minute',
      '--watermark',
      '1 minute',
      '--sink',
      'parquet',
      '--path',
      join(dir, 'out'),
      '--available-now',
      '--checkpoint',
      join(dir, 'cp-parquet'),
    ];
    const r = await eddy(...args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { Eddy } = await import('../index.js');
    const session = await Eddy.start({ home: join(dir, 'reader'), broker: false, dfs: false });
    try {
      const rows = (await (await session.read.parquet(join(dir, 'out'))).collect()).map((row) => [
        (row['start'] as Date).getTime() - minute,
        row['word'],
        row['count'],
      ]);
      rows.sort((x, y) => String(x[1]).localeCompare(String(y[1])));
      expect(rows).toEqual([
        [0, 'a', 2n],
        [0, 'b', 1n],
      ]);
    } finally {
      await session.close();
    }
  });

  it('writes updated counts to another topic with the kafka sink', async () => {
    const r = await eddy(
      'stream',
      'wordcount',
      '--bootstrap-server',
      broker.bootstrapServers,
      '--topic',
      'lines',
      '--starting-offsets',
      'earliest',
      '--sink',
      'kafka',
      '--output-topic',
      'word-counts',
      '--once',
      '--checkpoint',
      join(dir, 'cp-kafka'),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { Eddy } = await import('../index.js');
    const session = await Eddy.start({ home: join(dir, 'reader2'), broker: false, dfs: false });
    try {
      const rows = await (
        await session.read
          .format('kafka')
          .option('kafka.bootstrap.servers', broker.bootstrapServers)
          .option('subscribe', 'word-counts')
          .load()
      )
        .selectExpr('CAST(key AS STRING) AS k', 'CAST(value AS STRING) AS v')
        .collect();
      const counts = Object.fromEntries(rows.map((x) => [x['k'], x['v']]));
      // Whatever 'lines' holds when this runs (other tests add lines), 'to' and 'be' were counted from it.
      expect(Number(counts['to'])).toBeGreaterThanOrEqual(2);
      expect(Number(counts['be'])).toBe(2);
    } finally {
      await session.close();
    }
  });

  it('refuses what Spark refuses, with usage errors', async () => {
    const base = ['stream', 'wordcount', '--bootstrap-server', broker.bootstrapServers, '--topic', 'lines'];
    let r = await eddy(...base, '--checkpoint', join(dir, 'x'), '--sink', 'parquet', '--output-mode', 'complete');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Data source parquet does not support complete output mode');
    r = await eddy(
      ...base,
      '--checkpoint',
      join(dir, 'x'),
      '--window',
      '1 minute',
      '--output-mode',
      'append',
      '--once',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Append output mode not supported when there are streaming aggregations');
    r = await eddy(...base);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--checkpoint is required');
  });
});
