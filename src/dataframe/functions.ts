import { Column, toExpr, type ColumnOrName, type Expr, type Literal, type UserFunction } from './column.js';
import type { ColumnVector } from './column-vector.js';
import { parseDataType, type DataType } from './types.js';
import { parseExpression, parseNamedExpression } from './parser.js';

/**
 * The functions of Spark's `org.apache.spark.sql.functions`, as far as Eddy implements them. Each returns an
 * unresolved Column; the DataFrame that uses it checks names and types.
 */

function call(name: string, ...args: (ColumnOrName | Expr)[]): Column {
  return new Column({
    k: 'fn',
    name,
    args: args.map((a) => (typeof a === 'string' || a instanceof Column ? toExpr(a) : a)),
  });
}
const litExpr = (v: Literal): Expr => ({ k: 'lit', value: v });

export function col(name: string): Column {
  return new Column(toExpr(name));
}
export const column = col;
export function lit(value: Literal | Column): Column {
  return value instanceof Column ? value : new Column(litExpr(value));
}
/** Parses a SQL expression: expr("a + 1 AS b"). */
export function expr(sql: string): Column {
  return new Column(parseNamedExpression(sql));
}
/** Parses a SQL predicate or expression without alias. */
export function sqlExpr(sql: string): Column {
  return new Column(parseExpression(sql));
}
export function when(condition: Column, value: Column | Literal): Column {
  return new Column({ k: 'case', branches: [[condition.expr, value instanceof Column ? value.expr : litExpr(value)]] });
}
export function not(c: Column): Column {
  return c.not();
}
export function and(...cs: Column[]): Column {
  return cs.reduce((a, b) => a.and(b));
}
export function or(...cs: Column[]): Column {
  return cs.reduce((a, b) => a.or(b));
}
export function isnull(c: ColumnOrName): Column {
  return call('isnull', c);
}
export function isnotnull(c: ColumnOrName): Column {
  return call('isnotnull', c);
}
export function coalesce(...cs: ColumnOrName[]): Column {
  return call('coalesce', ...cs);
}
export function upper(c: ColumnOrName): Column {
  return call('upper', c);
}
export function lower(c: ColumnOrName): Column {
  return call('lower', c);
}
export function trim(c: ColumnOrName): Column {
  return call('trim', c);
}
export function ltrim(c: ColumnOrName): Column {
  return call('ltrim', c);
}
export function rtrim(c: ColumnOrName): Column {
  return call('rtrim', c);
}
export function length(c: ColumnOrName): Column {
  return call('length', c);
}
export function regexp_replace(c: ColumnOrName, pattern: string, replacement: string): Column {
  return call('regexp_replace', c, litExpr(pattern), litExpr(replacement));
}
export function regexp_extract(c: ColumnOrName, pattern: string, idx: number): Column {
  return call('regexp_extract', c, litExpr(pattern), litExpr(idx));
}
/** 1-based, as SQL's substring. */
export function substring(c: ColumnOrName, pos: number, len: number): Column {
  return call('substring', c, litExpr(pos), litExpr(len));
}
export function concat(...cs: ColumnOrName[]): Column {
  return call('concat', ...cs);
}
export function concat_ws(sep: string, ...cs: ColumnOrName[]): Column {
  return call('concat_ws', litExpr(sep), ...cs);
}
/** Splits a string around matches of a regular expression (Java's split with limit -1 by default). */
export function split(c: ColumnOrName, pattern: string, limit = -1): Column {
  return limit === -1 ? call('split', c, litExpr(pattern)) : call('split', c, litExpr(pattern), litExpr(limit));
}
export function explode(c: ColumnOrName): Column {
  return call('explode', c);
}
export function explode_outer(c: ColumnOrName): Column {
  return call('explode_outer', c);
}
export function size(c: ColumnOrName): Column {
  return call('size', c);
}
export function element_at(c: ColumnOrName, index: number): Column {
  return call('element_at', c, litExpr(index));
}
export function array(...cs: ColumnOrName[]): Column {
  return call('array', ...cs);
}
export function struct(...cs: ColumnOrName[]): Column {
  return call('struct', ...cs);
}
export function array_contains(c: ColumnOrName, value: Literal): Column {
  return call('array_contains', c, litExpr(value));
}
export function current_timestamp(): Column {
  return call('current_timestamp');
}
export function to_timestamp(c: ColumnOrName, format?: string): Column {
  return format === undefined ? call('to_timestamp', c) : call('to_timestamp', c, litExpr(format));
}
/**
 * Event-time windows, as Spark's window(): a struct column {start, end}. With a slide shorter than the
 * duration a row falls in several windows; use that form as a groupBy() key.
 */
export function window(
  timeColumn: ColumnOrName,
  windowDuration: string,
  slideDuration?: string,
  startTime?: string,
): Column {
  const args: Expr[] = [toExpr(timeColumn), litExpr(windowDuration)];
  if (slideDuration !== undefined || startTime !== undefined) args.push(litExpr(slideDuration ?? windowDuration));
  if (startTime !== undefined) args.push(litExpr(startTime));
  return new Column({ k: 'fn', name: 'window', args });
}
export function abs(c: ColumnOrName): Column {
  return call('abs', c);
}
export function sqrt(c: ColumnOrName): Column {
  return call('sqrt', c);
}
export function exp(c: ColumnOrName): Column {
  return call('exp', c);
}
export function log(c: ColumnOrName): Column {
  return call('log', c);
}
export function pow(a: ColumnOrName, b: ColumnOrName | number): Column {
  return call('pow', a, typeof b === 'number' ? litExpr(b) : b);
}
export function round(c: ColumnOrName, scale = 0): Column {
  return call('round', c, litExpr(scale));
}
export function floor(c: ColumnOrName): Column {
  return call('floor', c);
}
export function ceil(c: ColumnOrName): Column {
  return call('ceil', c);
}
export function asc(name: string): Column {
  return col(name).asc();
}
export function desc(name: string): Column {
  return col(name).desc();
}

// Aggregates.
/** count("*") counts rows; count(col) counts non-null values. */
export function count(c: ColumnOrName): Column {
  return call('count', c);
}
export function sum(c: ColumnOrName): Column {
  return call('sum', c);
}
export function avg(c: ColumnOrName): Column {
  return call('avg', c);
}
export function mean(c: ColumnOrName): Column {
  return call('avg', c);
}
export function min(c: ColumnOrName): Column {
  return call('min', c);
}
export function max(c: ColumnOrName): Column {
  return call('max', c);
}
export function count_distinct(c: ColumnOrName, ...more: ColumnOrName[]): Column {
  return new Column({ k: 'fn', name: 'count', args: [c, ...more].map(toExpr), distinct: true });
}
export const countDistinct = count_distinct;
export function sum_distinct(c: ColumnOrName): Column {
  return new Column({ k: 'fn', name: 'sum', args: [toExpr(c)], distinct: true });
}
export function first(c: ColumnOrName): Column {
  return call('first', c);
}
export function last(c: ColumnOrName): Column {
  return call('last', c);
}
export function collect_list(c: ColumnOrName): Column {
  return call('collect_list', c);
}
export function collect_set(c: ColumnOrName): Column {
  return call('collect_set', c);
}
export function stddev(c: ColumnOrName): Column {
  return call('stddev', c);
}
export function variance(c: ColumnOrName): Column {
  return call('variance', c);
}

/**
 * A row-wise user function, as Spark's udf(): udf((a, b) => a + b, 'double')(col('x'), col('y')).
 * It receives and returns internal values (long as bigint, timestamp as epoch ms); a null argument gives
 * null without calling it unless nullIntolerant is false.
 */
export function udf(
  fn: (...args: never[]) => unknown,
  returnType: DataType | string,
  options: { name?: string; nullIntolerant?: boolean } = {},
): (...cols: ColumnOrName[]) => Column {
  const u: UserFunction = {
    name: options.name ?? (fn.name || 'udf'),
    returnType: typeof returnType === 'string' ? parseDataType(returnType) : returnType,
    row: fn as (...args: unknown[]) => unknown,
    nullIntolerant: options.nullIntolerant ?? true,
  };
  return (...cols) => new Column({ k: 'udf', udf: u, args: cols.map(toExpr) });
}

/**
 * A columnar user function: it gets whole argument columns of a batch and returns a column of the same
 * length and of returnType, e.g. a feature assembler building one vector column from numeric columns.
 */
export function columnarUdf(
  fn: (args: readonly ColumnVector[], numRows: number) => ColumnVector,
  returnType: DataType | string,
  name = fn.name || 'udf',
): (...cols: ColumnOrName[]) => Column {
  const u: UserFunction = {
    name,
    returnType: typeof returnType === 'string' ? parseDataType(returnType) : returnType,
    columnar: fn,
  };
  return (...cols) => new Column({ k: 'udf', udf: u, args: cols.map(toExpr) });
}
