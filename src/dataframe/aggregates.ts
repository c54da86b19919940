import { EddyError } from '../common/errors.js';
import type { Bound } from './bound.js';
import { mismatch } from './bound.js';
import { ArrayType, DoubleType, LongType, simpleString, type DataType } from './types.js';
import { compareValues, hashKey } from './values.js';

/** One group's running state of one aggregate. */
export interface Accumulator {
  add(v: unknown): void;
  result(): unknown;
}

/** A resolved aggregate function: its input expression (none for count(*)) and how to accumulate it. */
export interface AggregateFn {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  /** null for count(*), which counts rows. */
  readonly input: Bound | null;
  create(): Accumulator;
}

export const AGGREGATE_NAMES = new Set([
  'count',
  'sum',
  'avg',
  'mean',
  'min',
  'max',
  'count_distinct',
  'first',
  'last',
  'collect_list',
  'collect_set',
  'stddev',
  'stddev_samp',
  'variance',
  'var_samp',
]);

/** Builds an aggregate from its function name, argument (already bound) and DISTINCT flag. */
export function makeAggregate(fn: string, input: Bound | null, distinct: boolean, name: string): AggregateFn {
  const numeric = (): void => {
    if (!input) throw new EddyError('ANALYSIS_ERROR', `${fn}(*) is not allowed; name a column`);
    const k = input.type.kind;
    if (k !== 'int' && k !== 'long' && k !== 'double' && k !== 'null' && k !== 'string') {
      throw mismatch(name, `function ${fn} requires numeric type, not ${simpleString(input.type)} ('${input.name}')`);
    }
  };
  const need = (): Bound => {
    if (!input) throw new EddyError('ANALYSIS_ERROR', `${fn}(*) is not allowed; name a column`);
    return input;
  };
  const distinctWrap = (make: () => Accumulator): (() => Accumulator) =>
    distinct
      ? () => {
          const inner = make();
          const seen = new Set<unknown>();
          return {
            add(v) {
              if (v === null) return;
              const k = hashKey(v);
              if (seen.has(k)) return;
              seen.add(k);
              inner.add(v);
            },
            result: () => inner.result(),
          };
        }
      : make;
  switch (fn) {
    case 'count':
    case 'count_distinct':
      return {
        name,
        type: LongType,
        nullable: false,
        input,
        create: distinctWrap(() => {
          // Counted as a number (exact to 2^53), a bigint only at the end: n++ on a bigint allocates per row.
          let n = 0;
          return { add: (v) => void (input === null || v !== null ? n++ : 0), result: () => BigInt(n) };
        }),
      };
    case 'sum': {
      numeric();
      const isInt = input!.type.kind === 'int' || input!.type.kind === 'long';
      return {
        name,
        type: isInt ? LongType : DoubleType,
        nullable: true,
        input,
        create: distinctWrap(() => {
          let seen = false;
          let d = 0;
          let l = 0n;
          return {
            add(v) {
              if (v === null) return;
              seen = true;
              if (isInt) l += typeof v === 'bigint' ? v : BigInt(v as number);
              else d += typeof v === 'string' ? Number(v) : (v as number);
            },
            result: () => (!seen ? null : isInt ? BigInt.asIntN(64, l) : d),
          };
        }),
      };
    }
    case 'avg':
    case 'mean':
    case 'stddev':
    case 'stddev_samp':
    case 'variance':
    case 'var_samp': {
      numeric();
      const kind = fn === 'avg' || fn === 'mean' ? 'avg' : fn.startsWith('stddev') ? 'stddev' : 'var';
      return {
        name,
        type: DoubleType,
        nullable: true,
        input,
        create: distinctWrap(() => {
          // Welford's update keeps variance accurate where sum-of-squares would cancel.
          let n = 0;
          let mean = 0;
          let m2 = 0;
          return {
            add(v) {
              if (v === null) return;
              const x = Number(v);
              n++;
              const d = x - mean;
              mean += d / n;
              m2 += d * (x - mean);
            },
            result() {
              if (kind === 'avg') return n === 0 ? null : mean;
              if (n < 2) return n === 0 ? null : NaN;
              const variance = m2 / (n - 1);
              return kind === 'var' ? variance : Math.sqrt(variance);
            },
          };
        }),
      };
    }
    case 'min':
    case 'max': {
      const b = need();
      const sign = fn === 'min' ? -1 : 1;
      return {
        name,
        type: b.type,
        nullable: true,
        input,
        create() {
          let best: unknown = null;
          return {
            add(v) {
              if (v !== null && (best === null || compareValues(v, best) * sign > 0)) best = v;
            },
            result: () => best,
          };
        },
      };
    }
    case 'first':
    case 'last': {
      const b = need();
      const isFirst = fn === 'first';
      return {
        name,
        type: b.type,
        nullable: true,
        input,
        create() {
          let val: unknown = null;
          let seen = false;
          return {
            add(v) {
              if (isFirst && seen) return;
              seen = true;
              val = v;
            },
            result: () => val,
          };
        },
      };
    }
    case 'collect_list':
    case 'collect_set': {
      const b = need();
      const set = fn === 'collect_set';
      return {
        name,
        type: ArrayType(b.type, false),
        nullable: false,
        input,
        create() {
          const out: unknown[] = [];
          const seen = new Set<unknown>();
          return {
            add(v) {
              if (v === null) return;
              if (set) {
                const k = hashKey(v);
                if (seen.has(k)) return;
                seen.add(k);
              }
              out.push(v);
            },
            result: () => out,
          };
        },
      };
    }
    default:
      throw new EddyError('INTERNAL', `unknown aggregate ${fn}`);
  }
}
