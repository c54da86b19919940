import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Eddy, startBroker, type Broker, type Row } from '../../src/index.js';
import { eddyCli } from '../support/eddy-cli.js';
import { IRIS_FEATURES, fitIrisPipeline, irisData } from '../support/iris-pipeline.js';

/* `eddy serve` as a user runs it: the built CLI, a model saved in a local folder, a broker on port 0. */

let dir: string;
let broker: Broker;
let eddy: Eddy;
let expected: Row[];
const FEATURES = IRIS_FEATURES;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-cli-serve-'));
  broker = await startBroker({
    port: 0,
    dataDir: join(dir, 'broker'),
    config: { 'group.initial.rebalance.delay.ms': 0 },
  });
  eddy = await Eddy.start({ home: join(dir, 'home'), broker: false, dfs: false });
  const iris = await irisData(eddy);
  const model = await fitIrisPipeline(iris);
  await model.save(join(dir, 'models', 'iris'));
  expected = await model.transform(iris).collect();
  const kafka = new kafkajs.Kafka({ brokers: [broker.bootstrapServers], logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'in',
    messages: [
      ...expected.map((r, i) => ({
        key: String(i),
        value: JSON.stringify(Object.fromEntries(FEATURES.map((c) => [c, r[c]]))),
      })),
      { key: 'bad', value: '{"_c0": 1' },
    ],
  });
  await producer.disconnect();
});
afterAll(async () => {
  await eddy.close();
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

async function topic(name: string): Promise<Row[]> {
  const df = await eddy.read
    .format('kafka')
    .option('kafka.bootstrap.servers', broker.bootstrapServers)
    .option('subscribe', name)
    .load();
  return df.collect();
}

describe('eddy serve', () => {
  it('answers the messages on a topic, dead-letters the bad one, prints progress and exits with --available-now', async () => {
    const base = ['serve', '--model', join(dir, 'models', 'iris'), '--bootstrap-server', broker.bootstrapServers];
    const args = [...base, '--input', 'in', '--output', 'out', '--dead-letter', 'dead', '--available-now'];
    const r = await eddyCli([...args, '--checkpoint', join(dir, 'cp'), '--progress-interval', '0']);
    // The dead-letter topic holds the bad message (checked below), so it is not also warned about.
    expect(r.stderr).not.toContain('WARN');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('message fields: _c0 double, _c1 double, _c2 double, _c3 double');
    expect(r.stdout).toMatch(/serve: 151 messages in .*dead letters 1; total 150 predictions, 1 dead letters/);
    const out = await topic('out');
    expect(out).toHaveLength(150);
    for (const row of out) {
      const i = Number(Buffer.from(row['key'] as Uint8Array).toString());
      const v = JSON.parse(Buffer.from(row['value'] as Uint8Array).toString()) as Record<string, unknown>;
      expect(v['prediction']).toBe(expected[i]!['prediction']);
    }
    const dead = await topic('dead');
    expect(dead).toHaveLength(1);
    const reason = JSON.parse(Buffer.from(dead[0]!['value'] as Uint8Array).toString()) as Record<string, unknown>;
    expect(reason).toMatchObject({ topic: 'in', partition: 0, offset: '150', value: '{"_c0": 1' });
    expect(String(reason['error'])).toMatch(/^not JSON/);

    // Run again on the same checkpoint: nothing new, nothing answered twice.
    const again = await eddyCli([...args, '--checkpoint', join(dir, 'cp'), '--progress-interval', '0']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/total 0 predictions, 0 dead letters/);
    expect(await topic('out')).toHaveLength(150);
  });

  it('refuses missing flags and a bad format with a usage error', async () => {
    const r = await eddyCli(['serve', '--model', 'models/x', '--bootstrap-server', broker.bootstrapServers]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--input is required');
    const f = await eddyCli([
      'serve',
      '--model',
      join(dir, 'models', 'iris'),
      '--bootstrap-server',
      broker.bootstrapServers,
      '--input',
      'in',
      '--output',
      'o2',
      '--format',
      'xml',
      '--checkpoint',
      join(dir, 'cp2'),
    ]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain("unknown message format \"xml\"; use 'json' or 'csv'");
    const base = ['serve', '--model', join(dir, 'models', 'iris'), '--bootstrap-server', broker.bootstrapServers];
    const io = ['--input', 'in', '--output', 'o3', '--checkpoint', join(dir, 'cp3')];
    const both = await eddyCli([...base, ...io, '--sync-checkpoint', '--checkpoint-interval', '5 seconds']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--checkpoint-interval applies without --sync-checkpoint');
    const group = await eddyCli([...base, ...io, '--group', 'g', '--checkpoint-interval', '5 seconds']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('--checkpoint-interval applies to the checkpoint, not to --group');
    // A run that ends commits every batch synchronously: an interval for the background checkpoint makes no sense.
    const ends = await eddyCli([...base, ...io, '--available-now', '--checkpoint-interval', '100']);
    expect(ends.code).not.toBe(0);
    expect(ends.stderr).toContain('checkpointIntervalMs applies to asyncProgressTracking, which is off here');
  });
});
