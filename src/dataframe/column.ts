import { EddyError, describeValue } from '../common/errors.js';
import { parseDataType, sqlName, type DataType } from './types.js';

/**
 * The unresolved expression tree behind a Column. It names columns and functions but knows no types: the
 * analyzer (analyzer.ts) binds it to a schema when a DataFrame is built, which is where unknown columns and
 * type errors are reported.
 */
export type Expr =
  /** `from` ties a column to the DataFrame it came from (df.col('id')), for joins; `index` binds by position. */
  | { readonly k: 'col'; readonly name: string; readonly from?: object; readonly index?: number }
  | { readonly k: 'star' }
  | { readonly k: 'lit'; readonly value: unknown }
  | { readonly k: 'fn'; readonly name: string; readonly args: readonly Expr[]; readonly distinct?: boolean }
  | { readonly k: 'alias'; readonly child: Expr; readonly name: string }
  | { readonly k: 'cast'; readonly child: Expr; readonly to: DataType }
  | { readonly k: 'case'; readonly branches: readonly (readonly [Expr, Expr])[]; readonly otherwise?: Expr }
  | { readonly k: 'sort'; readonly child: Expr; readonly asc: boolean; readonly nullsFirst: boolean }
  /** A user function: row-wise over internal values, or columnar over whole argument columns. */
  | { readonly k: 'udf'; readonly udf: UserFunction; readonly args: readonly Expr[] };

/** See functions.ts udf() and columnarUdf(). */
export interface UserFunction {
  readonly name: string;
  readonly returnType: DataType;
  /** Row-wise: internal argument values in, an internal value (or null) out. */
  readonly row?: (...args: unknown[]) => unknown;
  /** Columnar: the argument columns of a batch in, a column of the same length out. */
  readonly columnar?: (
    args: readonly import('./column-vector.js').ColumnVector[],
    numRows: number,
  ) => import('./column-vector.js').ColumnVector;
  /** Null arguments give null without calling the function (default true for row-wise functions). */
  readonly nullIntolerant?: boolean;
}

const BINARY_SQL: Record<string, string> = {
  '+': '+',
  '-': '-',
  '*': '*',
  '/': '/',
  '%': '%',
  '=': '=',
  '<=>': '<=>',
  '!=': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  and: 'AND',
  or: 'OR',
};

/** The column name Spark generates for an expression: "(a + 1)", "upper(s)", "count(1)", "CAST(x AS STRING)". */
export function exprName(e: Expr): string {
  switch (e.k) {
    case 'col':
      return e.name;
    case 'star':
      return '*';
    case 'lit':
      return literalName(e.value);
    case 'alias':
      return e.name;
    case 'cast':
      return `CAST(${exprName(e.child)} AS ${sqlName(e.to)})`;
    case 'sort':
      return `${exprName(e.child)} ${e.asc ? 'ASC' : 'DESC'} NULLS ${e.nullsFirst ? 'FIRST' : 'LAST'}`;
    case 'case': {
      const parts = e.branches.map(([c, v]) => ` WHEN ${exprName(c)} THEN ${exprName(v)}`).join('');
      return `CASE${parts}${e.otherwise ? ` ELSE ${exprName(e.otherwise)}` : ''} END`;
    }
    case 'udf':
      return `${e.udf.name}(${e.args.map(exprName).join(', ')})`;
    case 'fn': {
      const op = BINARY_SQL[e.name];
      if (op && e.args.length === 2) return `(${exprName(e.args[0]!)} ${op} ${exprName(e.args[1]!)})`;
      if (e.name === 'not') return `(NOT ${exprName(e.args[0]!)})`;
      if (e.name === 'negative') return `(- ${exprName(e.args[0]!)})`;
      if (e.name === 'isnull') return `(${exprName(e.args[0]!)} IS NULL)`;
      if (e.name === 'isnotnull') return `(${exprName(e.args[0]!)} IS NOT NULL)`;
      if (e.name === 'count' && e.args.length === 1 && e.args[0]!.k === 'star') return 'count(1)';
      const args = e.args.map(exprName).join(', ');
      return `${e.name}(${e.distinct ? 'DISTINCT ' : ''}${args})`;
    }
  }
}

function literalName(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) return `TIMESTAMP '${v.toISOString().replace('T', ' ').replace('Z', '')}'`;
  if (typeof v === 'bigint') return `${v}L`;
  return String(v);
}

/** The name a select list item gets: an alias, a column's own name, or the generated name (a cast keeps its column's name). */
export function outputName(e: Expr): string {
  if (e.k === 'cast' && (e.child.k === 'col' || e.child.k === 'alias')) return outputName(e.child);
  if (e.k === 'col') return e.name;
  // Spark names a window() column "window", whatever its arguments.
  if (e.k === 'fn' && e.name === 'window') return 'window';
  return exprName(e);
}

export type ColumnOrName = Column | string;
export type Literal = string | number | bigint | boolean | Date | Uint8Array | null;

export function toExpr(c: ColumnOrName): Expr {
  return typeof c === 'string' ? (c === '*' ? { k: 'star' } : { k: 'col', name: c }) : c.expr;
}

function valueExpr(v: Column | Literal): Expr {
  return v instanceof Column ? v.expr : { k: 'lit', value: v };
}

/**
 * A column expression, as Spark's Column: built with col(), lit() and the functions in functions.ts, combined
 * with the methods below, and resolved against a DataFrame's schema only when used in one.
 */
export class Column {
  constructor(readonly expr: Expr) {}

  private bin(name: string, other: Column | Literal): Column {
    return new Column({ k: 'fn', name, args: [this.expr, valueExpr(other)] });
  }

  plus(o: Column | Literal): Column {
    return this.bin('+', o);
  }
  minus(o: Column | Literal): Column {
    return this.bin('-', o);
  }
  multiply(o: Column | Literal): Column {
    return this.bin('*', o);
  }
  divide(o: Column | Literal): Column {
    return this.bin('/', o);
  }
  mod(o: Column | Literal): Column {
    return this.bin('%', o);
  }
  equalTo(o: Column | Literal): Column {
    return this.bin('=', o);
  }
  eq(o: Column | Literal): Column {
    return this.bin('=', o);
  }
  /** Null-safe equality (<=>): null equals null. */
  eqNullSafe(o: Column | Literal): Column {
    return this.bin('<=>', o);
  }
  notEqual(o: Column | Literal): Column {
    return this.bin('!=', o);
  }
  ne(o: Column | Literal): Column {
    return this.bin('!=', o);
  }
  gt(o: Column | Literal): Column {
    return this.bin('>', o);
  }
  geq(o: Column | Literal): Column {
    return this.bin('>=', o);
  }
  lt(o: Column | Literal): Column {
    return this.bin('<', o);
  }
  leq(o: Column | Literal): Column {
    return this.bin('<=', o);
  }
  and(o: Column | Literal): Column {
    return this.bin('and', o);
  }
  or(o: Column | Literal): Column {
    return this.bin('or', o);
  }
  not(): Column {
    return new Column({ k: 'fn', name: 'not', args: [this.expr] });
  }
  negate(): Column {
    return new Column({ k: 'fn', name: 'negative', args: [this.expr] });
  }
  between(lo: Column | Literal, hi: Column | Literal): Column {
    return this.geq(lo).and(this.leq(hi));
  }
  isin(...values: (Column | Literal)[]): Column {
    return new Column({ k: 'fn', name: 'in', args: [this.expr, ...values.map(valueExpr)] });
  }
  isNull(): Column {
    return new Column({ k: 'fn', name: 'isnull', args: [this.expr] });
  }
  isNotNull(): Column {
    return new Column({ k: 'fn', name: 'isnotnull', args: [this.expr] });
  }
  like(pattern: string): Column {
    return this.bin('like', pattern);
  }
  rlike(pattern: string): Column {
    return this.bin('rlike', pattern);
  }
  contains(o: Column | Literal): Column {
    return this.bin('contains', o);
  }
  startsWith(o: Column | Literal): Column {
    return this.bin('startswith', o);
  }
  endsWith(o: Column | Literal): Column {
    return this.bin('endswith', o);
  }
  substr(pos: number, len: number): Column {
    return new Column({
      k: 'fn',
      name: 'substring',
      args: [this.expr, { k: 'lit', value: pos }, { k: 'lit', value: len }],
    });
  }
  getField(name: string): Column {
    return new Column({ k: 'fn', name: 'get_field', args: [this.expr, { k: 'lit', value: name }] });
  }
  getItem(index: number): Column {
    return new Column({ k: 'fn', name: 'element_at', args: [this.expr, { k: 'lit', value: index + 1 }] });
  }
  /** Casts to a type given as a name ("string", "double", "array<int>") or a DataType. */
  cast(to: DataType | string): Column {
    return new Column({ k: 'cast', child: this.expr, to: typeof to === 'string' ? parseDataType(to) : to });
  }
  alias(name: string): Column {
    return new Column({ k: 'alias', child: this.expr, name });
  }
  as(name: string): Column {
    return this.alias(name);
  }
  name(name: string): Column {
    return this.alias(name);
  }
  /** Adds a branch to a when() chain. */
  when(condition: Column, value: Column | Literal): Column {
    if (this.expr.k !== 'case' || this.expr.otherwise) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `when() can only follow when(), not ${describeValue(exprName(this.expr))}; start with the when() function`,
      );
    }
    return new Column({ k: 'case', branches: [...this.expr.branches, [condition.expr, valueExpr(value)]] });
  }
  otherwise(value: Column | Literal): Column {
    if (this.expr.k !== 'case' || this.expr.otherwise) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `otherwise() can only follow when(), not ${describeValue(exprName(this.expr))}`,
      );
    }
    return new Column({ k: 'case', branches: this.expr.branches, otherwise: valueExpr(value) });
  }
  asc(): Column {
    return new Column({ k: 'sort', child: this.expr, asc: true, nullsFirst: true });
  }
  asc_nulls_first(): Column {
    return this.asc();
  }
  asc_nulls_last(): Column {
    return new Column({ k: 'sort', child: this.expr, asc: true, nullsFirst: false });
  }
  desc(): Column {
    return new Column({ k: 'sort', child: this.expr, asc: false, nullsFirst: false });
  }
  desc_nulls_first(): Column {
    return new Column({ k: 'sort', child: this.expr, asc: false, nullsFirst: true });
  }
  desc_nulls_last(): Column {
    return this.desc();
  }
  toString(): string {
    return exprName(this.expr);
  }
}
