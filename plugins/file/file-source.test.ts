import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, checkSourceContract, col, parseSchema, sum, type Row } from '../../src/index.js';

let home: string;
let eddy: Eddy;
let incoming: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-file-source-'));
  eddy = await Eddy.start({ home, broker: false });
  incoming = join(home, 'incoming');
  await mkdir(incoming);
});
afterEach(async () => {
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

/** Writes a CSV file with a given modification time (seconds), so the order files are taken in is known. */
async function drop(name: string, lines: string[], mtime: number): Promise<void> {
  const path = join(incoming, name);
  await writeFile(path, lines.join('\n') + '\n');
  await utimes(path, mtime, mtime);
}

const byWord = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r['word'], Number(r['total'])]));

describe('file source', () => {
  it('picks up new files in a watched folder, oldest first, maxFilesPerTrigger at a time, across a restart', async () => {
    await drop('b.csv', ['fox,2', 'dog,1'], 2000);
    await drop('a.csv', ['fox,1'], 1000);
    await drop('_ignored.csv', ['cat,100'], 500);
    const totals = () =>
      eddy.readStream
        .format('csv')
        .schema('word STRING, n INT')
        .option('maxFilesPerTrigger', 1)
        .load(incoming)
        .groupBy('word')
        .agg(sum(col('n')).alias('total'));
    const start = () =>
      totals()
        .writeStream.outputMode('complete')
        .format('memory')
        .queryName('totals')
        .option('checkpointLocation', 'dfs:///checkpoints/file-source')
        .start();
    let q = await start();
    await q.processAllAvailable();
    expect(q.recentProgress.map((p) => p.numInputRows)).toEqual([1, 2]);
    expect(byWord(await eddy.table('totals').collect())).toEqual({ fox: 3, dog: 1 });
    await q.stop();

    await drop('c.csv', ['dog,5', 'emu,1'], 3000);
    q = await start();
    await q.processAllAvailable();
    await q.stop();
    // Only the new file was read after the restart; the counts continue from the checkpointed state.
    expect(q.recentProgress.map((p) => [p.batchId, p.numInputRows])).toEqual([[2, 2]]);
    expect(byWord(await eddy.table('totals').collect())).toEqual({ fox: 3, dog: 6, emu: 1 });
  });

  it('keeps the contract: the same range gives the same rows', async () => {
    const report = await checkSourceContract(
      eddy.plugins.source('json'),
      {},
      {
        session: eddy,
        path: incoming,
        userSchema: parseSchema('id BIGINT'),
        addData: async (round) => {
          await writeFile(join(incoming, `part-${round}.json`), `{"id":${round}}\n{"id":${round + 100}}\n`);
          await utimes(join(incoming, `part-${round}.json`), 1000 + round, 1000 + round);
        },
      },
    );
    expect(report.batches.map((b) => b[1])).toEqual(['1', '2', '3']);
    expect(report.totalRows).toBe(6);
  });

  it('needs a schema and a folder, as Spark does', () => {
    expect(() => eddy.readStream.format('csv').load(incoming)).toThrow(
      /Schema must be specified when creating a streaming source DataFrame from csv files/,
    );
    expect(() => eddy.readStream.format('parquet').schema('a INT').load()).toThrow(/needs the folder to watch/);
    expect(() => eddy.readStream.format('json').schema('a INT').option('maxFilesPerTrigger', 0).load(incoming)).toThrow(
      /maxFilesPerTrigger "0" must be a positive integer/,
    );
  });
});
