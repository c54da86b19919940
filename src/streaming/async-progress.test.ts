import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Eddy } from '../index.js';
import { LocalFileSystem } from '../storage/local.js';
import type { StreamPlan, StreamSink, StreamSource } from './contracts.js';
import { StreamingQueryManager } from './manager.js';
import type { QueryDefinition } from './query.js';
import { parseTrigger } from './trigger.js';

/*
 * Async progress tracking (Spark's asyncProgressTrackingEnabled) on the engine: rows are numbers, the source is an
 * array whose offsets are lengths (a range always returns the same rows), the sink records what it was given.
 */

type Rows = number[];
const fs = new LocalFileSystem();
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-async-progress-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

class ArraySource implements StreamSource<Rows> {
  readonly description = 'ArraySource';
  readonly rows: number[] = [];
  committed: string | null = null;
  add(from: number, to: number): void {
    for (let i = from; i < to; i++) this.rows.push(i);
  }
  async latestOffset(): Promise<string | null> {
    return this.rows.length === 0 ? null : String(this.rows.length);
  }
  async getBatch(start: string | null, end: string | null): Promise<Rows> {
    return end === null ? [] : this.rows.slice(start === null ? 0 : Number(start), Number(end));
  }
  async commit(end: string): Promise<void> {
    this.committed = end;
  }
  async stop(): Promise<void> {}
}

/** At-least-once, as the kafka sink: it writes whatever it is given. */
class RecordingSink implements StreamSink<Rows> {
  readonly description = 'Recording';
  readonly seen: number[] = [];
  readonly batches: number[][] = [];
  failWhenGiven: number | null = null;
  async addBatch(_batchId: number, rows: Rows): Promise<void> {
    if (this.failWhenGiven !== null && rows.includes(this.failWhenGiven)) throw new Error('the sink is down');
    this.seen.push(...rows);
    this.batches.push(rows);
  }
}

const identity: StreamPlan<Rows> = {
  statefulOperators: [],
  rowCount: (r) => r.length,
  async execute(inputs) {
    return { output: inputs.flat() };
  },
};

function query(source: ArraySource, sink: RecordingSink, over: Partial<QueryDefinition<Rows>> = {}) {
  return new StreamingQueryManager().startQuery<Rows>({
    sources: [source],
    plan: identity,
    sink,
    trigger: parseTrigger(undefined),
    outputMode: 'append',
    checkpointFs: fs,
    checkpointDir: join(dir, 'cp'),
    asyncProgressTracking: { checkpointIntervalMs: 1000 },
    ...over,
  });
}

const logged = async (log: 'offsets' | 'commits') =>
  (await readdir(join(dir, 'cp', log)).catch(() => [] as string[])).map(Number).sort((a, b) => a - b);

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('async progress tracking', () => {
  it('is refused with once and availableNow triggers, stateful operators and a bad interval', async () => {
    const source = new ArraySource();
    const sink = new RecordingSink();
    for (const spec of [{ once: true }, { availableNow: true }] as const) {
      await expect(query(source, sink, { trigger: parseTrigger(spec) })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(
          /asyncProgressTrackingEnabled cannot be used with the (once|availableNow) trigger/,
        ),
      });
    }
    await expect(
      query(source, sink, { plan: { ...identity, statefulOperators: ['wordCount'] } }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/not supported by stateful queries \(here: wordCount\)/),
    });
    await expect(query(source, sink, { asyncProgressTracking: { checkpointIntervalMs: -5 } })).rejects.toMatchObject({
      message: expect.stringMatching(/asyncProgressTrackingCheckpointIntervalMs -5 must be a whole number/),
    });
    // Nothing was created for the refused queries.
    expect(await readdir(dir)).toEqual([]);
  });

  it('writeStream refuses sinks that rely on batch ids, and foreachBatch unless overridden', async () => {
    const eddy = await Eddy.start({ home: join(dir, 'home'), broker: false, dfs: false });
    try {
      const df = eddy.readStream.format('rate').load();
      const on = { asyncProgressTrackingEnabled: true, checkpointLocation: join(dir, 'cp-writer') };
      await expect(
        df.writeStream
          .format('json')
          .options({ ...on, path: join(dir, 'out') })
          .start(),
      ).rejects.toThrow(
        /Sink json does not support asyncProgressTrackingEnabled.*supported sinks: kafka, console, memory\./,
      );
      await expect(
        df.writeStream
          .options(on)
          .foreachBatch(() => undefined)
          .start(),
      ).rejects.toThrow(/foreachBatch does not support asyncProgressTrackingEnabled/);
      await expect(
        df.writeStream
          .format('console')
          .options({ ...on, asyncProgressTrackingCheckpointIntervalMs: 'soon' })
          .start(),
      ).rejects.toThrow(/asyncProgressTrackingCheckpointIntervalMs "soon" must be a whole number/);
      await expect(
        df.writeStream
          .format('console')
          .options({ ...on, asyncProgressTrackingEnabled: 'yes' })
          .start(),
      ).rejects.toThrow(/asyncProgressTrackingEnabled "yes" must be true or false/);
      const q = await df.writeStream
        .options({ ...on, _asyncProgressTrackingOverrideSinkSupportCheck: true })
        .foreachBatch(() => undefined)
        .start();
      await q.stop();
    } finally {
      await eddy.close();
    }
  });

  it('logs sparsely, commits sources after a durable commit, and a graceful stop leaves nothing to re-run', async () => {
    const source = new ArraySource();
    const sink = new RecordingSink();
    source.add(0, 10);
    const q = await query(source, sink, { asyncProgressTracking: { checkpointIntervalMs: 3_600_000 } });
    await q.processAllAvailable();
    for (let k = 1; k < 4; k++) {
      source.add(k * 10, k * 10 + 10);
      await q.processAllAvailable();
    }
    expect(sink.batches.length).toBe(4);
    // Within the hour only the first batch is logged (its write may still be in flight).
    await q.stop();
    // The stop logged the last batch and committed the source up to it.
    expect(await logged('offsets')).toEqual([0, 3]);
    expect(await logged('commits')).toEqual([0, 3]);
    expect(source.committed).toBe('40');
    expect(sink.seen).toEqual(range(0, 40));

    source.add(40, 45);
    const sink2 = new RecordingSink();
    const again = await query(source, sink2);
    await again.processAllAvailable();
    await again.stop();
    expect(sink2.seen).toEqual(range(40, 45));
    expect(q.recentProgress.map((p) => p.batchId)).toEqual([0, 1, 2, 3]);
    expect(again.recentProgress.map((p) => p.batchId)).toEqual([4]);
  });

  it('after a failure, a restart resumes from the newest durable commit and answers the tail again', async () => {
    const source = new ArraySource();
    const sink = new RecordingSink();
    source.add(0, 10);
    const q = await query(source, sink, { asyncProgressTracking: { checkpointIntervalMs: 3_600_000 } });
    await q.processAllAvailable();
    source.add(10, 20);
    await q.processAllAvailable();
    source.add(20, 30);
    await q.processAllAvailable();
    sink.failWhenGiven = 30;
    source.add(30, 40);
    await expect(q.awaitTermination()).rejects.toThrow(/the sink is down/);
    // No stop flush after a failure: batch 0 is the newest durable one.
    expect(await logged('offsets')).toEqual([0]);
    expect(await logged('commits')).toEqual([0]);
    // The source is never told of more than the durable commit.
    expect([null, '10']).toContain(source.committed);

    const sink2 = new RecordingSink();
    const again = await query(source, sink2);
    await again.processAllAvailable();
    await again.stop();
    // Batches 1 and 2 were answered before the failure, and again now: at-least-once, nothing lost.
    expect(sink2.seen).toEqual(range(10, 40));
    expect(new Set([...sink.seen, ...sink2.seen])).toEqual(new Set(range(0, 40)));
  });

  it('re-runs a logged batch whose commit never became durable, over the range since the previous durable one', async () => {
    // With and without async progress tracking on the restart: a checkpoint it left (with gaps) resumes either way.
    for (const resumeAsync of [true, false]) {
      const cp = join(dir, `cp-${resumeAsync}`);
      const source = new ArraySource();
      source.add(0, 10);
      const q = await query(source, new RecordingSink(), { checkpointDir: cp });
      await q.processAllAvailable();
      await q.stop();
      // As a crash leaves it: offsets/7 written in the background, batches 1–6 never logged, no commits/7.
      source.add(10, 35);
      const seq0 = (await fs.readFile(join(cp, 'offsets', '0'))).toString();
      await writeFile(join(cp, 'offsets', '7'), seq0.replace(/\n10$/, '\n30'));
      const sink = new RecordingSink();
      const again = await query(source, sink, {
        checkpointDir: cp,
        ...(resumeAsync ? {} : { asyncProgressTracking: undefined }),
      });
      await again.processAllAvailable();
      await again.stop();
      expect(sink.batches).toEqual([range(10, 30), range(30, 35)]);
      expect(again.recentProgress.map((p) => p.batchId)).toEqual([7, 8]);
      expect((await readdir(join(cp, 'commits'))).map(Number).sort((a, b) => a - b)).toEqual([0, 7, 8]);
    }
  });
});
