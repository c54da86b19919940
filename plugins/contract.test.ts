import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Eddy,
  checkSinkContract,
  checkSourceContract,
  type DataFrame,
  type PluginSource,
  type SourceProvider,
} from '../src/index.js';
import { packageRoot } from '../src/common/paths.js';
import { MemoryStream } from './memory/index.js';

/* The built-in plugins through the contract kit that plugin authors use on theirs. */

const { Kafka, logLevel } = kafkajs;
let home: string;
let eddy: Eddy;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-contract-'));
  eddy = await Eddy.start({ home });
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

describe('source contract', () => {
  it('memory source', async () => {
    const stream = new MemoryStream(eddy, 'id INT, word STRING');
    const report = await checkSourceContract(
      eddy.plugins.source('memory'),
      { id: stream.id },
      {
        session: eddy,
        addData: async (round) =>
          void stream.addData([
            [round, `w${round}`],
            [round + 10, `x${round}`],
          ]),
      },
    );
    expect(report.totalRows).toBe(6);
    expect(report.batches.map((b) => b[2])).toEqual([2, 2, 2]);
  });

  it('kafka source, reading the built-in broker', async () => {
    const kafka = new Kafka({
      clientId: 'contract',
      brokers: [eddy.broker.bootstrapServers],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'contract', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    try {
      const report = await checkSourceContract(
        eddy.plugins.source('kafka'),
        { 'kafka.bootstrap.servers': eddy.broker.bootstrapServers, subscribe: 'contract', startingOffsets: 'earliest' },
        {
          session: eddy,
          addData: async (round) => {
            await producer.send({
              topic: 'contract',
              messages: [0, 1, 2].map((i) => ({ value: `r${round}m${i}`, partition: i % 2 })),
            });
          },
        },
      );
      expect(report.totalRows).toBe(9);
    } finally {
      await producer.disconnect();
    }
  });

  it('reports a source whose range reads differ, naming the broken promise', async () => {
    let reads = 0;
    const memory = eddy.plugins.source('memory');
    const stream = new MemoryStream(eddy, 'n INT');
    // A source that forgets to pin its range: every read returns one more row than the last.
    const drifting: SourceProvider = {
      shortName: 'drifting',
      createSource(options, ctx): PluginSource {
        const inner = memory.createSource(options, ctx);
        return Object.assign(Object.create(inner) as PluginSource, {
          getBatch: async (start: string | null, end: string | null) => {
            if (start === end) return inner.getBatch(start, end);
            reads++;
            stream.addData([[100 + reads]]);
            return inner.getBatch(start, String(stream.size));
          },
        });
      },
    };
    await expect(
      checkSourceContract(
        drifting,
        { id: stream.id },
        { session: eddy, addData: async () => void stream.addData([[1]]) },
      ),
    ).rejects.toThrow(/plugin contract broken: getBatch\(null, 1\) read twice: first \[\{"n":1\},\{"n":101\}\], then/);
  });
});

describe('sink contract', () => {
  for (const format of ['json', 'csv', 'parquet']) {
    it(`${format} file sink writes each batch once, also when a batch is repeated or the sink restarted`, async () => {
      const path = `dfs:///contract/${format}`;
      const countStored = async () =>
        (await eddy.read.format(format).option('header', 'true').schema('id BIGINT, word STRING').load(path)).count();
      const batches = [
        eddy.createDataFrame(
          [
            [1, 'a'],
            [2, 'b'],
          ],
          ['id', 'word'],
        ),
        eddy.createDataFrame([[3, 'c']], ['id', 'word']),
      ];
      const { stored } = await checkSinkContract(
        eddy.plugins.sink(format),
        format === 'csv' ? { path, header: 'true' } : { path },
        {
          session: eddy,
          batches,
          countStored,
        },
      );
      expect(stored).toBe(3);
    });
  }

  it('reports a sink that writes a repeated batch again', async () => {
    let stored = 0;
    const forgetful = {
      shortName: 'forgetful',
      createSink: () => ({
        description: 'forgetful',
        addBatch: async (_id: number, df: DataFrame) => void (stored += await df.count()),
      }),
    };
    const batches = [eddy.createDataFrame([[1]], ['x']), eddy.createDataFrame([[2]], ['x'])];
    await expect(
      checkSinkContract(forgetful, {}, { session: eddy, batches, countStored: async () => stored }),
    ).rejects.toThrow(/plugin contract broken: addBatch\(0\) repeated: the sink went from 1 to 2 rows/);
  });
});

describe('the worked example in plugins/README.md', () => {
  it('loads by path, passes the contract kit, and runs a query end to end', async () => {
    const example = join(packageRoot(), 'plugins', 'examples', 'lines-plugin.mjs');
    const session = await Eddy.start({ home: join(home, 'example'), broker: false, plugins: [example] });
    try {
      const input = join(home, 'input.txt');
      const report = await checkSourceContract(
        session.plugins.source('lines'),
        { path: input },
        {
          session,
          addData: (round) => appendFile(input, `line ${round} a\nline ${round} b\n`),
        },
      );
      expect(report.totalRows).toBe(6);
      const out = join(home, 'out.jsonl');
      await checkSinkContract(
        session.plugins.sink('jsonl'),
        { path: out },
        {
          session,
          batches: [session.createDataFrame([['x'], ['y']], ['value']), session.createDataFrame([['z']], ['value'])],
          countStored: async () => (await readFile(out, 'utf8').catch(() => '')).split('\n').filter(Boolean).length,
        },
      );
      const query = await session.readStream
        .format('lines')
        .option('path', input)
        .load()
        .writeStream.format('jsonl')
        .option('path', join(home, 'copy.jsonl'))
        .option('checkpointLocation', join(home, 'cp'))
        .trigger({ availableNow: true })
        .start();
      await query.awaitTermination();
      expect(await readFile(join(home, 'copy.jsonl'), 'utf8')).toBe(
        ['line 0 a', 'line 0 b', 'line 1 a', 'line 1 b', 'line 2 a', 'line 2 b']
          .map((v) => `{"value":"${v}"}\n`)
          .join(''),
      );
    } finally {
      await session.close();
    }
  });
});
