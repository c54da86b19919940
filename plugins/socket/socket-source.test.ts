import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy, col, explode, split, type Row } from '../../src/index.js';

let home: string;
let eddy: Eddy;
let server: Server;
let port: number;
let connected: Promise<Socket>;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-socket-'));
  eddy = await Eddy.start({ home, broker: false, dfs: false });
  // The line server a user would run as `nc -lk PORT`.
  server = createServer();
  connected = new Promise((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterEach(async () => {
  await eddy.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(home, { recursive: true, force: true });
});

const byWord = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r['word'], Number(r['count'])]));

describe('socket source', () => {
  it('counts words of lines sent to it, as the nc -lk word count does', async () => {
    const counts = eddy.readStream
      .format('socket')
      .option('host', '127.0.0.1')
      .option('port', port)
      .load()
      .select(explode(split(col('value'), ' ')).alias('word'))
      .groupBy('word')
      .count();
    const q = await counts.writeStream.outputMode('complete').format('memory').queryName('sock').start();
    const peer = await connected;
    // Lines arrive over TCP in their own time: wait until the query has read as many lines as were sent.
    let seen = 0;
    const waiting: [number, () => void][] = [];
    eddy.streams.addListener({
      onQueryProgress: (e) => {
        seen += e.progress.numInputRows;
        for (const [n, resolve] of waiting) if (seen >= n) resolve();
      },
    });
    const linesRead = (n: number) => new Promise<void>((resolve) => waiting.push([n, resolve]));
    peer.write('to be or\nnot to be\r\n');
    await linesRead(2);
    peer.write('be quick\n');
    await linesRead(3);
    expect(byWord(await eddy.table('sock').collect())).toEqual({ to: 2, be: 3, or: 1, not: 1, quick: 1 });
    await q.stop();
    peer.destroy();
  });

  it('says what is wrong with its options, and when it cannot connect', async () => {
    expect(() => eddy.readStream.format('socket').option('host', 'localhost').load()).toThrow(
      /needs .option\('host', 'localhost'\).option\('port', 9999\)/,
    );
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const q = await eddy.readStream
      .format('socket')
      .option('host', '127.0.0.1')
      .option('port', closed)
      .load()
      .writeStream.format('memory')
      .queryName('nothing')
      .start();
    await expect(q.awaitTermination()).rejects.toThrow(/cannot connect to the socket source at 127.0.0.1:\d+/);
  });
});
