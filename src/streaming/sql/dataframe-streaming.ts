import { parseDuration } from '../../common/duration.js';
import { EddyError } from '../../common/errors.js';
import { DataFrame } from '../../dataframe/dataframe.js';
import type { Eddy } from '../../session.js';
import { DataStreamWriter } from './stream-writer.js';
import { isStreamingPlan } from './streaming-relation.js';
import { WatermarkPlan } from './watermark-plan.js';

/*
 * The streaming side of DataFrame (isStreaming, withWatermark, writeStream) lives here, above the dataframe
 * layer, and is attached to DataFrame's prototype when this module loads (the session imports it): the
 * dataframe layer knows nothing of streams.
 */
declare module '../../dataframe/dataframe.js' {
  interface DataFrame {
    /** True when the DataFrame reads a stream (from eddy.readStream); run it with writeStream.start(). */
    readonly isStreaming: boolean;
    /** Spark's DataStreamWriter for this streaming DataFrame. */
    readonly writeStream: DataStreamWriter;
    /**
     * Declares `eventTime` (a timestamp column) as event time, with rows up to `delayThreshold` late accepted;
     * stateful operators drop older rows and evict closed windows.
     */
    withWatermark(eventTime: string, delayThreshold: string | number): DataFrame;
  }
}

function sessionOf(df: DataFrame): Eddy {
  const env = df.env as Partial<Eddy>;
  if (!env || typeof env !== 'object' || !('streams' in env) || !('plugins' in env)) {
    throw new EddyError(
      'ILLEGAL_STATE',
      'this DataFrame does not belong to an Eddy session; build it from eddy.readStream',
    );
  }
  return env as Eddy;
}

Object.defineProperties(DataFrame.prototype, {
  isStreaming: {
    get(this: DataFrame) {
      return isStreamingPlan(this.plan);
    },
    configurable: true,
  },
  writeStream: {
    get(this: DataFrame) {
      return new DataStreamWriter(this, sessionOf(this));
    },
    configurable: true,
  },
  withWatermark: {
    value(this: DataFrame, eventTime: string, delayThreshold: string | number): DataFrame {
      const i = this.schema.indexOf(eventTime);
      if (i < 0) {
        throw new EddyError(
          'ANALYSIS_ERROR',
          `cannot resolve '${eventTime}' given input columns: [${this.schema.fieldNames.join(', ')}]`,
        );
      }
      const t = this.schema.fields[i]!.dataType;
      if (t.kind !== 'timestamp') {
        throw new EddyError(
          'ANALYSIS_ERROR',
          `Event time must be defined on a window or a timestamp, but ${eventTime} is of type ${t.kind}; cast it with to_timestamp()`,
        );
      }
      const delay = parseDuration(delayThreshold, 'withWatermark delayThreshold');
      return new DataFrame(new WatermarkPlan(this.plan, i, delay), this.env);
    },
    configurable: true,
    writable: true,
  },
});

export {};
