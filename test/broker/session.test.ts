import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { Eddy, isEddyError } from '../../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Eddy.start and the embedded broker', () => {
  it('starts a broker under <home>/broker that kafkajs can use, and stops it on close', async () => {
    const home = mkdtempSync(join(tmpdir(), 'eddy-home-'));
    dirs.push(home);
    const eddy = await Eddy.start({ home });
    try {
      expect(eddy.broker.bootstrapServers).toMatch(/^127\.0\.0\.1:\d+$/);
      const kafka = new Kafka({ brokers: [eddy.broker.bootstrapServers], logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'testTopic', messages: [{ value: 'hello world' }] });
      await producer.disconnect();
      expect(existsSync(join(home, 'broker', 'testTopic-0', '00000000000000000000.log'))).toBe(true);
    } finally {
      await eddy.close();
    }
  });

  it('starts no broker with broker: false', async () => {
    const home = mkdtempSync(join(tmpdir(), 'eddy-home-'));
    dirs.push(home);
    const eddy = await Eddy.start({ home, broker: false });
    let err: unknown;
    try {
      void eddy.broker;
    } catch (e) {
      err = e;
    }
    expect(isEddyError(err, 'ILLEGAL_STATE')).toBe(true);
    await eddy.close();
    expect(existsSync(join(home, 'broker'))).toBe(false);
  });
});
