import type { Expr } from './column.js';
import { resolveColumn } from './references.js';
import type { StructType } from './types.js';

/**
 * A filter a scan may apply while it reads (Spark's data source Filter): a comparison of one column with a
 * literal, or a null test. Scans use them to skip rows before building the other columns; the Filter above
 * still evaluates the whole predicate, so a scan may apply all, some or none of them.
 */
export type SourceFilter =
  | { readonly op: 'gt' | 'ge' | 'lt' | 'le' | 'eq'; readonly column: number; readonly value: number | string }
  | { readonly op: 'isNotNull' | 'isNull'; readonly column: number };

/** What the plan above a scan reads from it: only these columns (null: all), only rows passing these filters. */
export interface ScanRequest {
  readonly columns: readonly number[] | null;
  readonly filters: readonly SourceFilter[];
}

export const FULL_SCAN: ScanRequest = { columns: null, filters: [] };

/** Column sets as sorted arrays; null (all columns) absorbs everything. */
export function unionColumns(a: Iterable<number> | null, b: Iterable<number> | null): number[] | null {
  if (a === null || b === null) return null;
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

const FLIP = { gt: 'lt', ge: 'le', lt: 'gt', le: 'ge', eq: 'eq' } as const;
const OPS: Record<string, 'gt' | 'ge' | 'lt' | 'le' | 'eq'> = {
  '>': 'gt',
  '>=': 'ge',
  '<': 'lt',
  '<=': 'le',
  '=': 'eq',
};

/**
 * The conjuncts of a predicate that a scan can apply, over the schema the predicate was bound to. Only
 * comparisons whose result a scan computes exactly as the analyzer would are taken: a numeric (int, double)
 * column against a number, a string column equal to a string; anything else stays with the Filter alone.
 */
export function pushableFilters(e: Expr, schema: StructType): SourceFilter[] {
  if (e.k === 'alias') return pushableFilters(e.child, schema);
  if (e.k !== 'fn') return [];
  if (e.name === 'and') return e.args.flatMap((a) => pushableFilters(a, schema));
  // Only a column itself: a.b (a field of struct a) must not become a filter on a.
  const column = (x: Expr | undefined): number => {
    if (x?.k !== 'col') return -1;
    const i = resolveColumn(x, schema);
    const name = x.name.startsWith('`') && x.name.endsWith('`') ? x.name.slice(1, -1) : x.name;
    return x.index !== undefined || schema.indexOf(name) === i ? i : -1;
  };
  if ((e.name === 'isnotnull' || e.name === 'isnull') && e.args.length === 1) {
    const c = column(e.args[0]);
    return c >= 0 ? [{ op: e.name === 'isnull' ? 'isNull' : 'isNotNull', column: c }] : [];
  }
  const op = OPS[e.name];
  if (op === undefined || e.args.length !== 2) return [];
  const [l, r] = e.args as [Expr, Expr];
  const [colExpr, litExpr, o] =
    l.k === 'col' && r.k === 'lit' ? [l, r, op] : r.k === 'col' && l.k === 'lit' ? [r, l, FLIP[op]] : [null, null, op];
  if (!colExpr || !litExpr) return [];
  const c = column(colExpr);
  const t = schema.fields[c]?.dataType.kind;
  const v = litExpr.value;
  // A literal that does not fit an int is a long or a double in the analyzer; JS compares those alike.
  if ((t === 'int' || t === 'double') && typeof v === 'number') return [{ op: o, column: c, value: v }];
  if (t === 'string' && o === 'eq' && typeof v === 'string') return [{ op: o, column: c, value: v }];
  return [];
}

/** Spark's explain() spelling: GreaterThan(value,500.0), IsNotNull(value). */
export function describeFilter(f: SourceFilter, schema: StructType): string {
  const name = schema.fields[f.column]?.name ?? `#${f.column}`;
  const names = { gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual', eq: 'EqualTo' };
  switch (f.op) {
    case 'isNull':
      return `IsNull(${name})`;
    case 'isNotNull':
      return `IsNotNull(${name})`;
    default:
      return `${names[f.op]}(${name},${String(f.value)})`;
  }
}

/** Whether a value read by a scan passes a filter; null fails every filter but IsNull, as in SQL WHERE. */
export function passes(f: SourceFilter, v: unknown): boolean {
  switch (f.op) {
    case 'isNull':
      return v === null;
    case 'isNotNull':
      return v !== null;
    case 'eq':
      return v === f.value;
    case 'gt':
      return v !== null && (v as number) > (f.value as number);
    case 'ge':
      return v !== null && (v as number) >= (f.value as number);
    case 'lt':
      return v !== null && (v as number) < (f.value as number);
    case 'le':
      return v !== null && (v as number) <= (f.value as number);
  }
}
