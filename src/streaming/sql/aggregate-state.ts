import { EddyError } from '../../common/errors.js';
import type { AggregateFn } from '../../dataframe/aggregates.js';
import { compareValues } from '../../dataframe/values.js';

/**
 * The per-group buffer of one aggregate kept in the state store between batches. A batch folds its rows into
 * the buffer restored from state, so the buffer must be mergeable and JSON-encodable (after encodeValue):
 * count and sum keep the running total, avg keeps [sum, count], min and max the extreme so far.
 */
export interface AggregateBuffer {
  init(): unknown;
  add(buffer: unknown, value: unknown): unknown;
  result(buffer: unknown): unknown;
}

export const STREAMING_AGGREGATES = ['count', 'sum', 'avg', 'mean', 'min', 'max'];

/**
 * The function an aggregate was built from. Spark names an aggregate column after its call ("count(1)",
 * "sum(x)", "count(DISTINCT x)"), which is what AggregateFn keeps; the function is the part before "(".
 */
export function aggregateBuffer(a: AggregateFn): AggregateBuffer {
  const m = /^(\w+)\((DISTINCT )?/i.exec(a.name);
  const fn = m?.[1]?.toLowerCase() ?? '';
  if (!m || m[2] || !STREAMING_AGGREGATES.includes(fn)) {
    throw new EddyError(
      'UNSUPPORTED',
      `the aggregate '${a.name}' is not supported in a streaming aggregation yet; streaming queries support ` +
        `${STREAMING_AGGREGATES.join(', ')} (without DISTINCT)`,
    );
  }
  switch (fn) {
    case 'count':
      return {
        init: () => 0n,
        // count(*) passes 1 for every row; count(x) skips nulls.
        add: (b, v) => (v === null ? b : (b as bigint) + 1n),
        result: (b) => b,
      };
    case 'sum':
      if (a.type.kind === 'long') {
        return {
          init: () => null,
          add: (b, v) =>
            v === null ? b : ((b as bigint | null) ?? 0n) + (typeof v === 'bigint' ? v : BigInt(v as number)),
          result: (b) => (b === null ? null : BigInt.asIntN(64, b as bigint)),
        };
      }
      return {
        init: () => null,
        add: (b, v) => (v === null ? b : ((b as number | null) ?? 0) + Number(v)),
        result: (b) => b,
      };
    case 'avg':
    case 'mean':
      return {
        init: () => [0, 0],
        add: (b, v) => {
          if (v === null) return b;
          const [s, n] = b as [number, number];
          return [s + Number(v), n + 1];
        },
        result: (b) => {
          const [s, n] = b as [number, number];
          return n === 0 ? null : s / n;
        },
      };
    default: {
      const sign = fn === 'min' ? -1 : 1;
      return {
        init: () => null,
        add: (b, v) => (v === null ? b : b === null || sign * compareValues(v, b) > 0 ? v : b),
        result: (b) => b,
      };
    }
  }
}
