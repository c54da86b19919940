import { EddyError } from '../../common/errors.js';
import type { AggregateFn } from '../../dataframe/aggregates.js';
import type { ColumnVector } from '../../dataframe/column-vector.js';
import { compareValues } from '../../dataframe/values.js';

/**
 * The per-group buffer of one aggregate kept in the state store between batches. A batch folds its rows into
 * the buffer restored from state, so the buffer must be mergeable and JSON-encodable (after encodeValue):
 * count and sum keep the running total, avg keeps [sum, count], min and max the extreme so far.
 *
 * A micro-batch first folds its rows into partial buffers per group of the batch (`partial()`, column at a time:
 * count(*) is a typed-array increment per row), then each group's partial buffer is merged once into the buffer
 * restored from state, so state is touched once per group the batch changed, not once per row.
 */
export interface AggregateBuffer {
  init(): unknown;
  add(buffer: unknown, value: unknown): unknown;
  /** The buffer of two row sets' buffers together. */
  merge(a: unknown, b: unknown): unknown;
  result(buffer: unknown): unknown;
  partial(): PartialBuffers;
}

/** One batch's buffers, one per group id of the batch (GroupIndex ids). */
export interface PartialBuffers {
  /** Folds rows [0, numRows) into their groups; ids are below numGroups. input is null for count(*). */
  add(gids: Int32Array, input: ColumnVector | null, numRows: number, numGroups: number): void;
  /** Group g's buffer, in the format of init()/add(). */
  buffer(g: number): unknown;
}

/** Partial buffers through add(), for any aggregate. */
function genericPartial(buf: Pick<AggregateBuffer, 'init' | 'add'>): PartialBuffers {
  const bufs: unknown[] = [];
  return {
    add(gids, input, numRows, numGroups) {
      while (bufs.length < numGroups) bufs.push(buf.init());
      for (let i = 0; i < numRows; i++) {
        const g = gids[i]!;
        bufs[g] = buf.add(bufs[g], input ? input.get(i) : 1);
      }
    },
    buffer: (g) => (g < bufs.length ? bufs[g] : buf.init()),
  };
}

/** count(*) and count(x) per group in a Float64Array (exact up to 2^53 rows). */
function countPartial(): PartialBuffers {
  let counts = new Float64Array(1024);
  return {
    add(gids, input, numRows, numGroups) {
      if (counts.length < numGroups) {
        const next = new Float64Array(Math.max(numGroups, counts.length * 2));
        next.set(counts);
        counts = next;
      }
      // count(*), or count(x) over a typed column without nulls: every row counts.
      if (input === null || (input.validity === null && !Array.isArray(input.data))) {
        for (let i = 0; i < numRows; i++) counts[gids[i]!]!++;
      } else {
        for (let i = 0; i < numRows; i++) if (input.get(i) !== null) counts[gids[i]!]!++;
      }
    },
    buffer: (g) => (g < counts.length ? counts[g]! : 0),
  };
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
        // The buffer is a number (exact to 2^53 rows), so a state column of counts holds plain doubles, not one
        // BigInt object per group; the result is Spark's long. Checkpoints written before kept counts as longs.
        init: () => 0,
        // count(*) passes 1 for every row; count(x) skips nulls.
        add: (b, v) => (v === null ? b : (b as number) + 1),
        merge: (a, b) => Number(a) + Number(b),
        result: (b) => BigInt(b as number | bigint),
        partial: countPartial,
      };
    case 'sum':
      if (a.type.kind === 'long') {
        return withPartial({
          init: () => null,
          add: (b, v) =>
            v === null ? b : ((b as bigint | null) ?? 0n) + (typeof v === 'bigint' ? v : BigInt(v as number)),
          merge: (x, y) => (x === null ? y : y === null ? x : (x as bigint) + (y as bigint)),
          result: (b) => (b === null ? null : BigInt.asIntN(64, b as bigint)),
        });
      }
      return withPartial({
        init: () => null,
        add: (b, v) => (v === null ? b : ((b as number | null) ?? 0) + Number(v)),
        merge: (x, y) => (x === null ? y : y === null ? x : (x as number) + (y as number)),
        result: (b) => b,
      });
    case 'avg':
    case 'mean':
      return withPartial({
        init: () => [0, 0],
        add: (b, v) => {
          if (v === null) return b;
          const [s, n] = b as [number, number];
          return [s + Number(v), n + 1];
        },
        merge: (x, y) => {
          const [s1, n1] = x as [number, number];
          const [s2, n2] = y as [number, number];
          return [s1 + s2, n1 + n2];
        },
        result: (b) => {
          const [s, n] = b as [number, number];
          return n === 0 ? null : s / n;
        },
      });
    default: {
      const sign = fn === 'min' ? -1 : 1;
      const add = (b: unknown, v: unknown): unknown =>
        v === null ? b : b === null || sign * compareValues(v, b) > 0 ? v : b;
      return withPartial({ init: () => null, add, merge: add, result: (b) => b });
    }
  }
}

function withPartial(b: Omit<AggregateBuffer, 'partial'>): AggregateBuffer {
  return { ...b, partial: () => genericPartial(b) };
}
