import { EddyError } from '../common/errors.js';
import type { RecordBatch } from '../dataframe/batch.js';
import { ColumnVector } from '../dataframe/column-vector.js';
import { DoubleType, StringType } from '../dataframe/types.js';
import { fieldProblem, parseMessage, utf8, type MessageFormat } from './message-codec.js';
import type { ServingField } from './serving-schema.js';

/** One input message, as the group consumer hands it over. */
export interface InputMessage {
  key: Buffer | null;
  value: Buffer | null;
  partition: number;
  offset: bigint;
  timestampMs: number;
}

/**
 * A micro-batch of input messages, column by column as the kafka source delivers it: no object per message,
 * and the key and value bytes are the source's own (never copied).
 */
export interface MessageBatch {
  readonly count: number;
  readonly keys: readonly (Uint8Array | null)[];
  readonly values: readonly (Uint8Array | null)[];
  readonly partitions: ArrayLike<number>;
  readonly offsets: ArrayLike<bigint>;
  readonly timestamps: ArrayLike<number>;
}

/** The columns of a batch of the kafka source's schema (key, value, topic, partition, offset, timestamp, …). */
export function messagesOfKafkaBatch(b: RecordBatch): MessageBatch {
  const col = (name: string) => {
    const i = b.schema.fields.findIndex((f) => f.name === name);
    if (i < 0) {
      throw new EddyError(
        'INTERNAL',
        `serve: the input batch has no column ${name} (schema ${b.schema.simpleString()})`,
      );
    }
    return b.column(i);
  };
  const [key, value, partition, offset, timestamp] = ['key', 'value', 'partition', 'offset', 'timestamp'].map(col);
  const bytes = (c: ColumnVector) => {
    const data = c.data as (Uint8Array | null)[];
    if (c.validity === null) return data;
    return data.map((v, i) => (c.validity![i] === 0 ? null : v));
  };
  return {
    count: b.numRows,
    keys: bytes(key!),
    values: bytes(value!),
    partitions: partition!.data as Int32Array,
    offsets: offset!.data as BigInt64Array,
    timestamps: timestamp!.data as Float64Array,
  };
}

export function messagesOfList(ms: readonly InputMessage[]): MessageBatch {
  return {
    count: ms.length,
    keys: ms.map((m) => m.key),
    values: ms.map((m) => m.value),
    partitions: ms.map((m) => m.partition),
    offsets: ms.map((m) => m.offset),
    timestamps: ms.map((m) => m.timestampMs),
  };
}

/** The good messages of a batch as the model's input columns, and the reasons the others are dead letters. */
export interface DecodedBatch {
  /** Message index (in the MessageBatch) of each good message, in order. */
  readonly good: number[];
  /** Per good message: its JSON text, echoed in the answer (for CSV, the fields as JSON). */
  readonly texts: string[];
  /** Per good message: its parsed fields. */
  readonly objects: Record<string, unknown>[];
  /** One column per required field, one row per good message. */
  readonly columns: ColumnVector[];
  readonly dead: { index: number; reason: string }[];
}

/**
 * Decodes a batch straight into typed columns (a Float64Array per numeric field), so that the model's
 * DataFrame is built without a row object per message. Same rules and reasons as decodeMessage.
 */
export function decodeBatch(batch: MessageBatch, format: MessageFormat, fields: readonly ServingField[]): DecodedBatch {
  const required = fields.filter((f) => !f.optional);
  const n = batch.count;
  const data = required.map((f) => (f.type === 'double' ? new Float64Array(n) : new Array<unknown>(n).fill(null)));
  const validity: (Uint8Array | null)[] = required.map(() => null);
  const good: number[] = [];
  const texts: string[] = [];
  const objects: Record<string, unknown>[] = [];
  const dead: { index: number; reason: string }[] = [];
  for (let i = 0; i < n; i++) {
    const value = batch.values[i];
    if (value === null || value === undefined) {
      dead.push({ index: i, reason: 'the message has no value' });
      continue;
    }
    const text = utf8(value);
    const obj = parseMessage(text, format, required);
    if (typeof obj === 'string') {
      dead.push({ index: i, reason: obj });
      continue;
    }
    let problem: string | null = null;
    for (let j = 0; j < required.length && problem === null; j++) problem = fieldProblem(obj, required[j]!);
    if (problem !== null) {
      dead.push({ index: i, reason: problem });
      continue;
    }
    const row = good.length;
    for (let j = 0; j < required.length; j++) {
      const v = obj[required[j]!.name];
      if (v === null) (validity[j] ??= new Uint8Array(n).fill(1))[row] = 0;
      else (data[j] as (number | unknown)[])[row] = v;
    }
    good.push(i);
    texts.push(format === 'json' ? text : JSON.stringify(obj));
    objects.push(obj);
  }
  const rows = good.length;
  const columns = required.map((f, j) => {
    const d = data[j]!;
    const v = validity[j];
    const type = f.type === 'double' ? DoubleType : StringType;
    return new ColumnVector(
      type,
      rows,
      d instanceof Float64Array ? d.subarray(0, rows) : d.slice(0, rows),
      v ? v.subarray(0, rows) : null,
    );
  });
  return { good, texts, objects, columns, dead };
}
