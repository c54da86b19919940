import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBatch, readValues } from '../../../test/support/record-batch.js';
import { type LogConfig, PartitionLog } from './partition-log.js';
import { checkProducedBatch } from './record-batch.js';
import { OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH } from './producer-state.js';

const CONFIG: LogConfig = {
  segmentBytes: 1 << 30,
  segmentMs: 7 * 24 * 3600_000,
  retentionMs: -1,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function append(log: PartitionLog, values: string[], now = 1000, opts = {}) {
  const batch = buildBatch(
    values.map((value) => ({ value })),
    opts,
  );
  const check = checkProducedBatch(batch, 7);
  if (!check.ok) throw new Error(check.message);
  return log.append(batch, check.batch, now);
}

async function readAll(log: PartitionLog, from = 0): Promise<{ offset: number; value: string | null }[]> {
  const r = await log.read(from, 1 << 30, true);
  return readValues(Buffer.concat(r.records)).filter((x) => x.offset >= from);
}

describe('PartitionLog', () => {
  it('assigns offsets, reads from any offset and survives a restart', async () => {
    const log = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    expect(append(log, ['a', 'b']).baseOffset).toBe(0);
    expect(append(log, ['c']).baseOffset).toBe(2);
    expect(log.highWatermark).toBe(3);
    expect(await readAll(log, 1)).toEqual([
      { offset: 1, value: 'b' },
      { offset: 2, value: 'c' },
    ]);
    expect((await log.read(3, 100, true)).records).toEqual([]);
    expect((await log.read(4, 100, true)).errorCode).toBe(1);
    await log.close();
    const again = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    expect(again.highWatermark).toBe(3);
    expect((await readAll(again)).map((x) => x.value)).toEqual(['a', 'b', 'c']);
    await again.close();
  });

  it('rolls segments by size, finds offsets through the index across segments, applies size retention', async () => {
    const log = PartitionLog.open(dir, 't', 0, { ...CONFIG, segmentBytes: 1000, indexIntervalBytes: 100 }, 0);
    for (let i = 0; i < 60; i++) append(log, [`value-${i}-${'x'.repeat(20)}`]);
    expect(log.segmentCount).toBeGreaterThan(3);
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(logs.length).toBe(log.segmentCount);
    expect(logs[0]).toBe('00000000000000000000.log');
    for (const from of [0, 17, 33, 59])
      expect((await readAll(log, from))[0]).toEqual({ offset: from, value: expect.stringMatching(`^value-${from}-`) });
    log.config = { ...log.config, retentionBytes: 2000 };
    expect(log.applyRetention(0)).toBeGreaterThan(0);
    expect(log.size).toBeLessThan(2000 + 1000);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect((await log.read(0, 100, true)).errorCode).toBe(1);
    expect((await readAll(log, log.logStartOffset))[0]!.offset).toBe(log.logStartOffset);
    await log.close();
  });

  it('applies time retention and rolls by segment.ms', async () => {
    const log = PartitionLog.open(dir, 't', 0, { ...CONFIG, segmentMs: 100, retentionMs: 1000 }, 0);
    append(log, ['old'], 0, { baseTimestamp: 0 });
    append(log, ['new'], 5000, { baseTimestamp: 5000 });
    expect(log.segmentCount).toBe(2);
    expect(log.applyRetention(5500)).toBe(1);
    expect(log.logStartOffset).toBe(1);
    expect((await readAll(log, 1)).map((x) => x.value)).toEqual(['new']);
    await log.close();
  });

  it('finds offsets by timestamp', async () => {
    const log = PartitionLog.open(dir, 't', 0, { ...CONFIG, indexIntervalBytes: 1 }, 0);
    for (let i = 0; i < 10; i++) append(log, [`v${i}`], 0, { baseTimestamp: 1000 * i });
    expect(log.offsetForTimestamp(0)?.offset).toBe(0);
    expect(log.offsetForTimestamp(4500)?.offset).toBe(5);
    expect(log.offsetForTimestamp(9000)?.offset).toBe(9);
    expect(log.offsetForTimestamp(9001)).toBeUndefined();
    // Inside one uncompressed batch the exact record is found.
    const batch = buildBatch(
      [0, 10, 20, 30].map((d) => ({ value: `d${d}`, timestampDelta: d })),
      { baseTimestamp: 20_000 },
    );
    const check = checkProducedBatch(batch, 7);
    if (!check.ok) throw new Error(check.message);
    log.append(batch, check.batch, 0);
    expect(log.offsetForTimestamp(20_015)).toEqual({ offset: 12, timestamp: 20_020 });
    expect(log.offsetForTimestamp(20_030)).toEqual({ offset: 13, timestamp: 20_030 });
    await log.close();
  });

  it('truncates a torn tail at the last valid batch on recovery and keeps everything before it', async () => {
    let log = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    append(log, ['a']);
    append(log, ['b', 'c']);
    await log.close();
    const file = join(dir, '00000000000000000000.log');
    const good = statSync(file).size;
    // A torn write: half a batch at the end.
    appendFileSync(file, buildBatch([{ value: 'torn' }]).subarray(0, 40));
    log = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    expect(statSync(file).size).toBe(good);
    expect((await readAll(log)).map((x) => x.value)).toEqual(['a', 'b', 'c']);
    expect(append(log, ['d']).baseOffset).toBe(3);
    await log.close();
    // A corrupt (bit-flipped) last batch is cut too.
    const bad = buildBatch([{ value: 'bad' }]);
    bad.writeBigInt64BE(4n, 0);
    bad.writeUInt8(bad.readUInt8(bad.length - 2) ^ 0xff, bad.length - 2);
    appendFileSync(file, bad);
    log = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    expect(log.highWatermark).toBe(4);
    await log.close();
    // Truncation inside the header region of the first batch leaves an empty, usable log.
    truncateSync(file, 30);
    log = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    expect(log.highWatermark).toBe(0);
    expect(append(log, ['fresh']).baseOffset).toBe(0);
    await log.close();
  });

  it('answers a retried idempotent batch with its original offset and rejects gaps and old epochs', async () => {
    const log = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    const pid = { producerId: 7, producerEpoch: 0 };
    expect(append(log, ['a', 'b'], 0, { ...pid, baseSequence: 0 })).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(append(log, ['c'], 0, { ...pid, baseSequence: 2 })).toMatchObject({ errorCode: 0, baseOffset: 2 });
    expect(append(log, ['a', 'b'], 0, { ...pid, baseSequence: 0 })).toMatchObject({
      errorCode: 0,
      baseOffset: 0,
      duplicate: true,
    });
    expect(append(log, ['e'], 0, { ...pid, baseSequence: 9 }).errorCode).toBe(OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(append(log, ['f'], 0, { producerId: 7, producerEpoch: 1, baseSequence: 0 }).errorCode).toBe(0);
    expect(append(log, ['g'], 0, { ...pid, baseSequence: 3 }).errorCode).toBe(INVALID_PRODUCER_EPOCH);
    expect(log.highWatermark).toBe(4);
    await log.close();
    // The state is rebuilt from the log on restart: the retry is still recognised.
    const again = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    expect(append(again, ['f'], 0, { producerId: 7, producerEpoch: 1, baseSequence: 0 })).toMatchObject({
      baseOffset: 3,
      duplicate: true,
    });
    await again.close();
  });

  it('group-commits fsyncs: concurrent durability waits all resolve', async () => {
    const log = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    const waits = [];
    for (let i = 0; i < 20; i++) {
      append(log, [`v${i}`]);
      waits.push(log.durable());
    }
    await Promise.all(waits);
    expect(log.highWatermark).toBe(20);
    await log.close();
  });

  it('DeleteRecords moves the log start, persisted across restarts', async () => {
    const log = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    append(log, ['a', 'b', 'c']);
    expect(log.deleteRecordsBefore(2)).toBe(2);
    expect((await log.read(1, 100, true)).errorCode).toBe(1);
    await log.close();
    const again = PartitionLog.open(dir, 't', 0, CONFIG, 0);
    expect(again.logStartOffset).toBe(2);
    expect((await readAll(again, 2)).map((x) => x.value)).toEqual(['c']);
    await again.close();
  });
});
