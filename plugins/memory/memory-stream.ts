import { randomUUID } from 'node:crypto';
import {
  EddyError,
  parseSchema,
  StructType,
  getOption,
  type DataFrame,
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
 */
export class MemoryStream {
  readonly id = randomUUID();
  readonly schema: StructType;
  private readonly rows: RowInput[] = [];

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
    // Validated now, so a bad row fails here and not inside a running query.
    this.session.createDataFrame(rows, this.schema);
    this.rows.push(...rows);
    return this.rows.length;
  }

  get size(): number {
    return this.rows.length;
  }

  slice(start: number, end: number): RowInput[] {
    return this.rows.slice(start, end);
  }

  toDF(): DataFrame {
    return this.session.readStream.format('memory').option('id', this.id).load();
  }
}

export const memorySourceProvider: SourceProvider = {
  shortName: 'memory',
  createSource(options: PluginOptions, ctx): PluginSource {
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
      getBatch: (start, end) =>
        Promise.resolve(
          ctx.session.createDataFrame(end === null ? [] : stream.slice(parse(start), parse(end)), stream.schema),
        ),
      commit: () => Promise.resolve(),
      stop: () => Promise.resolve(),
    };
  },
};
