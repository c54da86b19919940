import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Eddy, col, explode, split, type DataFrame, type Row } from '../../src/index.js';

/*
 * The seed's word count end to end: lines produced with kafkajs to the built-in broker, read by the kafka
 * source, counted with a stateful aggregation checkpointed on dfs://, written to the memory and console sinks;
 * a restart from the checkpoint continues the counts.
 */

const { Kafka, logLevel } = kafkajs;
let home: string;
let eddy: Eddy;
let kafka: InstanceType<typeof Kafka>;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-kafka-wc-'));
  eddy = await Eddy.start({ home });
  kafka = new Kafka({ clientId: 'test', brokers: [eddy.broker.bootstrapServers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'lines', numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

async function produce(lines: string[], partition?: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'lines',
    messages: lines.map((value, i) => ({ value, partition: partition ?? i % 2 })),
  });
  await producer.disconnect();
}

function kafkaLines(options: Record<string, string> = {}): DataFrame {
  return eddy.readStream
    .format('kafka')
    .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
    .option('subscribe', 'lines')
    .options({ startingOffsets: 'earliest', ...options })
    .load();
}

const byWord = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r['word'], r['count']]));

describe('kafka source → word count', () => {
  it('counts words from the built-in broker, continues after a restart from a dfs:// checkpoint', async () => {
    await produce(['the quick fox', 'the lazy dog']);
    const counts = kafkaLines()
      .selectExpr('CAST(value AS STRING)')
      .select(explode(split(col('value'), ' ')).alias('word'))
      .groupBy('word')
      .count();
    const start = (format: string, name: string) =>
      counts.writeStream
        .outputMode('complete')
        .format(format)
        .queryName(name)
        .option('checkpointLocation', `dfs:///checkpoints/${name}`)
        .start();

    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      printed.push(String(s));
      return true;
    });
    try {
      const memory = await start('memory', 'wordcount');
      const console = await start('console', 'wordcount_console');
      await memory.processAllAvailable();
      await console.processAllAvailable();
      expect(byWord(await eddy.table('wordcount').collect())).toEqual({
        the: 2n,
        quick: 1n,
        fox: 1n,
        lazy: 1n,
        dog: 1n,
      });
      expect(memory.lastProgress?.sources[0]).toMatchObject({
        description: 'KafkaV2[Subscribe[lines]]',
        endOffset: { lines: { '0': 1, '1': 1 } },
      });
      await memory.stop();
      await console.stop();
    } finally {
      spy.mockRestore();
    }
    const text = printed.join('');
    expect(text).toContain(
      '-------------------------------------------\nBatch: 0\n-------------------------------------------\n',
    );
    expect(text).toMatch(/\|\s*the\|\s*2\|/);

    // Restart on the same checkpoint after more lines: counts continue from the state.
    await produce(['the end']);
    const again = await start('memory', 'wordcount');
    await again.processAllAvailable();
    expect(byWord(await eddy.table('wordcount').collect())).toMatchObject({ the: 3n, end: 1n, fox: 1n });
    // The restarted query resumed at batch 1, it did not re-read batch 0.
    expect(again.recentProgress.map((p) => p.batchId)).toEqual([1]);
    await again.stop();
  });

  it('reads the Kafka schema and honours maxOffsetsPerTrigger and startingOffsets JSON', async () => {
    await produce(['a', 'b', 'c', 'd', 'e', 'f'], 0);
    const rows: Row[] = [];
    const q = await kafkaLines({ maxOffsetsPerTrigger: '2', startingOffsets: '{"lines":{"0":1,"1":-2}}' })
      .writeStream.foreachBatch(async (df) => {
        rows.push(...(await df.collect()));
      })
      .option('checkpointLocation', join(home, 'cp-max'))
      .start();
    await q.processAllAvailable();
    await q.stop();
    expect(rows.map((r) => Buffer.from(r['value'] as Uint8Array).toString())).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(rows[0]).toMatchObject({ topic: 'lines', partition: 0, offset: 1n, timestampType: 0, key: null });
    expect(rows[0]!['timestamp']).toBeInstanceOf(Date);
    expect(q.recentProgress.map((p) => p.numInputRows)).toEqual([2, 2, 1]);
  });

  it('latest starting offsets are pinned at the first start', async () => {
    await produce(['old']);
    const rows: string[] = [];
    const q = await kafkaLines({ startingOffsets: 'latest' })
      .selectExpr('CAST(value AS STRING) AS v')
      .writeStream.foreachBatch(async (df) => {
        rows.push(...(await df.collect()).map((r) => r['v'] as string));
      })
      .option('checkpointLocation', join(home, 'cp-latest'))
      .start();
    await q.processAllAvailable();
    await produce(['new']);
    await q.processAllAvailable();
    await q.stop();
    expect(rows).toEqual(['new']);
  });

  it('the kafka sink writes value (and key) columns to a topic', async () => {
    await produce(['x y', 'y']);
    const q = await kafkaLines()
      .selectExpr('CAST(value AS STRING)')
      .select(explode(split(col('value'), ' ')).alias('word'))
      .groupBy('word')
      .count()
      .selectExpr('word AS key', 'CAST(count AS STRING) AS value')
      .writeStream.outputMode('update')
      .format('kafka')
      .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
      .option('topic', 'counts')
      .option('checkpointLocation', join(home, 'cp-sink'))
      .start();
    await q.processAllAvailable();
    await q.stop();
    const back = await eddy.readStream
      .format('kafka')
      .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
      .option('subscribe', 'counts')
      .option('startingOffsets', 'earliest')
      .load()
      .selectExpr('CAST(key AS STRING) AS k', 'CAST(value AS STRING) AS v')
      .writeStream.format('memory')
      .queryName('back')
      .trigger({ availableNow: true })
      .start();
    await back.awaitTermination();
    const got = Object.fromEntries((await eddy.table('back').collect()).map((r) => [r['k'], r['v']]));
    expect(got).toEqual({ x: '1', y: '2' });
  });

  it('subscribePattern and assign choose the partitions read', async () => {
    await produce(['p0-a', 'p1-a', 'p0-b']);
    const read = async (opt: Record<string, string>, name: string): Promise<string[]> => {
      const q = await eddy.readStream
        .format('kafka')
        .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
        .options({ startingOffsets: 'earliest', ...opt })
        .load()
        .selectExpr('CAST(value AS STRING) AS v')
        .writeStream.format('memory')
        .queryName(name)
        .trigger({ availableNow: true })
        .start();
      await q.awaitTermination();
      return (await eddy.table(name).collect()).map((r) => r['v'] as string).sort();
    };
    expect(await read({ subscribePattern: 'li.*' }, 'pattern')).toEqual(['p0-a', 'p0-b', 'p1-a']);
    expect(await read({ assign: '{"lines":[1]}' }, 'assigned')).toEqual(['p1-a']);
  });

  it('fails on data loss unless failOnDataLoss=false, which skips to the log start', async () => {
    await produce(['gone', 'gone too', 'kept'], 0);
    const admin = kafka.admin();
    await admin.connect();
    // kafkajs looks the partition leaders up in metadata it must have loaded first.
    await admin.fetchTopicMetadata({ topics: ['lines'] });
    await admin.deleteTopicRecords({ topic: 'lines', partitions: [{ partition: 0, offset: '2' }] });
    await admin.disconnect();
    const start = (failOnDataLoss: string, name: string) =>
      kafkaLines({ startingOffsets: '{"lines":{"0":0}}', failOnDataLoss })
        .selectExpr('CAST(value AS STRING) AS v')
        .writeStream.format('memory')
        .queryName(name)
        .option('checkpointLocation', join(home, name))
        .trigger({ availableNow: true })
        .start();
    const strict = await start('true', 'strict');
    await expect(strict.awaitTermination()).rejects.toThrow(
      /Some data may have been lost .*lines-0: wanted offset 0, earliest is 2/,
    );
    const lenient = await start('false', 'lenient');
    await lenient.awaitTermination();
    expect((await eddy.table('lenient').collect()).map((r) => r['v'])).toEqual(['kept']);
  });

  it('eddy.read.format("kafka") reads a range as a batch DataFrame', async () => {
    await produce(['a', 'b', 'c', 'd'], 0);
    const read = (opts: Record<string, string>) =>
      eddy.read
        .format('kafka')
        .option('kafka.bootstrap.servers', eddy.broker.bootstrapServers)
        .option('subscribe', 'lines')
        .options(opts)
        .load();
    const all = await (await read({})).selectExpr('CAST(value AS STRING) AS v', 'offset').collect();
    expect(all).toEqual([
      { v: 'a', offset: 0n },
      { v: 'b', offset: 1n },
      { v: 'c', offset: 2n },
      { v: 'd', offset: 3n },
    ]);
    const some = await read({ startingOffsets: '{"lines":{"0":1,"1":-2}}', endingOffsets: '{"lines":{"0":3,"1":-1}}' });
    expect((await some.collect()).map((r) => Number(r['offset']))).toEqual([1, 2]);
    await expect(read({ startingOffsets: 'latest' })).rejects.toThrow(/starting offset can't be latest/);
    expect(() => eddy.read.format('console')).toThrow(
      /unknown data source format "console"; use one of csv, json, text, parquet, kafka/,
    );
    expect(() => eddy.read.format('rate')).toThrow(/rate is a streaming source only/);
  });

  it('refuses bad kafka options with the option named', () => {
    expect(() => eddy.readStream.format('kafka').option('subscribe', 't').load()).toThrow(/kafka.bootstrap.servers/);
    expect(() =>
      eddy.readStream
        .format('kafka')
        .option('kafka.bootstrap.servers', 'h:1')
        .option('subscribe', 't')
        .option('assign', '{}')
        .load(),
    ).toThrow(/exactly one of .*subscribe, assign/);
    expect(() => kafkaLines({ startingOffsets: '{"lines":{"0":"x"}}' })).toThrow(/startingOffsets/);
    expect(() =>
      eddy.readStream.format('kafka').schema('value STRING').option('kafka.bootstrap.servers', 'h:1').load(),
    ).toThrow(/Kafka source has a fixed schema/);
  });
});
