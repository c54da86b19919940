import { EddyError } from '../common/errors.js';
import type { RecordBatch } from '../dataframe/batch.js';
import { ColumnVector } from '../dataframe/column-vector.js';
import { DoubleType, StringType } from '../dataframe/types.js';
import { FlatJsonScanner } from './flat-json.js';
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
  readonly offsets: ArrayLike<bigint | number>;
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
  /**
   * Per good message read by the flat-JSON scanner: where its closing brace is (the answer is its bytes up to
   * there, then the answer's fields); -1 for a message decoded through JSON.parse (or CSV), which has instead…
   */
  readonly closeAt: Int32Array;
  /** …its JSON text (for CSV, the fields as JSON) and its parsed fields. */
  readonly texts: (string | undefined)[];
  readonly objects: (Record<string, unknown> | undefined)[];
  /** One column per required field, one row per good message. */
  readonly columns: ColumnVector[];
  readonly dead: { index: number; reason: string }[];
}

/**
 * Decodes batches straight into typed columns (a Float64Array per numeric field), so that the model's DataFrame
 * is built without a row object per message. JSON messages of the common flat shape are read from their bytes by
 * the FlatJsonScanner; every other message goes through parseMessage and fieldProblem (decodeMessage's rules and
 * reasons), which the scanner agrees with on every message it accepts.
 */
export class BatchDecoder {
  private readonly required: ServingField[];
  private readonly scanner: FlatJsonScanner | null;

  constructor(
    private readonly format: MessageFormat,
    fields: readonly ServingField[],
    /** Field names of the answer: a message that has one is decoded through JSON.parse (see AnswerEncoder). */
    answerFields: readonly string[] = [],
  ) {
    this.required = fields.filter((f) => !f.optional);
    this.scanner =
      format === 'json' && this.required.length > 0 ? new FlatJsonScanner(this.required, answerFields) : null;
  }

  decode(batch: MessageBatch): DecodedBatch {
    const required = this.required;
    const n = batch.count;
    const data = required.map((f) => (f.type === 'double' ? new Float64Array(n) : new Array<unknown>(n).fill(null)));
    const validity: (Uint8Array | null)[] = required.map(() => null);
    const good: number[] = [];
    const closeAt = new Int32Array(n);
    const texts: (string | undefined)[] = [];
    const objects: (Record<string, unknown> | undefined)[] = [];
    const dead: { index: number; reason: string }[] = [];
    let row = 0;
    const put = (j: number, v: unknown) => {
      if (v === null) (validity[j] ??= new Uint8Array(n).fill(1))[row] = 0;
      else {
        (data[j] as unknown[])[row] = v;
        if (validity[j]) validity[j][row] = 1;
      }
    };
    const scanner = this.scanner;
    for (let i = 0; i < n; i++) {
      const value = batch.values[i];
      if (value === null || value === undefined) {
        dead.push({ index: i, reason: 'the message has no value' });
        continue;
      }
      if (scanner !== null && scanner.scan(value, put)) {
        closeAt[row] = scanner.closeAt;
        texts.push(undefined);
        objects.push(undefined);
        good.push(i);
        row++;
        continue;
      }
      const text = utf8(value);
      const obj = parseMessage(text, this.format, required);
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
      for (let j = 0; j < required.length; j++) put(j, obj[required[j]!.name]);
      closeAt[row] = -1;
      texts.push(this.format === 'json' ? text : JSON.stringify(obj));
      objects.push(obj);
      good.push(i);
      row++;
    }
    const columns = required.map((f, j) => {
      const d = data[j]!;
      const v = validity[j];
      const type = f.type === 'double' ? DoubleType : StringType;
      return new ColumnVector(
        type,
        row,
        d instanceof Float64Array ? d.subarray(0, row) : d.slice(0, row),
        v ? v.subarray(0, row) : null,
      );
    });
    return { good, closeAt: closeAt.subarray(0, row), texts, objects, columns, dead };
  }
}
