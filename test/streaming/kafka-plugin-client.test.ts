import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, KafkaClient, partitionForKey, type DataFrame } from '../../src/index.js';
import { hasClient } from '../support/clients.js';

/*
 * The kafka source and sink on Eddy's own client: what kcat wrote with every codec is read exactly, in order,
 * with one DataFrame partition per Kafka partition; small fetch sizes still read exact ranges; the sink's
 * kafka.* producer settings (acks, compression) reach the wire, and keys land where Kafka's partitioner puts them.
 */

const run = promisify(execFile);
let home: string;
let eddy: Eddy;
let client: KafkaClient;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-kafka-plugin-'));
  eddy = await Eddy.start({ home, broker: { config: { 'num.partitions': '3' } } });
  client = await KafkaClient.connect({ bootstrapServers: eddy.broker.bootstrapServers });
});
afterEach(async () => {
  await client.close();
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

function storedCodecs(topic: string, partition: number): number[] {
  const pdir = join(eddy.broker.dataDir, `${topic}-${partition}`);
  const codecs: number[] = [];
  for (const f of readdirSync(pdir).filter((x) => x.endsWith('.log'))) {
    const data = readFileSync(join(pdir, f));
    for (let pos = 0; pos + 61 <= data.length; pos += 12 + data.readInt32BE(pos + 8)) {
      codecs.push(data.readInt16BE(pos + 21) & 7);
    }
  }
  return codecs;
}

async function kcat(args: string[], input: string): Promise<void> {
  const child = run('kcat', ['-b', eddy.broker.bootstrapServers, ...args], { timeout: 30_000 });
  child.child.stdin!.end(input);
  await child;
}

const text = (v: unknown): string | null => (v === null ? null : Buffer.from(v as Uint8Array).toString('utf8'));

function source(topic: string, options: Record<string, string> = {}): DataFrame {
  return eddy.readStream
    .format('kafka')
    .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
    .option('subscribe', topic)
    .options({ startingOffsets: 'earliest', ...options })
    .load();
}

/** Runs a query to the end of what is there; returns its batches' rows and partition counts. */
async function drain(df: DataFrame, name: string): Promise<{ rows: Record<string, unknown>[]; partitions: number[] }> {
  const rows: Record<string, unknown>[] = [];
  const partitions: number[] = [];
  const q = await df.writeStream
    .foreachBatch(async (batch) => {
      partitions.push(await batch.numPartitions());
      rows.push(...(await batch.collect()));
    })
    .option('checkpointLocation', join(home, name))
    .trigger({ availableNow: true })
    .start();
  await q.awaitTermination();
  return { rows, partitions };
}

describe('kafka source on the Eddy client', () => {
  it('reads what kcat produced with every codec, in offset order, one DataFrame partition per Kafka partition', async () => {
    if (!hasClient('kcat')) return;
    const expected: string[] = [];
    for (const z of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      const values = Array.from({ length: 20 }, (_, i) => `${z}-${i}-${'xyz'.repeat(30)}`);
      await kcat(['-P', '-t', 'codecs', '-p', '1', '-z', z, '-X', 'acks=all'], values.join('\n') + '\n');
      expected.push(...values);
    }
    await client.send('codecs', [{ value: 'p0', partition: 0 }]);
    expect(storedCodecs('codecs', 1).filter((c, i, a) => i === 0 || a[i - 1] !== c)).toEqual([0, 1, 2, 3, 4]);
    const { rows } = await drain(source('codecs'), 'cp-codecs');
    const batch = await eddy.read
      .format('kafka')
      .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
      .option('subscribe', 'codecs')
      .load();
    expect(await batch.numPartitions()).toBe(2); // partitions 0 and 1 hold data, partition 2 is empty
    expect(await batch.count()).toBe(101);
    expect(rows.map((r) => text(r['value']))).toEqual(['p0', ...expected]);
    expect(rows.slice(1).map((r) => Number(r['offset']))).toEqual(expected.map((_, i) => i));
    expect(rows[1]).toMatchObject({ topic: 'codecs', partition: 1, key: null, timestampType: 0 });
  });

  it('reads exact ranges with small fetches (kafka.max.partition.fetch.bytes) and maxOffsetsPerTrigger', async () => {
    const values = Array.from({ length: 500 }, (_, i) => `v${i}`.padEnd(200, '.'));
    for (let i = 0; i < values.length; i += 50) {
      await client.produce(
        'small',
        0,
        values.slice(i, i + 50).map((value) => ({ value })),
      );
    }
    const { rows, partitions } = await drain(
      source('small', { 'kafka.max.partition.fetch.bytes': '3000', maxOffsetsPerTrigger: '120' }),
      'cp-small',
    );
    expect(partitions).toHaveLength(5); // 120 + 120 + 120 + 120 + 20
    expect(rows.map((r) => text(r['value']))).toEqual(values);
  });

  it('startingTimestamp / startingOffsetsByTimestamp start at the first record at or after a time', async () => {
    // Every partition holds records: with the 'error' strategy, a partition with none that recent fails, as Spark.
    for (const p of [0, 1, 2]) {
      await client.produce(
        'times',
        p,
        [1000, 2000, 3000].map((timestamp) => ({ value: `p${p}@${timestamp}`, timestamp })),
      );
    }
    const values = async (options: Record<string, string>, name: string) =>
      (await drain(source('times', options), name)).rows.map((r) => text(r['value'])).sort();
    expect(await values({ startingTimestamp: '1500' }, 'cp-ts-all')).toEqual([
      'p0@2000',
      'p0@3000',
      'p1@2000',
      'p1@3000',
      'p2@2000',
      'p2@3000',
    ]);
    // Partitions not named start at the end, as with startingOffsets JSON.
    expect(await values({ startingOffsetsByTimestamp: '{"times":{"1":3000}}' }, 'cp-ts-per')).toEqual(['p1@3000']);
    const late = await source('times', { startingTimestamp: '9000' })
      .writeStream.format('memory')
      .queryName('late')
      .option('checkpointLocation', join(home, 'cp-ts-late'))
      .trigger({ availableNow: true })
      .start();
    await expect(late.awaitTermination()).rejects.toThrow(
      /no record in times-0 has a timestamp at or after 9000; set startingOffsetsByTimestampStrategy=latest/,
    );
    expect(
      await values({ startingTimestamp: '9000', startingOffsetsByTimestampStrategy: 'latest' }, 'cp-ts-latest'),
    ).toEqual([]);
  });

  it('refuses bad kafka.* client settings with the setting named', () => {
    expect(() => source('t', { 'kafka.fetch.max.wait.ms': 'soon' })).toThrow(/kafka\.fetch\.max\.wait\.ms=soon/);
    expect(() => source('t', { 'kafka.check.crcs': 'maybe' })).toThrow(/kafka\.check\.crcs=maybe/);
    expect(() => source('t', { 'kafka.security.protocol': 'SASL_SSL' })).toThrow(/SASL_SSL is not supported/);
    expect(() => source('t', { includeHeaders: 'yes' })).toThrow(/includeHeaders=yes must be true or false/);
  });
});

describe('kafka sink on the Eddy client', () => {
  const sink = (df: DataFrame, name: string, options: Record<string, string>) =>
    df.writeStream
      .format('kafka')
      .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
      .options(options)
      .option('checkpointLocation', join(home, name))
      .trigger({ availableNow: true })
      .start();

  it('kafka.compression.type and kafka.acks reach the wire; keys land on their murmur2 partition', async () => {
    const words = Array.from({ length: 60 }, (_, i) => `word-${i}`);
    await client.produce(
      'in',
      0,
      words.map((value) => ({ value })),
    );
    const q = await sink(
      source('in').selectExpr('CAST(value AS STRING) AS key', "concat('seen ', CAST(value AS STRING)) AS value"),
      'cp-sink',
      { topic: 'out', 'kafka.compression.type': 'gzip', 'kafka.acks': '1' },
    );
    await q.awaitTermination();
    const seen: string[] = [];
    for (const p of [0, 1, 2]) {
      expect(storedCodecs('out', p).every((c) => c === 1)).toBe(true);
      const [f] = await client.fetch([{ topic: 'out', partition: p, offset: 0 }], { maxWaitMs: 0 });
      f!.records.keys.forEach((k, i) => {
        expect(partitionForKey(k!, 3)).toBe(p);
        expect(f!.records.values[i]!.toString()).toBe(`seen ${k!.toString()}`);
        seen.push(k!.toString());
      });
    }
    expect(seen.sort()).toEqual([...words].sort());
  });

  it('a partition column chooses the partition; bad producer settings are refused', async () => {
    await client.produce('in2', 0, [{ value: 'a' }, { value: 'b' }]);
    const q = await sink(source('in2').selectExpr('CAST(value AS STRING) AS value', '2 AS partition'), 'cp-part', {
      topic: 'out2',
    });
    await q.awaitTermination();
    const [f] = await client.fetch([{ topic: 'out2', partition: 2, offset: 0 }], { maxWaitMs: 0 });
    expect(f!.records.values.map((v) => v!.toString())).toEqual(['a', 'b']);
    await expect(
      sink(source('in2').selectExpr('CAST(value AS STRING) AS value'), 'cp-bad', { topic: 'x', 'kafka.acks': '2' }),
    ).rejects.toThrow(/kafka\.acks=2 must be all, -1, 1 or 0/);
    await expect(
      sink(source('in2').selectExpr('CAST(value AS STRING) AS value'), 'cp-bad2', {
        topic: 'x',
        'kafka.compression.type': 'brotli',
      }),
    ).rejects.toThrow(/brotli/);
  });

  it('includeHeaders: headers are read as Spark gives them and written back by the sink', async () => {
    await client.produce('h-in', 0, [
      {
        value: 'with',
        headers: [
          ['trace', 'abc'],
          ['empty', null],
        ],
      },
      { value: 'without' },
    ]);
    const { rows } = await drain(source('h-in', { includeHeaders: 'true' }), 'cp-h-read');
    expect(
      rows.map(
        (r) => (r['headers'] as { key: string; value: unknown }[] | null)?.map((h) => [h.key, text(h.value)]) ?? null,
      ),
    ).toEqual([
      [
        ['trace', 'abc'],
        ['empty', null],
      ],
      null,
    ]);
    const q = await sink(source('h-in', { includeHeaders: 'true' }).select('value', 'headers'), 'cp-h-write', {
      topic: 'h-out',
    });
    await q.awaitTermination();
    const res = await client.fetch([0, 1, 2].map((partition) => ({ topic: 'h-out', partition, offset: 0 })));
    const back = res.flatMap((f) =>
      f.records.values.map((v, i) => [v!.toString(), f.records.headers[i]!.map((h) => `${h.key}=${text(h.value)}`)]),
    );
    expect(back.sort()).toEqual([
      ['with', ['trace=abc', 'empty=null']],
      ['without', []],
    ]);
  });
});
