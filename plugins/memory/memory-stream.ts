import { randomUUID } from 'node:crypto';
import {
  DataFrame,
  EddyError,
  type RecordBatch,
  parseSchema,
  StructType,
  getOption,
  type Eddy,
  type PluginOptions,
  type PluginSource,
  type RowInput,
  type SourceProvider,
} from '../../src/index.js';

const streams = new Map<string, MemoryStream>();

/**
 * Spark's MemoryStream: rows added from code become a stream (for tests and demos). Offsets are row counts, so
 * a range always returns the same rows. `toDF()` reads it as `readStream.format('memory').option('id', ...)`.
 * Each addData() is kept as the columns it was checked into, so a batch is slices of those, not rows again.
 */
export class MemoryStream {
  readonly id = randomUUID();
  readonly schema: StructType;
  /** Each addData()'s rows as columns, with the offset of its first row. */
  private readonly chunks: { start: number; batch: Promise<RecordBatch> }[] = [];
  private end = 0;

  constructor(
    private readonly session: Eddy,
    schema: StructType | string,
  ) {
    this.schema = typeof schema === 'string' ? parseSchema(schema) : schema;
    streams.set(this.id, this);
    session.onClose(async () => void streams.delete(this.id));
  }

  /** Appends rows (arrays or objects, as createDataFrame takes them); returns the new end offset. */
  addData(rows: readonly RowInput[]): number {
    // Checked (and made columns) now, so a bad row fails here and not inside a running query.
    const df = this.session.createDataFrame(rows, this.schema);
    if (rows.length > 0) {
      const batch = df.collectBatch();
      batch.catch(() => undefined); // a failure is met again by the batch that reads these rows
      this.chunks.push({ start: this.end, batch });
      this.end += rows.length;
    }
    return this.end;
  }

  get size(): number {
    return this.end;
  }

  /** Rows [start, end) as a DataFrame: one partition of slices of the added chunks. */
  async range(start: number, end: number): Promise<DataFrame> {
    const parts: RecordBatch[] = [];
    // The first chunk holding `start`: chunks are in offset order.
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.chunks[mid]!.start <= start) lo = mid;
      else hi = mid - 1;
    }
    for (let c = lo; c < this.chunks.length && this.chunks[c]!.start < end; c++) {
      const chunk = this.chunks[c]!;
      const batch = await chunk.batch;
      const from = Math.max(0, start - chunk.start);
      const to = Math.min(batch.numRows, end - chunk.start);
      if (to > from) parts.push(from === 0 && to === batch.numRows ? batch : batch.slice(from, to));
    }
    return DataFrame.fromBatches(this.schema, [parts], this.session);
  }

  toDF(): DataFrame {
    return this.session.readStream.format('memory').option('id', this.id).load();
  }
}

export const memorySourceProvider: SourceProvider = {
  shortName: 'memory',
  createSource(options: PluginOptions): PluginSource {
    const id = getOption(options, 'id');
    const stream = id === undefined ? undefined : streams.get(id);
    if (!stream) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `memory source: no MemoryStream with id ${JSON.stringify(id)}; create one with new MemoryStream(eddy, schema) and use its toDF()`,
      );
    }
    const parse = (o: string | null): number => (o === null ? 0 : Number(o));
    // Rows per batch at most, as the kafka source's option of that name (Spark's MemoryStream has no limit).
    const maxText = getOption(options, 'maxOffsetsPerTrigger');
    const max = maxText === undefined ? Infinity : Number(maxText);
    if (!(Number.isSafeInteger(max) && max > 0) && max !== Infinity) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `memory source: maxOffsetsPerTrigger=${maxText} must be a positive whole number`,
      );
    }
    // availableNow: the end is what the stream held when the query started, rows added later wait for the next run.
    let availableNowEnd = Infinity;
    return {
      schema: stream.schema,
      description: `MemoryStream[${stream.schema.fieldNames.join(',')}]`,
      latestOffset: (start) => {
        const end = Math.min(stream.size, availableNowEnd, parse(start) + max);
        return Promise.resolve(end === 0 ? null : String(end));
      },
      prepareForTriggerAvailableNow: () => {
        availableNowEnd = stream.size;
        return Promise.resolve();
      },
      getBatch: (start, end) => stream.range(parse(start), end === null ? parse(start) : parse(end)),
      commit: () => Promise.resolve(),
      stop: () => Promise.resolve(),
    };
  },
};
