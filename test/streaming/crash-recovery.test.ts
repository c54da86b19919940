import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import kafkajs from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/common/paths.js';
import { Eddy, startBroker, type Broker } from '../../src/index.js';

/*
 * A streaming query killed with SIGKILL in the middle of its work, then restarted on the same checkpoint: the JSON
 * file sink on dfs:// ends with every input message exactly once. The query runs in a child process (the built
 * package) against a broker in this process.
 */

const { Kafka, logLevel } = kafkajs;
const child = join(packageRoot(), 'test', 'fixtures', 'stream-to-json.mjs');
let dir: string;
let broker: Broker;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-stream-crash-'));
  broker = await startBroker({ port: 0, dataDir: join(dir, 'broker') });
});
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

function runQuery(trigger: 'processingTime' | 'availableNow', dieAfterBatch?: number) {
  const args = [child, join(dir, 'home'), broker.bootstrapServers, 'messages', trigger];
  if (dieAfterBatch !== undefined) args.push(String(dieAfterBatch));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const batches: number[] = [];
  const waiters: [number, () => void][] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const m = /^batch (\d+) (\d+)$/.exec(line);
    if (!m) return;
    batches.push(Number(m[1]));
    for (const [n, resolve] of waiters) if (batches.length >= n) resolve();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    batches,
    exited,
    stderr: () => stderr,
    /** Resolves once the query has completed `n` batches in this run. */
    batchesDone: (n: number) =>
      new Promise<void>((resolve, reject) => {
        if (batches.length >= n) return resolve();
        waiters.push([n, resolve]);
        void exited.then(() => reject(new Error(`query exited after ${batches.length} batches: ${stderr}`)));
      }),
  };
}

describe('streaming query crash recovery', () => {
  it('after kill -9 mid-stream and a restart, the file sink holds every message exactly once', async () => {
    const kafka = new Kafka({ clientId: 'crash-test', brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'messages', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const sent: string[] = [];
    const send = async (from: number, to: number) => {
      const messages = [];
      for (let i = from; i < to; i++) {
        sent.push(`m${i}`);
        messages.push({ value: `m${i}`, partition: i % 2 });
      }
      await producer.send({ topic: 'messages', messages });
    };

    await send(0, 1000);
    // maxOffsetsPerTrigger 200 makes several batches. The first run dies right after the sink has written batch 2
    // and before that batch's commit is recorded: the restart must run batch 2 again without writing it twice.
    const first = runQuery('processingTime', 2);
    expect(await first.exited).toBe(null);
    expect(first.batches).toEqual([0, 1]);
    // The second run is killed from outside at whatever point it has reached after one more batch.
    await send(1000, 1300);
    const second = runQuery('processingTime');
    await second.batchesDone(1);
    second.proc.kill('SIGKILL');
    expect(await second.exited).toBe(null);

    await send(1300, 1500);
    const last = runQuery('availableNow');
    expect(await last.exited).toBe(0);
    // The killed process's store lock is taken over, and nothing else is complained about.
    expect(last.stderr()).toMatch(/taking over .*in_use\.lock: its owner \(pid \d+\) is gone/);
    expect(last.stderr()).not.toMatch(/ERROR/);
    await producer.disconnect();

    const eddy = await Eddy.start({ home: join(dir, 'home'), broker: false });
    try {
      const rows = await (await eddy.read.json('dfs:///out/messages')).collect();
      const values = rows.map((r) => r['value'] as string);
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(values.sort()).toEqual([...sent].sort());
    } finally {
      await eddy.close();
    }
  }, 120_000);
});
