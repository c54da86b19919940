import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEddyError } from '../common/errors.js';
import { LocalFileSystem } from '../storage/local.js';
import type { BatchContext, StreamPlan, StreamSink, StreamSource } from './contracts.js';
import { StreamingQueryManager } from './manager.js';
import type { StreamingQueryProgress } from './progress.js';
import { StateStore } from './state/state-store.js';
import { parseTrigger } from './trigger.js';

/*
 * The engine is generic in the data it moves; these tests run it with rows as plain arrays, a source that tails a
 * real file on disk (offsets are byte positions, so a range always yields the same lines), a sink that writes one
 * real file per batch, and a stateful word count over a real StateStore.
 */

type Rows = string[];
const fs = new LocalFileSystem();
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-stream-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

class FileLinesSource implements StreamSource<Rows> {
  readonly description: string;
  stopped = false;
  committed: string | null = null;
  constructor(
    private readonly path: string,
    private readonly maxLinesPerTrigger = Infinity,
  ) {
    this.description = `FileLines[${path}]`;
  }
  private async text(): Promise<string> {
    return (await readFile(this.path, 'utf8').catch(() => '')) as string;
  }
  async latestOffset(start: string | null): Promise<string | null> {
    const text = await this.text();
    const from = start === null ? 0 : Number(start);
    let end = from;
    let lines = 0;
    while (lines < this.maxLinesPerTrigger) {
      const nl = text.indexOf('\n', end);
      if (nl < 0) break;
      end = nl + 1;
      lines++;
    }
    return end === 0 ? null : String(end);
  }
  async getBatch(start: string | null, end: string | null): Promise<Rows> {
    if (end === null) return [];
    const text = await this.text();
    return text
      .slice(start === null ? 0 : Number(start), Number(end))
      .split('\n')
      .filter((l) => l !== '');
  }
  async commit(end: string): Promise<void> {
    this.committed = end;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

/** Writes each batch to <out>/<batchId>.json; a batch id it has seen adds nothing. */
class FilePerBatchSink implements StreamSink<Rows> {
  readonly description = 'FilePerBatch';
  failOnBatch: number | null = null;
  constructor(private readonly out: string) {}
  async addBatch(batchId: number, rows: Rows): Promise<void> {
    if (batchId === this.failOnBatch) throw new Error(`disk on fire in batch ${batchId}`);
    const path = `${this.out}/${batchId}.json`;
    if (await fs.exists(path)) return;
    await fs.writeFile(path, JSON.stringify(rows));
  }
}

const upper: StreamPlan<Rows> = {
  statefulOperators: [],
  rowCount: (r) => r.length,
  async execute(inputs) {
    return { output: inputs.flat().map((l) => l.toUpperCase()) };
  },
};

/** Running word counts kept in a StateStore; emits the counts changed by the batch (update mode). */
function wordCount(): StreamPlan<Rows> {
  return {
    statefulOperators: ['wordCount'],
    rowCount: (r) => r.length,
    async execute(inputs, ctx: BatchContext) {
      const store = await StateStore.load(fs, ctx.checkpoint.stateDir(0, 0), ctx.batchId);
      const changed = new Set<string>();
      for (const line of inputs.flat()) {
        for (const w of line.split(' ')) {
          store.put(w, ((store.get(w) as number | undefined) ?? 0) + 1);
          changed.add(w);
        }
      }
      await store.commit();
      return {
        output: [...changed].sort().map((w) => `${w}=${store.get(w) as number}`),
        stateOperators: [
          {
            operatorName: 'wordCount',
            numRowsTotal: store.size,
            numRowsUpdated: store.numUpdated,
            numRowsRemoved: 0,
            numRowsDroppedByWatermark: 0,
            numShufflePartitions: 1,
            numStateStoreInstances: 1,
          },
        ],
      };
    },
  };
}

async function outputs(out: string): Promise<Record<number, Rows>> {
  const files = (await readdir(out).catch(() => [])).filter((f) => f.endsWith('.json'));
  const all: Record<number, Rows> = {};
  for (const f of files) all[Number(f.slice(0, -5))] = JSON.parse(await readFile(join(out, f), 'utf8')) as Rows;
  return all;
}

describe('micro-batch engine', () => {
  it('runs batches as data arrives, checkpoints offsets before and commits after, and reports progress', async () => {
    const input = join(dir, 'in.txt');
    await writeFile(input, 'a b\nc\n');
    const manager = new StreamingQueryManager();
    const events: string[] = [];
    const progresses: StreamingQueryProgress[] = [];
    manager.addListener({
      onQueryStarted: () => events.push('started'),
      onQueryProgress: (e) => progresses.push(e.progress),
      onQueryTerminated: (e) => events.push(`terminated:${e.exception}`),
    });
    const source = new FileLinesSource(input);
    const q = await manager.startQuery({
      name: 'upper',
      sources: [source],
      plan: upper,
      sink: new FilePerBatchSink(dir),
      trigger: parseTrigger(undefined),
      outputMode: 'append',
      checkpointFs: fs,
      checkpointDir: join(dir, 'cp'),
    });
    await q.processAllAvailable();
    await appendFile(input, 'd e\n');
    await q.processAllAvailable();
    expect(q.isActive).toBe(true);
    expect(manager.active).toContain(q);
    await q.stop();
    expect(q.isActive).toBe(false);
    expect(source.stopped).toBe(true);
    expect(await outputs(dir)).toEqual({ 0: ['A B', 'C'], 1: ['D E'] });
    expect(await readFile(join(dir, 'cp', 'offsets', '1'), 'utf8')).toMatch(
      /^v1\n\{"batchWatermarkMs":0,"batchTimestampMs":\d+,"conf":\{\}\}\n10$/,
    );
    expect(await readFile(join(dir, 'cp', 'commits', '1'), 'utf8')).toBe('v1\n{"nextBatchWatermarkMs":0}');
    expect(source.committed).toBe('10');
    expect(progresses.map((p) => [p.batchId, p.numInputRows, p.sink.numOutputRows])).toEqual([
      [0, 2, 2],
      [1, 1, 1],
    ]);
    const p = q.lastProgress!;
    expect(p.id).toBe(q.id);
    expect(p.runId).toBe(q.runId);
    expect(p.name).toBe('upper');
    expect(p.sources[0]).toMatchObject({
      description: `FileLines[${input}]`,
      startOffset: 6,
      endOffset: 10,
      numInputRows: 1,
    });
    expect(Object.keys(p.durationMs)).toEqual(
      expect.arrayContaining([
        'latestOffset',
        'walCommit',
        'getBatch',
        'addBatch',
        'commitOffsets',
        'triggerExecution',
      ]),
    );
    expect(events).toEqual(['started', 'terminated:null']);
    expect(await q.awaitTermination()).toBe(true);
  });

  it('a trigger once runs one batch and ends; availableNow drains in several batches and ends', async () => {
    const input = join(dir, 'in.txt');
    await writeFile(input, 'l1\nl2\nl3\nl4\nl5\n');
    const manager = new StreamingQueryManager();
    const once = await manager.startQuery({
      sources: [new FileLinesSource(input, 2)],
      plan: upper,
      sink: new FilePerBatchSink(join(dir, 'once')),
      trigger: parseTrigger({ once: true }),
      outputMode: 'append',
      checkpointFs: fs,
      checkpointDir: join(dir, 'cp-once'),
    });
    expect(await once.awaitTermination(30_000)).toBe(true);
    expect(Object.keys(await outputs(join(dir, 'once')))).toHaveLength(1);

    await fs.mkdirs(join(dir, 'now'));
    const now = await manager.startQuery({
      sources: [new FileLinesSource(input, 2)],
      plan: upper,
      sink: new FilePerBatchSink(join(dir, 'now')),
      trigger: parseTrigger({ availableNow: true }),
      outputMode: 'append',
      checkpointFs: fs,
      checkpointDir: join(dir, 'cp-now'),
    });
    expect(await now.awaitTermination(30_000)).toBe(true);
    expect(await outputs(join(dir, 'now'))).toEqual({ 0: ['L1', 'L2'], 1: ['L3', 'L4'], 2: ['L5'] });
  });

  it('after a failed batch, a restart re-runs it with the same offsets and the output stays exactly once', async () => {
    const input = join(dir, 'in.txt');
    const out = join(dir, 'out');
    await fs.mkdirs(out);
    await writeFile(input, 'one\n');
    const manager = new StreamingQueryManager();
    const sink = new FilePerBatchSink(out);
    const def = {
      sources: [new FileLinesSource(input)],
      plan: upper,
      sink,
      trigger: parseTrigger(undefined),
      outputMode: 'append',
      checkpointFs: fs,
      checkpointDir: join(dir, 'cp'),
    };
    const first = await manager.startQuery(def);
    await first.processAllAvailable();
    sink.failOnBatch = 1;
    await appendFile(input, 'two\nthree\n');
    await expect(first.awaitTermination()).rejects.toThrow(/disk on fire in batch 1/);
    expect(isEddyError(first.exception())).toBe(true);
    await expect(manager.awaitAnyTermination()).rejects.toThrow(/disk on fire/);
    // The offsets of batch 1 were logged before it ran; more data arrives while the query is down.
    await appendFile(input, 'four\n');
    sink.failOnBatch = null;
    const second = await manager.startQuery({ ...def, sources: [new FileLinesSource(input)] });
    expect(second.id).toBe(first.id);
    await second.processAllAvailable();
    await second.stop();
    expect(await outputs(out)).toEqual({ 0: ['ONE'], 1: ['TWO', 'THREE'], 2: ['FOUR'] });
  });

  it('keeps state across restarts through the state store', async () => {
    const input = join(dir, 'in.txt');
    const out = join(dir, 'out');
    await fs.mkdirs(out);
    await writeFile(input, 'a b a\n');
    const manager = new StreamingQueryManager();
    const def = () => ({
      sources: [new FileLinesSource(input)],
      plan: wordCount(),
      sink: new FilePerBatchSink(out),
      trigger: parseTrigger(undefined),
      outputMode: 'update',
      checkpointFs: fs,
      checkpointDir: join(dir, 'cp'),
    });
    const q1 = await manager.startQuery(def());
    await q1.processAllAvailable();
    expect(q1.lastProgress!.stateOperators[0]).toMatchObject({ numRowsTotal: 2, numRowsUpdated: 2 });
    await q1.stop();
    await appendFile(input, 'b c\n');
    const q2 = await manager.startQuery(def());
    await q2.processAllAvailable();
    await q2.stop();
    expect(await outputs(out)).toEqual({ 0: ['a=2', 'b=1'], 1: ['b=2', 'c=1'] });
  });

  it('refuses a checkpoint written by an incompatible query, and a second query on an active checkpoint', async () => {
    const input = join(dir, 'in.txt');
    await writeFile(input, 'x\n');
    const manager = new StreamingQueryManager();
    const base = {
      sources: [new FileLinesSource(input)],
      sink: new FilePerBatchSink(dir),
      trigger: parseTrigger({ once: true }),
      checkpointFs: fs,
      checkpointDir: join(dir, 'cp'),
    };
    const q = await manager.startQuery({ ...base, plan: upper, outputMode: 'append' });
    await q.awaitTermination();
    await expect(manager.startQuery({ ...base, plan: wordCount(), outputMode: 'update' })).rejects.toThrow(
      /incompatible query: stateful operators were \[\], now \[wordCount\]; output mode was append, now update/,
    );
    const running = await manager.startQuery({
      ...base,
      plan: upper,
      outputMode: 'append',
      trigger: parseTrigger(undefined),
    });
    await expect(manager.startQuery({ ...base, plan: upper, outputMode: 'append' })).rejects.toThrow(/already active/);
    await running.stop();
  });

  it('advances the watermark from event times and runs a no-data batch so stateful operators see it', async () => {
    const input = join(dir, 'in.txt');
    await writeFile(input, '10000 a\n4000 b\n');
    const seen: { batchId: number; watermarkMs: number; noDataBatch: boolean }[] = [];
    const plan: StreamPlan<Rows> = {
      statefulOperators: ['windowAgg'],
      watermarkDelayMs: 2000,
      rowCount: (r) => r.length,
      async execute(inputs, ctx) {
        seen.push({ batchId: ctx.batchId, watermarkMs: ctx.watermarkMs, noDataBatch: ctx.noDataBatch });
        const times = inputs.flat().map((l) => Number(l.split(' ')[0]));
        const eventTime =
          times.length === 0
            ? undefined
            : {
                min: Math.min(...times),
                max: Math.max(...times),
                sum: times.reduce((a, b) => a + b, 0),
                count: times.length,
              };
        return eventTime ? { output: inputs.flat(), eventTime } : { output: [] };
      },
    };
    const manager = new StreamingQueryManager();
    const noDataBatchDone = new Promise<void>((resolve) =>
      manager.addListener({ onQueryProgress: (e) => e.progress.batchId === 1 && resolve() }),
    );
    const q = await manager.startQuery({
      sources: [new FileLinesSource(input)],
      plan,
      sink: new FilePerBatchSink(join(dir, 'out')),
      trigger: parseTrigger(undefined),
      outputMode: 'append',
      checkpointFs: fs,
      checkpointDir: join(dir, 'cp'),
    });
    await q.processAllAvailable();
    await noDataBatchDone;
    await appendFile(input, '9000 c\n');
    await q.processAllAvailable();
    await q.stop();
    expect(seen).toEqual([
      { batchId: 0, watermarkMs: 0, noDataBatch: false },
      { batchId: 1, watermarkMs: 8000, noDataBatch: true },
      { batchId: 2, watermarkMs: 8000, noDataBatch: false },
    ]);
    expect(q.recentProgress[0]!.eventTime).toEqual({
      min: new Date(4000).toISOString(),
      max: new Date(10000).toISOString(),
      avg: new Date(7000).toISOString(),
      watermark: new Date(0).toISOString(),
    });
    expect(await readFile(join(dir, 'cp', 'commits', '0'), 'utf8')).toBe('v1\n{"nextBatchWatermarkMs":8000}');
  });

  it('rejects malformed triggers naming them', () => {
    expect(() => parseTrigger({ processingTime: 'often' })).toThrow(/trigger processingTime "often"/);
    expect(() => parseTrigger({ once: true, availableNow: true } as never)).toThrow(/exactly one/);
    expect(parseTrigger({ processingTime: '15 seconds' })).toEqual({ kind: 'processingTime', intervalMs: 15_000 });
  });
});

describe('state store', () => {
  it('rebuilds any committed version from snapshots and deltas, and reports a missing delta', async () => {
    const sdir = join(dir, 'state');
    let version = 0;
    for (let batch = 0; batch < 25; batch++) {
      const s = await StateStore.load(fs, sdir, version, { snapshotInterval: 10 });
      s.put(`k${batch}`, batch);
      if (batch % 3 === 0 && batch > 0) s.remove(`k${batch - 1}`);
      version = await s.commit();
    }
    const at25 = await StateStore.load(fs, sdir, 25, { snapshotInterval: 10 });
    const expected = new Map<string, number>();
    for (let batch = 0; batch < 25; batch++) {
      expected.set(`k${batch}`, batch);
      if (batch % 3 === 0 && batch > 0) expected.delete(`k${batch - 1}`);
    }
    expect(new Map(at25.entries())).toEqual(expected);
    const at12 = await StateStore.load(fs, sdir, 12, { snapshotInterval: 10 });
    expect(at12.get('k11')).toBe(11);
    expect(at12.has('k12')).toBe(false);
    await at25.purge(20);
    expect((await readdir(sdir)).some((n) => n === '5.delta')).toBe(false);
    expect((await StateStore.load(fs, sdir, 25)).size).toBe(expected.size);
    await rm(join(sdir, '22.delta'));
    await expect(StateStore.load(fs, sdir, 25)).rejects.toThrow(
      /state version 25 cannot be rebuilt: .*22\.delta is missing/,
    );
  });
});
