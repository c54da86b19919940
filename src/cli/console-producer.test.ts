import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../broker/broker.js';
import { eddyCli } from '../../test/support/eddy-cli.js';

let dir: string;
let broker: Broker;
let bs: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-cli-producer-'));
  broker = await startBroker({ port: 0, dataDir: dir, config: { 'group.initial.rebalance.delay.ms': 0 } });
  bs = broker.bootstrapServers;
});

afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

/** Reads a single-partition topic from the start with a plain kafkajs consumer, independent of Eddy's tools. */
async function readTopic(topic: string, n: number): Promise<{ key: string | null; value: string }[]> {
  const kafka = new kafkajs.Kafka({ brokers: [bs], logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `check-${topic}`, maxWaitTimeInMs: 200 });
  const got: { key: string | null; value: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push({ key: message.key?.toString() ?? null, value: message.value!.toString() });
        if (got.length === n) resolve();
      },
    });
  });
  await consumer.disconnect();
  return got;
}

describe('eddy console-producer', () => {
  it('sends each line of standard input as one message, in order', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) => `line ${i}`);
    const r = await eddyCli(['console-producer', '--bootstrap-server', bs, '--topic', 'plain'], {
      input: lines.join('\n') + '\n',
    });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const got = await readTopic('plain', lines.length);
    expect(got.map((m) => m.value)).toEqual(lines);
    expect(got.every((m) => m.key === null)).toBe(true);
  });

  it('splits keys off with parse.key and key.separator, and accepts --broker-list', async () => {
    const r = await eddyCli(
      [
        'console-producer',
        '--broker-list',
        bs,
        '--topic',
        'keyed',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
      ],
      { input: 'user1:login\nuser2:buy:book\n' },
    );
    expect(r.code).toBe(0);
    expect(await readTopic('keyed', 2)).toEqual([
      { key: 'user1', value: 'login' },
      { key: 'user2', value: 'buy:book' },
    ]);
  });

  it('stops at a line without the separator, naming it, after sending the lines before it', async () => {
    const r = await eddyCli(
      ['console-producer', '--bootstrap-server', bs, '--topic', 'partial', '--property', 'parse.key=true'],
      { input: 'a\t1\nb\t2\nno separator here\nc\t3\n' },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(
      'eddy: No key separator found on line number 3: "no separator here"; lines before it were sent ' +
        '(use --property key.separator=... or ignore.error=true)\n',
    );
    expect(await readTopic('partial', 2)).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
  });

  it('rejects unknown properties and a missing topic, and documents its flags', async () => {
    const bad = await eddyCli([
      'console-producer',
      '--bootstrap-server',
      bs,
      '--topic',
      't',
      '--property',
      'parse.keys=true',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown --property "parse.keys"');
    expect((await eddyCli(['console-producer', '--bootstrap-server', bs])).stderr).toContain('needs --topic');
    const help = (await eddyCli(['console-producer', '--help'])).stdout;
    for (const flag of [
      '--bootstrap-server',
      '--broker-list',
      '--topic',
      '--property',
      'parse.key',
      'key.separator',
      '--request-required-acks',
    ]) {
      expect(help).toContain(flag);
    }
  });
});
