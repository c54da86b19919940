import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../broker/broker.js';
import { packageRoot } from '../common/paths.js';
import { eddyCli } from '../../test/support/eddy-cli.js';

let dir: string;
let broker: Broker;
let bs: string;
const consume = (...args: string[]) => eddyCli(['console-consumer', '--bootstrap-server', bs, ...args]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-cli-consumer-'));
  broker = await startBroker({ port: 0, dataDir: dir, config: { 'group.initial.rebalance.delay.ms': 0 } });
  bs = broker.bootstrapServers;
  const kafka = new kafkajs.Kafka({ brokers: [bs], logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'events',
    messages: Array.from({ length: 10 }, (_, i) => ({ key: i === 9 ? null : `k${i}`, value: `v${i}` })),
  });
  await producer.disconnect();
});

afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

describe('eddy console-consumer', () => {
  it('prints messages from the beginning, one per line, with keys when asked', async () => {
    const r = await consume(
      '--topic',
      'events',
      '--from-beginning',
      '--max-messages',
      '10',
      '--property',
      'print.key=true',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(Array.from({ length: 10 }, (_, i) => `${i === 9 ? 'null' : `k${i}`}\tv${i}\n`).join(''));
    expect(r.stderr).toBe('Processed a total of 10 messages\n');
  });

  it('formats partition, offset and custom separators as Kafka’s DefaultMessageFormatter', async () => {
    const r = await consume(
      '--topic',
      'events',
      '--from-beginning',
      '--max-messages',
      '2',
      '--property',
      'print.partition=true',
      '--property',
      'print.offset=true',
      '--property',
      'print.key=true',
      '--property',
      'key.separator= | ',
    );
    expect(r.stdout).toBe('Partition:0 | Offset:0 | k0 | v0\nPartition:0 | Offset:1 | k1 | v1\n');
  });

  it('resumes a --group where its last run stopped, and --timeout-ms ends a quiet run', async () => {
    const first = await consume('--topic', 'events', '--group', 'resumer', '--from-beginning', '--max-messages', '4');
    expect(first.stdout).toBe('v0\nv1\nv2\nv3\n');
    const rest = await consume('--topic', 'events', '--group', 'resumer', '--from-beginning', '--timeout-ms', '3000');
    expect(rest.code).toBe(0);
    expect(rest.stdout).toBe('v4\nv5\nv6\nv7\nv8\nv9\n');
    expect(rest.stderr).toBe('Processed a total of 6 messages\n');
  });

  it('commits nothing for its throw-away group when no --group is given', async () => {
    await consume('--topic', 'events', '--from-beginning', '--max-messages', '2');
    const admin = new kafkajs.Kafka({ brokers: [bs], logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const throwaway = (await admin.listGroups()).groups.filter((g) => g.groupId.startsWith('console-consumer-'));
      expect(throwaway.length).toBeGreaterThan(0);
      for (const g of throwaway) {
        const offsets = await admin.fetchOffsets({ groupId: g.groupId, topics: ['events'] });
        expect(offsets[0]!.partitions.every((p) => p.offset === '-1')).toBe(true);
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('starts at the end without --from-beginning', async () => {
    const r = await consume('--topic', 'events', '--timeout-ms', '1000');
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'Processed a total of 0 messages\n' });
  });

  it('stops cleanly on Ctrl-C (SIGINT), reporting how many messages it printed', async () => {
    const child = spawn(
      process.execPath,
      [
        join(packageRoot(), 'dist', 'src', 'cli', 'bin.js'),
        'console-consumer',
        '--bootstrap-server',
        bs,
        '--topic',
        'events',
        '--from-beginning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.split('\n').length > 10) resolve();
      }),
    );
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(stdout).toBe(Array.from({ length: 10 }, (_, i) => `v${i}\n`).join(''));
    expect(stderr).toBe('Processed a total of 10 messages\n');
  });

  it('rejects bad flags with one line and documents every flag', async () => {
    const bad = await consume('--topic', 'events', '--max-messages', '-3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('eddy: --max-messages "-3" must be a positive integer\n');
    expect((await consume('--topic', 'events', '--property', 'print.keys=true')).stderr).toContain(
      'unknown --property',
    );
    const help = (await eddyCli(['console-consumer', '--help'])).stdout;
    for (const flag of [
      '--bootstrap-server',
      '--topic',
      '--group',
      '--from-beginning',
      '--max-messages',
      '--timeout-ms',
      '--property',
      'print.key',
    ]) {
      expect(help).toContain(flag);
    }
  });
});
