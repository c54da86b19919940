import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/common/paths.js';
import { KafkaClient, startBroker, type Broker } from '../../src/index.js';
import { IRIS_FEATURES, saveIrisModel } from '../support/iris-pipeline.js';

/*
 * `eddy serve` on its checkpointed path, with async progress tracking (the default), SIGKILLed while messages keep
 * arriving, then restarted on the same checkpoint: every input offset is answered at least once. A graceful stop
 * (SIGTERM) logs the last batch, so a run after it answers nothing again.
 */

const FEATURES = IRIS_FEATURES;
const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');
let dir: string;
let broker: Broker;
let client: KafkaClient;
let rows: Record<string, unknown>[];
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-serve-crash-'));
  broker = await startBroker({ port: 0, dataDir: join(dir, 'broker') });
  rows = await saveIrisModel(dir);
  const admin = new kafkajs.Kafka({ brokers: [broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'in', numPartitions: 2 }, { topic: 'out' }] });
  await admin.disconnect();
  client = await KafkaClient.connect({ bootstrapServers: broker.bootstrapServers, clientId: 'crash-test' });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await client.close();
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

function serveInstance(extra = ['--checkpoint-interval', '50']): {
  proc: ChildProcess;
  exited: Promise<number | null>;
} {
  const args = ['serve', '--model', join(dir, 'models', 'iris'), '--bootstrap-server', broker.bootstrapServers];
  args.push('--input', 'in', '--output', 'out', '--checkpoint', join(dir, 'cp'));
  args.push('--progress-interval', '0', '--home', join(dir, 'serve-home'), ...extra);
  const proc = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: 'ignore' });
  children.push(proc);
  return { proc, exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))) };
}

let sent = 0;
async function produce(n: number): Promise<void> {
  const messages = [];
  for (let k = 0; k < n; k++, sent++) {
    const r = rows[sent % rows.length]!;
    messages.push({
      key: String(sent),
      partition: sent % 2,
      value: JSON.stringify(Object.fromEntries(FEATURES.map((c) => [c, r[c]]))),
    });
  }
  await client.send('in', messages);
}

/** Every answer on `out` so far: how many times each input key was answered. */
async function answers(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { partition, low, high } of await client.offsetRange('out')) {
    let offset = low;
    while (offset < high) {
      const [res] = await client.fetch([{ topic: 'out', partition, offset, untilOffset: high }], { maxWaitMs: 100 });
      const recs = res!.records;
      for (let i = 0; i < recs.count; i++) {
        const key = recs.keys[i]!.toString();
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      offset = recs.nextOffset;
    }
  }
  return counts;
}

/** Polls the broker (there is no event to await from another process) until `check` holds, for at most `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('eddy serve with async progress tracking', () => {
  it('after kill -9 under load and a restart, every input offset is answered at least once', async () => {
    await produce(200);
    const first = serveInstance();
    // Messages keep arriving while the first instance serves; it is killed in the middle of that.
    let producing = true;
    const load = (async () => {
      while (producing) {
        await produce(20);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    // Killed once it has answered 300 and logged some progress, so the restart resumes mid-stream.
    const commits = async () => (await readdir(join(dir, 'cp', 'commits')).catch(() => [])).length;
    await until('300 answers and a durable commit', async () => (await answers()).size >= 300 && (await commits()) > 0);
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBe(null);
    producing = false;
    await load;
    await produce(100);

    const second = serveInstance();
    await until(`all ${sent} messages answered`, async () => (await answers()).size >= sent);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const counts = await answers();
    for (let i = 0; i < sent; i++) expect(counts.get(String(i)) ?? 0).toBeGreaterThanOrEqual(1);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);

    // The graceful stop logged its last batch: a run with the synchronous checkpoint resumes there and answers
    // only what came after (reading a log with gaps left by async progress tracking).
    await produce(10);
    const third = serveInstance(['--available-now']);
    expect(await third.exited).toBe(0);
    const after = await answers();
    expect([...after.values()].reduce((a, b) => a + b, 0)).toBe(total + 10);
    for (let i = sent - 10; i < sent; i++) expect(after.get(String(i))).toBe(1);
  }, 120_000);
});
