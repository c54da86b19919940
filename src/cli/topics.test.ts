import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../broker/broker.js';
import { eddyCli } from '../../test/support/eddy-cli.js';

let dir: string;
let broker: Broker;
let bs: string;
const topics = (...args: string[]) => eddyCli(['topics', '--bootstrap-server', bs, ...args]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-cli-topics-'));
  broker = await startBroker({ port: 0, dataDir: dir });
  bs = broker.bootstrapServers;
});

afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

describe('eddy topics', () => {
  it('creates, lists, describes, alters and deletes topics with kafka-topics.sh output', async () => {
    expect(
      await topics('--create', '--topic', 'orders', '--partitions', '2', '--replication-factor', '1'),
    ).toMatchObject({
      code: 0,
      stdout: 'Created topic orders.\n',
    });
    expect((await topics('--create', '--topic', 'audit', '--config', 'retention.ms=60000')).code).toBe(0);
    expect((await topics('--list')).stdout).toBe('audit\norders\n');
    expect((await topics('--describe', '--topic', 'orders')).stdout).toBe(
      'Topic: orders\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: \n' +
        '\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\n' +
        '\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\n',
    );
    const all = (await topics('--describe')).stdout;
    expect(all).toContain('Topic: audit\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: retention.ms=60000\n');
    expect(all.indexOf('Topic: audit')).toBeLessThan(all.indexOf('Topic: orders'));

    expect((await topics('--alter', '--topic', 'orders', '--partitions', '4')).code).toBe(0);
    expect((await topics('--describe', '--topic', 'orders')).stdout).toContain('PartitionCount: 4');

    expect((await topics('--delete', '--topic', 'audit')).code).toBe(0);
    expect((await topics('--list')).stdout).toBe('orders\n');
  });

  it('fails with one clear line and a non-zero exit on an existing or missing topic, unless told not to', async () => {
    await topics('--create', '--topic', 'dup');
    const again = await topics('--create', '--topic', 'dup');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("eddy: Topic 'dup' already exists.\n");
    expect((await topics('--create', '--topic', 'dup', '--if-not-exists')).code).toBe(0);
    const missing = await topics('--delete', '--topic', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("eddy: Topic 'nope' does not exist as expected\n");
    expect((await topics('--delete', '--topic', 'nope', '--if-exists')).code).toBe(0);
    expect((await topics('--describe', '--topic', 'nope')).code).toBe(1);
    // The broker's reason reaches the user, not just "it failed".
    const rf = await topics('--create', '--topic', 'replicated', '--replication-factor', '3');
    expect(rf.code).toBe(1);
    expect(rf.stderr).toBe(
      'eddy: topics --create replicated failed: Replication-factor is invalid (INVALID_REPLICATION_FACTOR)\n',
    );
  });

  it('rejects bad usage and unreachable brokers with a message naming the problem', async () => {
    const none = await topics();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give exactly one of --create, --list, --describe, --delete, --alter');
    expect((await topics('--create')).stderr).toContain('--create needs --topic');
    expect((await topics('--create', '--topic', 'x', '--partitions', 'zero')).stderr).toContain(
      '--partitions "zero" must be a positive integer',
    );
    const noServer = await eddyCli(['topics', '--list']);
    expect(noServer.stderr).toContain('missing required option --bootstrap-server');
    const down = await eddyCli(['topics', '--bootstrap-server', '127.0.0.1:1', '--list']);
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toContain('is a broker running at 127.0.0.1:1?');
  });

  it('explains every flag in --help', async () => {
    const help = (await eddyCli(['topics', '--help'])).stdout;
    for (const flag of [
      '--bootstrap-server',
      '--create',
      '--list',
      '--describe',
      '--delete',
      '--alter',
      '--topic',
      '--partitions',
      '--replication-factor',
      '--config',
      '--if-not-exists',
      '--if-exists',
    ]) {
      expect(help).toContain(flag);
    }
  });
});
