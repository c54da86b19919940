import { EddyError, describeValue } from '../../common/errors.js';

export type OutputMode = 'append' | 'update' | 'complete';

export function parseOutputMode(mode: string): OutputMode {
  const m = String(mode).toLowerCase();
  if (m === 'append' || m === 'update' || m === 'complete') return m;
  throw new EddyError(
    'INVALID_ARGUMENT',
    `unknown output mode ${describeValue(mode)}; accepted output modes are 'append', 'complete', 'update'`,
  );
}

/** What the checker needs to know about a streaming query's plan. */
export interface QueryFacts {
  aggregations: number;
  hasWatermark: boolean;
  /** A grouping key of the aggregation is event time (a window, or the watermarked column). */
  eventTimeKey: boolean;
  /** Operators above the aggregation (or anywhere, without one) that Spark allows only in some modes. */
  sorts: number;
  limits: number;
  /** Operators on the stream Eddy does not run incrementally (joins, distinct, ...), by description. */
  unsupported: string[];
}

/**
 * The subset of Spark's UnsupportedOperationChecker that applies to the operators Eddy streams, with Spark's
 * messages, so that a query Spark would refuse is refused here too, at start().
 */
export function checkOutputMode(mode: OutputMode, f: QueryFacts): void {
  const refuse = (msg: string): never => {
    throw new EddyError('ANALYSIS_ERROR', msg);
  };
  if (f.unsupported.length > 0) {
    refuse(
      `${f.unsupported[0]} is not supported on streaming DataFrames in Eddy; streaming queries run select, filter, ` +
        `withColumn, explode, ML transforms, joins with a static DataFrame, withWatermark and one groupBy().agg() ` +
        `(sort/limit after it in complete mode)`,
    );
  }
  if (f.aggregations > 1)
    refuse('Multiple streaming aggregations are not supported with streaming DataFrames/Datasets');
  if (f.aggregations === 0 && mode === 'complete') {
    refuse(
      'Complete output mode not supported when there are no streaming aggregations on streaming DataFrames/Datasets; ' +
        "use outputMode('append') or add a groupBy().agg()",
    );
  }
  if (f.aggregations === 1 && mode === 'append' && !(f.hasWatermark && f.eventTimeKey)) {
    refuse(
      'Append output mode not supported when there are streaming aggregations on streaming DataFrames/DataSets ' +
        'without watermark; add withWatermark(<event-time column>, <delay>) and group by window(<that column>, ...) ' +
        "or by that column, or use outputMode('update') or 'complete'",
    );
  }
  if (f.sorts > 0 && !(f.aggregations === 1 && mode === 'complete')) {
    refuse(
      'Sorting is not supported on streaming DataFrames/Datasets, unless it is on aggregated DataFrame/Dataset in ' +
        'Complete output mode',
    );
  }
  if (f.limits > 0 && !(f.aggregations === 1 && mode === 'complete')) {
    refuse(
      `Limits are not supported on streaming DataFrames/Datasets in ${capitalize(mode)} output mode` +
        (f.aggregations === 0 ? '' : '') +
        '; Eddy runs limit() only after an aggregation in Complete output mode',
    );
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
