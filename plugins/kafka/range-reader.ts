import {
  ColumnVector,
  EddyError,
  getLogger,
  KafkaResponseError,
  RecordBatch,
  type DecodedRecords,
  type KafkaClient,
  type StructType,
} from '../../src/index.js';
import type { ConsumerSettings } from './client-config.js';

const log = getLogger('kafka-source');

export const DATA_LOSS =
  "Some data may have been lost because they are not available in Kafka any more; either the data was aged out by Kafka or the topic may have been deleted before all the data in the topic was processed. If you don't want your streaming query to fail on such cases, set the source option failOnDataLoss to false.";

const OFFSET_OUT_OF_RANGE = 1;

export interface OffsetRange {
  topic: string;
  partition: number;
  from: number;
  until: number;
}

export interface ReadOptions extends ConsumerSettings {
  failOnDataLoss: boolean;
  pollTimeoutMs: number;
}

/**
 * Reads exactly [from, until) of each partition, all partitions in one Fetch per leader per round, and turns each
 * fetched chunk straight into a RecordBatch of the Kafka source schema: the client's key/value arrays and
 * timestamp array become columns as they are, so no row object is ever built. One list of batches per range, in
 * the order given.
 */
export async function readRanges(
  client: KafkaClient,
  ranges: readonly OffsetRange[],
  schema: StructType,
  o: ReadOptions,
): Promise<RecordBatch[][]> {
  const out = ranges.map(() => [] as RecordBatch[]);
  const next = ranges.map((r) => r.from);
  let pending = ranges.map((_, i) => i).filter((i) => next[i]! < ranges[i]!.until);
  const deadline = Date.now() + o.pollTimeoutMs;
  while (pending.length > 0) {
    if (Date.now() > deadline) {
      throw new EddyError(
        'TIMEOUT',
        `Kafka source: could not read offsets ${pending.map((i) => `${ranges[i]!.topic}-${ranges[i]!.partition} [${next[i]}, ${ranges[i]!.until})`).join(', ')} within kafkaConsumer.pollTimeoutMs=${o.pollTimeoutMs}`,
        { retriable: true },
      );
    }
    const results = await client.fetch(
      pending.map((i) => ({
        topic: ranges[i]!.topic,
        partition: ranges[i]!.partition,
        offset: next[i]!,
        untilOffset: ranges[i]!.until,
      })),
      {
        maxWaitMs: o.maxWaitMs,
        maxBytes: o.maxBytes,
        partitionMaxBytes: o.partitionMaxBytes,
        checkCrcs: o.checkCrcs,
      },
    );
    results.forEach((res, k) => {
      const i = pending[k]!;
      const r = ranges[i]!;
      if (res.errorCode === OFFSET_OUT_OF_RANGE) {
        // The log start moved past what the batch planned to read (retention or DeleteRecords meanwhile).
        const where = `${r.topic}-${r.partition}: wanted offset ${next[i]}, earliest is ${res.logStartOffset}`;
        if (o.failOnDataLoss || res.logStartOffset <= next[i]!) {
          throw new EddyError('CORRUPT_DATA', `${DATA_LOSS} (${where})`);
        }
        log.warn(`${DATA_LOSS} (${where}; skipped)`);
        next[i] = res.logStartOffset;
        return;
      }
      if (res.errorCode !== 0) {
        throw new KafkaResponseError(res.errorCode, `Kafka source: fetch of ${r.topic}-${r.partition}`);
      }
      if (res.records.count > 0) out[i]!.push(toBatch(res.records, r.topic, r.partition, schema));
      next[i] = Math.max(next[i]!, res.records.nextOffset);
    });
    pending = pending.filter((i) => next[i]! < ranges[i]!.until);
  }
  return out;
}

/** Nulls as a validity array, or null when there are none (the usual case for values). */
function validityOf(values: readonly (Uint8Array | null)[]): Uint8Array | null {
  let validity: Uint8Array | null = null;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) {
      if (validity === null) validity = new Uint8Array(values.length).fill(1);
      validity[i] = 0;
    }
  }
  return validity;
}

/** Spark gives null headers to a record without any; the client's header lists are the struct values as they are. */
function headersColumn(r: DecodedRecords, schema: StructType): ColumnVector {
  const n = r.count;
  const data = new Array<unknown>(n);
  let validity: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const h = r.headers[i]!;
    if (h.length > 0) data[i] = h;
    else {
      data[i] = null;
      validity ??= new Uint8Array(n).fill(1);
      validity[i] = 0;
    }
  }
  return new ColumnVector(schema.fields[7]!.dataType, n, data, validity);
}

/** key, value, topic, partition, offset, timestamp, timestampType (, headers) — Spark's Kafka source columns. */
function toBatch(r: DecodedRecords, topic: string, partition: number, schema: StructType): RecordBatch {
  const n = r.count;
  const f = schema.fields;
  const offsets = new BigInt64Array(n);
  for (let i = 0; i < n; i++) offsets[i] = BigInt(r.offsets[i]!);
  const timestampTypes = new Int32Array(n);
  timestampTypes.set(r.timestampTypes);
  return new RecordBatch(
    schema,
    [
      new ColumnVector(f[0]!.dataType, n, r.keys, validityOf(r.keys)),
      new ColumnVector(f[1]!.dataType, n, r.values, validityOf(r.values)),
      ColumnVector.constant(f[2]!.dataType, topic, n),
      ColumnVector.constant(f[3]!.dataType, partition, n),
      new ColumnVector(f[4]!.dataType, n, offsets, null),
      new ColumnVector(f[5]!.dataType, n, r.timestamps, null),
      new ColumnVector(f[6]!.dataType, n, timestampTypes, null),
      ...(f.length > 7 ? [headersColumn(r, schema)] : []),
    ],
    n,
  );
}
