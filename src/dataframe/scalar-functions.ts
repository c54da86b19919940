import { EddyError, describeValue } from '../common/errors.js';
import { arity, constant } from './function-args.js';
import { literalPattern, splitLiteral } from './split-literal.js';
import { tumblingWindow, windowSpec } from './windows.js';
import { coerce, mismatch, requireType, rowwise, widerType, type AnalysisContext, type Bound } from './bound.js';
import { ColumnVector } from './column-vector.js';
import {
  ArrayType,
  BooleanType,
  DoubleType,
  IntegerType,
  LongType,
  NullType,
  StringType,
  StructType,
  TimestampType,
  simpleString,
  type DataType,
} from './types.js';
import { compareValues, parseTimestamp } from './values.js';
import { Vector } from './vector.js';

type Impl = (args: Bound[], name: string, ctx: AnalysisContext) => Bound;

function stringFn(fn: string, f: (s: string) => unknown, type: DataType = StringType): Impl {
  return (args, name) => {
    arity(fn, args, 1);
    const a = coerce(args[0]!, StringType);
    return rowwise(name, type, [a], (v) => f(v[0] as string));
  };
}

function mathFn(fn: string, f: (x: number) => number): Impl {
  return (args, name) => {
    arity(fn, args, 1);
    requireType(name, args[0]!, '1', 'int', 'long', 'double', 'string');
    const a = coerce(args[0]!, DoubleType);
    return rowwise(name, DoubleType, [a], (v) => {
      const r = f(v[0] as number);
      return Number.isNaN(r) && !Number.isNaN(v[0]) ? null : r;
    });
  };
}

/** SQL LIKE to a RegExp: % any run, _ one character, \ escapes. */
export function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u');
}

function regex(b: Bound, fn: string): RegExp {
  const p = constant(b, fn, 'pattern');
  try {
    return new RegExp(String(p), 'gu');
  } catch (e) {
    throw new EddyError(
      'ANALYSIS_ERROR',
      `${fn}(): pattern ${describeValue(p)} is not a valid regular expression: ${(e as Error).message}`,
    );
  }
}

function substringSql(s: string, pos: number, len: number): string {
  const chars = [...s];
  const start = pos > 0 ? pos - 1 : pos < 0 ? chars.length + pos : 0;
  const end = len === Infinity ? chars.length : start + len;
  const from = Math.max(start, 0);
  return from >= end ? '' : chars.slice(from, Math.min(end, chars.length)).join('');
}

/** Java DateTimeFormatter patterns as to_timestamp uses them, turned into a RegExp with named fields. */
function formatRegExp(fmt: string): RegExp {
  const tokens: [string, string][] = [
    ['yyyy', '(?<y>\\d{4})'],
    ['MM', '(?<M>\\d{1,2})'],
    ['dd', '(?<d>\\d{1,2})'],
    ['HH', '(?<H>\\d{1,2})'],
    ['mm', '(?<m>\\d{1,2})'],
    ['ss', '(?<s>\\d{1,2})'],
    ['SSS', '(?<S>\\d{1,3})'],
    ['XXX', '(?<z>Z|[+-]\\d{2}:\\d{2})'],
  ];
  let re = '';
  for (let i = 0; i < fmt.length;) {
    const tok = tokens.find(([t]) => fmt.startsWith(t, i));
    if (tok) {
      re += tok[1];
      i += tok[0].length;
    } else if (fmt[i] === "'") {
      const end = fmt.indexOf("'", i + 1);
      re += fmt.slice(i + 1, end < 0 ? undefined : end).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i = end < 0 ? fmt.length : end + 1;
    } else {
      re += fmt[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${re}$`);
}

function parseWithFormat(s: string, re: RegExp): number | null {
  const g = re.exec(s.trim())?.groups;
  if (!g) return null;
  const iso = `${g['y'] ?? '1970'}-${(g['M'] ?? '1').padStart(2, '0')}-${(g['d'] ?? '1').padStart(2, '0')} ${(g['H'] ?? '0').padStart(2, '0')}:${(g['m'] ?? '0').padStart(2, '0')}:${(g['s'] ?? '0').padStart(2, '0')}.${(g['S'] ?? '0').padEnd(3, '0')}${g['z'] ?? ''}`;
  return parseTimestamp(iso);
}

export const SCALAR_FUNCTIONS: Record<string, Impl> = {
  not(args, name) {
    arity('not', args, 1);
    if (args[0]!.type.kind !== 'boolean' && args[0]!.type.kind !== 'null')
      throw mismatch(
        name,
        `argument 1 requires boolean type, but '${args[0]!.name}' is of ${simpleString(args[0]!.type)} type`,
      );
    return rowwise(name, BooleanType, args, (v) => !v[0]);
  },
  negative(args, name) {
    arity('negative', args, 1);
    requireType(name, args[0]!, '1', 'int', 'long', 'double');
    return rowwise(name, args[0]!.type, args, (v) => (typeof v[0] === 'bigint' ? -v[0] : -(v[0] as number)));
  },
  isnull: (args, name) => (arity('isnull', args, 1), nullTest(args[0]!, name, false)),
  isnotnull: (args, name) => (arity('isnotnull', args, 1), nullTest(args[0]!, name, true)),
  in(args, name) {
    arity('in', args, 1, Infinity);
    let t: DataType = args[0]!.type;
    for (const a of args.slice(1))
      t = widerType(t, a.type) ?? (mismatch(name, `IN list values must be of the type of ${args[0]!.name}`) as never);
    const cs = args.map((a) => coerce(a, t));
    return rowwise(
      name,
      BooleanType,
      cs,
      (v) => {
        if (v[0] === null) return null;
        let sawNull = false;
        for (let i = 1; i < v.length; i++) {
          if (v[i] === null) sawNull = true;
          else if (compareValues(v[0], v[i]) === 0) return true;
        }
        return sawNull ? null : false;
      },
      { nullSafe: true },
    );
  },
  like(args, name) {
    arity('like', args, 2);
    const re = likeToRegExp(String(constant(args[1]!, 'like', 'pattern')));
    return rowwise(name, BooleanType, [coerce(args[0]!, StringType)], (v) => re.test(v[0] as string));
  },
  rlike(args, name) {
    arity('rlike', args, 2);
    const re = new RegExp(regex(args[1]!, 'rlike').source, 'u');
    return rowwise(name, BooleanType, [coerce(args[0]!, StringType)], (v) => re.test(v[0] as string));
  },
  contains: (args, name) =>
    rowwise(
      name,
      BooleanType,
      args.map((a) => coerce(a, StringType)),
      (v) => (v[0] as string).includes(v[1] as string),
    ),
  startswith: (args, name) =>
    rowwise(
      name,
      BooleanType,
      args.map((a) => coerce(a, StringType)),
      (v) => (v[0] as string).startsWith(v[1] as string),
    ),
  endswith: (args, name) =>
    rowwise(
      name,
      BooleanType,
      args.map((a) => coerce(a, StringType)),
      (v) => (v[0] as string).endsWith(v[1] as string),
    ),
  upper: stringFn('upper', (s) => s.toUpperCase()),
  lower: stringFn('lower', (s) => s.toLowerCase()),
  // Spark's trim removes spaces only, not every whitespace character.
  trim: stringFn('trim', (s) => s.replace(/^ +| +$/g, '')),
  ltrim: stringFn('ltrim', (s) => s.replace(/^ +/, '')),
  rtrim: stringFn('rtrim', (s) => s.replace(/ +$/, '')),
  reverse: stringFn('reverse', (s) => [...s].reverse().join('')),
  initcap: stringFn('initcap', (s) =>
    s.toLowerCase().replace(/(^|\s)(\S)/g, (_m, a: string, b: string) => a + b.toUpperCase()),
  ),
  length(args, name) {
    arity('length', args, 1);
    if (args[0]!.type.kind === 'binary') return rowwise(name, IntegerType, args, (v) => (v[0] as Uint8Array).length);
    return rowwise(name, IntegerType, [coerce(args[0]!, StringType)], (v) => [...(v[0] as string)].length);
  },
  regexp_replace(args, name) {
    arity('regexp_replace', args, 3);
    const re = regex(args[1]!, 'regexp_replace');
    const rep = String(constant(args[2]!, 'regexp_replace', 'replacement'));
    return rowwise(name, StringType, [coerce(args[0]!, StringType)], (v) => (v[0] as string).replace(re, rep));
  },
  regexp_extract(args, name) {
    arity('regexp_extract', args, 3);
    const re = new RegExp(regex(args[1]!, 'regexp_extract').source, 'u');
    const idx = Number(constant(args[2]!, 'regexp_extract', 'group index'));
    return rowwise(name, StringType, [coerce(args[0]!, StringType)], (v) => re.exec(v[0] as string)?.[idx] ?? '');
  },
  substring(args, name) {
    arity('substring', args, 2, 3);
    const s = coerce(args[0]!, StringType);
    const rest = args.slice(1).map((a) => coerce(a, IntegerType));
    return rowwise(name, StringType, [s, ...rest], (v) =>
      substringSql(v[0] as string, v[1] as number, v.length > 2 ? (v[2] as number) : Infinity),
    );
  },
  concat(args, name) {
    arity('concat', args, 1, Infinity);
    if (args.every((a) => a.type.kind === 'array')) {
      return rowwise(name, args[0]!.type, args, (v) => (v as unknown[][]).flat(1));
    }
    return rowwise(
      name,
      StringType,
      args.map((a) => coerce(a, StringType)),
      (v) => v.join(''),
    );
  },
  concat_ws(args, name) {
    arity('concat_ws', args, 1, Infinity);
    const sep = String(constant(args[0]!, 'concat_ws', 'separator'));
    const rest = args.slice(1).map((a) => (a.type.kind === 'array' ? a : coerce(a, StringType)));
    return rowwise(
      name,
      StringType,
      rest,
      (v) =>
        v
          .flat(1)
          .filter((x) => x !== null)
          .join(sep),
      { nullSafe: true, nullable: false },
    );
  },
  split(args, name) {
    arity('split', args, 2, 3);
    const re = regex(args[1]!, 'split');
    const limit = args.length > 2 ? Number(constant(args[2]!, 'split', 'limit')) : -1;
    const literal = literalPattern(String(constant(args[1]!, 'split', 'pattern')));
    if (literal !== null && limit <= 0) return splitLiteral(coerce(args[0]!, StringType), literal, name);
    return rowwise(name, ArrayType(StringType, false), [coerce(args[0]!, StringType)], (v) => {
      const str = v[0] as string;
      if (limit <= 0) return str.split(re);
      // Java's split with a limit keeps the unsplit remainder in the last element.
      const out: string[] = [];
      let last = 0;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while (out.length < limit - 1 && (m = re.exec(str)) !== null) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        out.push(str.slice(last, m.index));
        last = m.index + m[0].length;
      }
      out.push(str.slice(last));
      return out;
    });
  },
  coalesce(args, name) {
    arity('coalesce', args, 1, Infinity);
    let t: DataType = NullType;
    for (const a of args)
      t = widerType(t, a.type) ?? (mismatch(name, `all arguments of coalesce must have a common type`) as never);
    const cs = args.map((a) => coerce(a, t));
    return rowwise(name, t, cs, (v) => v.find((x) => x !== null) ?? null, {
      nullSafe: true,
      nullable: cs.every((c) => c.nullable),
    });
  },
  nvl: (args, name, ctx) => SCALAR_FUNCTIONS['coalesce']!(args, name, ctx),
  ifnull: (args, name, ctx) => SCALAR_FUNCTIONS['coalesce']!(args, name, ctx),
  current_timestamp(args, name, ctx) {
    arity('current_timestamp', args, 0);
    return {
      type: TimestampType,
      nullable: false,
      name,
      eval: (b) => ColumnVector.constant(TimestampType, ctx.now, b.numRows),
    };
  },
  now: (args, name, ctx) => SCALAR_FUNCTIONS['current_timestamp']!(args, name, ctx),
  to_timestamp(args, name) {
    arity('to_timestamp', args, 1, 2);
    if (args.length === 1) return coerce(args[0]!, TimestampType);
    const re = formatRegExp(String(constant(args[1]!, 'to_timestamp', 'format')));
    return rowwise(name, TimestampType, [coerce(args[0]!, StringType)], (v) => parseWithFormat(v[0] as string, re), {
      nullable: true,
    });
  },
  window(args, name) {
    const w = windowSpec(args, name);
    if (w.slide !== w.duration) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `sliding window '${name}' puts a row in several windows; use it as a groupBy() key, where Eddy expands the rows`,
      );
    }
    return tumblingWindow(args[0]!, w, name);
  },
  abs(args, name) {
    arity('abs', args, 1);
    requireType(name, args[0]!, '1', 'int', 'long', 'double');
    return rowwise(name, args[0]!.type, args, (v) =>
      typeof v[0] === 'bigint' ? (v[0] < 0n ? -v[0] : v[0]) : Math.abs(v[0] as number),
    );
  },
  sqrt: mathFn('sqrt', Math.sqrt),
  exp: mathFn('exp', Math.exp),
  log: mathFn('log', (x) => (x <= 0 ? NaN : Math.log(x))),
  log10: mathFn('log10', (x) => (x <= 0 ? NaN : Math.log10(x))),
  floor: (args, name) =>
    rowwise(name, LongType, [coerce(args[0]!, DoubleType)], (v) => BigInt(Math.floor(v[0] as number))),
  ceil: (args, name) =>
    rowwise(name, LongType, [coerce(args[0]!, DoubleType)], (v) => BigInt(Math.ceil(v[0] as number))),
  pow(args, name) {
    arity('pow', args, 2);
    return rowwise(
      name,
      DoubleType,
      args.map((a) => coerce(a, DoubleType)),
      (v) => Math.pow(v[0] as number, v[1] as number),
    );
  },
  round(args, name) {
    arity('round', args, 1, 2);
    const scale = args.length > 1 ? Number(constant(args[1]!, 'round', 'scale')) : 0;
    const t = args[0]!.type;
    if (t.kind === 'int' || t.kind === 'long') return args[0]!;
    requireType(name, args[0]!, '1', 'double');
    const f = 10 ** scale;
    // HALF_UP, as Spark rounds: away from zero on .5.
    return rowwise(
      name,
      DoubleType,
      [args[0]!],
      (v) => (Math.sign(v[0] as number) * Math.round(Math.abs(v[0] as number) * f)) / f,
    );
  },
  size(args, name) {
    arity('size', args, 1);
    requireType(name, args[0]!, '1', 'array', 'vector');
    return rowwise(name, IntegerType, args, (v) => (v[0] instanceof Vector ? v[0].size : (v[0] as unknown[]).length));
  },
  element_at(args, name) {
    arity('element_at', args, 2);
    const a = args[0]!;
    if (a.type.kind === 'vector')
      return rowwise(name, DoubleType, [a, coerce(args[1]!, IntegerType)], (v) =>
        (v[0] as Vector).get((v[1] as number) - 1),
      );
    if (a.type.kind !== 'array')
      throw mismatch(name, `element_at needs an array, but '${a.name}' is of ${simpleString(a.type)} type`);
    return rowwise(
      name,
      a.type.elementType,
      [a, coerce(args[1]!, IntegerType)],
      (v) => {
        const arr = v[0] as unknown[];
        const i = v[1] as number;
        return (i > 0 ? arr[i - 1] : arr[arr.length + i]) ?? null;
      },
      { nullable: true },
    );
  },
  array_contains(args, name) {
    arity('array_contains', args, 2);
    requireType(name, args[0]!, '1', 'array');
    return rowwise(name, BooleanType, args, (v) =>
      (v[0] as unknown[]).some((x) => x !== null && compareValues(x, v[1]) === 0),
    );
  },
  array(args, name) {
    let t: DataType = NullType;
    for (const a of args) t = widerType(t, a.type) ?? (mismatch(name, 'array elements need a common type') as never);
    return rowwise(
      name,
      ArrayType(t.kind === 'null' ? StringType : t),
      args.map((a) => coerce(a, t)),
      (v) => [...v],
      { nullSafe: true, nullable: false },
    );
  },
  struct(args, name) {
    const type = new StructType(args.map((a) => ({ name: a.name, dataType: a.type, nullable: a.nullable })));
    return rowwise(name, type, args, (v) => Object.fromEntries(args.map((a, i) => [a.name, v[i]])), {
      nullSafe: true,
      nullable: false,
    });
  },
  get_field(args, name) {
    const a = args[0]!;
    const f = String(constant(args[1]!, 'get_field', 'field name'));
    if (a.type.kind !== 'struct' || a.type.indexOf(f) < 0)
      throw mismatch(name, `'${a.name}' has no struct field ${describeValue(f)}`);
    const field = a.type.fields[a.type.indexOf(f)]!;
    return rowwise(
      `${a.name}.${field.name}`,
      field.dataType,
      [a],
      (v) => (v[0] as Record<string, unknown>)[field.name] ?? null,
      { nullable: true },
    );
  },
};

/**
 * IS NULL / IS NOT NULL, column at a time: a column of a typed array with no validity holds no null, so the answer
 * is one fill; otherwise each row is asked.
 */
function nullTest(arg: Bound, name: string, notNull: boolean): Bound {
  return {
    type: BooleanType,
    nullable: false,
    name,
    eval(batch) {
      const c = arg.eval(batch);
      const n = batch.numRows;
      const out = new Uint8Array(n);
      if (c.validity === null && !Array.isArray(c.data)) out.fill(notNull ? 1 : 0);
      else for (let i = 0; i < n; i++) out[i] = (c.get(i) !== null) === notNull ? 1 : 0;
      return new ColumnVector(BooleanType, n, out, null);
    },
  };
}
