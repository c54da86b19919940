import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/common/paths.js';
import { buildBatch, readValues } from '../support/record-batch.js';
import { RawClient } from '../support/raw-client.js';

// The standalone broker as a child process (`eddy broker start`, built): config files, clean stop on SIGTERM,
// and crash safety under SIGKILL while acks=all producers are writing.
const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'eddy-standalone-'));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function launch(args: string[]): Promise<{ child: ChildProcess; port: number; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [bin, 'broker', 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.push(() => child.kill('SIGKILL'));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (l) => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`broker exited with ${code}`)));
  });
  return { child, port, exit };
}

type Obj = Record<string, unknown>;
const produceReq = (values: string[]): Obj => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 5000,
  topicData: [
    { name: 'crash', partitionData: [{ index: 0, records: buildBatch(values.map((value) => ({ value }))) }] },
  ],
});

describe('eddy broker start', () => {
  it('reads server.properties and --override, serves clients, and stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    const props = join(dir, 'server.properties');
    writeFileSync(
      props,
      `# Kafka style\nlisteners=PLAINTEXT://127.0.0.1:0\nlog.dirs=${join(dir, 'logs')}\nnum.partitions=3\n`,
    );
    const { child, port, exit } = await launch(['--config', props, '--override', 'auto.create.topics.enable=true']);
    const c = await RawClient.open(port);
    const md = (await c.send(3, 1, { topics: [{ name: 'auto' }] })) as { topics: { partitions: unknown[] }[] };
    expect(md.topics[0]!.partitions.length).toBe(3);
    c.close();
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('keeps every acknowledged acks=all message exactly once across kill -9 and restart', async () => {
    const dir = tempDir();
    const first = await launch(['--port', '0', '--data-dir', dir]);
    const c = await RawClient.open(first.port);
    await c.send(19, 3, {
      topics: [{ name: 'crash', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    const acked = new Map<string, number>();
    let sent = 0;
    let killed = false;
    // Keep 16 produce requests in flight; kill the broker after 150 acknowledgements, mid-stream.
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        if (killed) return;
        const values = Array.from({ length: 10 }, (_, i) => `v${sent}-${i}`);
        sent++;
        c.send(0, 7, produceReq(values)).then(
          (res) => {
            const p = ((res.responses as Obj[])[0]!.partitionResponses as Obj[])[0]!;
            if (p.errorCode === 0) values.forEach((v, i) => acked.set(v, (p.baseOffset as number) + i));
            if (acked.size >= 1500 && !killed) {
              killed = true;
              first.child.kill('SIGKILL');
              resolve();
            } else pump();
          },
          () => resolve(),
        );
      };
      for (let i = 0; i < 16; i++) pump();
    });
    await first.exit;
    c.close();

    const second = await launch(['--port', '0', '--data-dir', dir]);
    const r = await RawClient.open(second.port);
    const seen: { offset: number; value: string | null }[] = [];
    let offset = 0;
    while (true) {
      const res = (await r.send(1, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        topics: [{ topic: 'crash', partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] }],
      })) as { responses: { partitions: { records: Buffer; highWatermark: number }[] }[] };
      const part = res.responses[0]!.partitions[0]!;
      const batch = readValues(part.records).filter((x) => x.offset >= offset);
      if (batch.length === 0) break;
      seen.push(...batch);
      offset = batch[batch.length - 1]!.offset + 1;
    }
    r.close();
    second.child.kill('SIGTERM');
    await second.exit;
    // Offsets are contiguous from 0, no value appears twice, and every acknowledged value is there at its offset.
    expect(seen.map((s) => s.offset)).toEqual(seen.map((_, i) => i));
    const values = seen.map((s) => s.value!);
    expect(new Set(values).size).toBe(values.length);
    const at = new Map(seen.map((s) => [s.value!, s.offset]));
    for (const [v, off] of acked) expect(at.get(v), v).toBe(off);
    expect(acked.size).toBeGreaterThanOrEqual(1500);
  });
});
