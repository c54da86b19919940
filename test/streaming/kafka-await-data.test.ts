import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kafkaSourceProvider } from '../../plugins/kafka/kafka-source.js';
import { Eddy, KafkaClient } from '../../src/index.js';
import { LocalFileSystem } from '../../src/storage/local.js';

/*
 * The kafka source's awaitData (what an idle query waits on): a long-polling Fetch from the given offsets that the
 * broker answers when a record lands, well before its maxWaitMs — here a minute, beyond the test's timeout, so the
 * test fails unless the record wakes it.
 */

let home: string;
let eddy: Eddy;
let client: KafkaClient;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'eddy-kafka-await-'));
  eddy = await Eddy.start({ home, broker: { config: { 'num.partitions': '2' } } });
  client = await KafkaClient.connect({ bootstrapServers: eddy.broker.bootstrapServers });
});
afterEach(async () => {
  await client.close();
  await eddy.close();
  await rm(home, { recursive: true, force: true });
});

describe('the kafka source waiting for data', () => {
  it('returns when a record arrives after the offsets it waits from', async () => {
    await client.send('t', [
      { value: 'a', partition: 0 },
      { value: 'b', partition: 1 },
    ]);
    const source = kafkaSourceProvider.createSource(
      { 'kafka.bootstrap.servers': eddy.broker.bootstrapServers, subscribe: 't', startingOffsets: 'earliest' },
      { session: eddy },
    );
    try {
      await source.initialize!({ fs: new LocalFileSystem(), metadataDir: join(home, 'source') });
      // From the start there is data: it answers at once.
      await source.awaitData!(null, 60_000);
      const end = await source.latestOffset(null);
      expect(JSON.parse(end!)).toEqual({ t: { 0: 1, 1: 1 } });
      // From the end it waits, until a record lands in either partition.
      let woke = false;
      const waiting = source.awaitData!(end, 60_000).then(() => (woke = true));
      // Nothing has arrived yet, so it is still waiting after a round trip to the broker.
      await client.offsetRange('t');
      expect(woke).toBe(false);
      await client.send('t', [{ value: 'c', partition: 1 }]);
      await waiting;
      expect(woke).toBe(true);
      expect(JSON.parse((await source.latestOffset(end))!)).toEqual({ t: { 0: 1, 1: 2 } });
    } finally {
      await source.stop();
    }
  });
});
