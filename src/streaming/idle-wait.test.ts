import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileSystem } from '../storage/local.js';
import type { StreamPlan, StreamSink, StreamSource } from './contracts.js';
import { StreamingQueryManager } from './manager.js';
import { parseTrigger } from './trigger.js';

/*
 * An idle as-fast-as-possible query whose sources can tell when data arrives (StreamSource.awaitData, Kafka's
 * fetch long poll) waits on them instead of polling: it is woken by new data, by stop(), and keeps running when
 * a source cannot wait.
 */

type Rows = number[];
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-idle-wait-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

class WaitingSource implements StreamSource<Rows> {
  readonly description = 'Waiting';
  readonly rows: number[] = [];
  readonly waits: (string | null)[] = [];
  failWaits = false;
  private arrived: (() => void)[] = [];
  private waiting: (() => void)[] = [];
  add(n: number): void {
    for (let i = 0; i < n; i++) this.rows.push(this.rows.length);
    for (const f of this.arrived.splice(0)) f();
  }
  /** Resolves when the query is next waiting for data. */
  nextWait(): Promise<void> {
    return new Promise((r) => this.waiting.push(r));
  }
  async awaitData(start: string | null): Promise<void> {
    this.waits.push(start);
    for (const f of this.waiting.splice(0)) f();
    if (this.failWaits) throw new Error('the broker is restarting');
    // Ignores maxWaitMs: only data (or the engine giving up on it) ends the wait.
    if (this.rows.length > Number(start ?? 0)) return;
    await new Promise<void>((r) => this.arrived.push(r));
  }
  async latestOffset(): Promise<string | null> {
    return this.rows.length === 0 ? null : String(this.rows.length);
  }
  async getBatch(start: string | null, end: string | null): Promise<Rows> {
    return end === null ? [] : this.rows.slice(Number(start ?? 0), Number(end));
  }
  async commit(): Promise<void> {}
  async stop(): Promise<void> {}
}

class ListSink implements StreamSink<Rows> {
  readonly description = 'List';
  readonly seen: number[] = [];
  async addBatch(_id: number, rows: Rows): Promise<void> {
    this.seen.push(...rows);
  }
}

const identity: StreamPlan<Rows> = {
  statefulOperators: [],
  rowCount: (r) => r.length,
  execute: async (inputs) => ({ output: inputs.flat() }),
};

/** A query as fast as possible (the default trigger) from one source into a list. */
const start = (source: WaitingSource, sink: ListSink) =>
  new StreamingQueryManager().startQuery<Rows>({
    sources: [source],
    plan: identity,
    sink,
    trigger: parseTrigger(undefined),
    outputMode: 'append',
    checkpointFs: new LocalFileSystem(),
    checkpointDir: join(dir, 'cp'),
  });

describe('an idle query waiting on its sources', () => {
  it('is woken by new data, waits from the committed offsets, and stops while waiting', async () => {
    const source = new WaitingSource();
    const sink = new ListSink();
    const waited = source.nextWait();
    const q = await start(source, sink);
    await waited;
    expect(source.waits).toEqual([null]);
    // New data ends the wait: the next batch runs without anyone asking.
    const batchRan = new Promise<void>((r) => {
      const check = () => (sink.seen.length === 3 ? r() : void source.nextWait().then(check));
      check();
    });
    source.add(3);
    await batchRan;
    expect(sink.seen).toEqual([0, 1, 2]);
    expect(source.waits.at(-1)).toBe('3');
    // The source never resolves this wait; stop() does not wait for it.
    await q.stop();
    expect(q.isActive).toBe(false);
  });

  it('keeps running when a source cannot wait (it polls instead)', async () => {
    const source = new WaitingSource();
    source.failWaits = true;
    const sink = new ListSink();
    const q = await start(source, sink);
    await source.nextWait();
    source.add(2);
    await q.processAllAvailable();
    expect(sink.seen).toEqual([0, 1]);
    expect(q.exception()).toBe(null);
    await q.stop();
  });
});
