import type { Bound } from './bound.js';
import type { Expr } from './column.js';
import type { StructType } from './types.js';

/**
 * Which input columns a bound expression reads, recorded when it is bound. Column pruning trusts only what is
 * recorded here: a Bound made elsewhere (a hand-written closure in ml or streaming) has no entry and counts as
 * reading every column, so an unknown expression can cost speed but never change a result.
 */
interface Binding {
  readonly columns: readonly number[];
  /** The expression it was bound from, over the same schema (for filter pushdown). */
  readonly expr: Expr | null;
}

const bindings = new WeakMap<Bound, Binding>();

export function noteColumns(b: Bound, columns: readonly number[], expr: Expr | null = null): Bound {
  bindings.set(b, { columns, expr });
  return b;
}

/** The same columns as `from` reads (a rename or a cast of it). */
export function sameColumns(b: Bound, from: Bound): Bound {
  const f = bindings.get(from);
  if (f) bindings.set(b, { columns: f.columns, expr: null });
  return b;
}

/** The input columns b reads, or null when that is not known (then every column is needed). */
export function columnsOf(b: Bound): readonly number[] | null {
  return bindings.get(b)?.columns ?? null;
}

export function exprOf(b: Bound): Expr | null {
  return bindings.get(b)?.expr ?? null;
}

/** The union of the columns several expressions read; null if any is unknown. */
export function columnsOfAll(bs: readonly (Bound | null)[]): Set<number> | null {
  const out = new Set<number>();
  for (const b of bs) {
    if (b === null) continue;
    const c = columnsOf(b);
    if (c === null) return null;
    for (const i of c) out.add(i);
  }
  return out;
}

/** The schema position a column reference resolves to, by the analyzer's rules (a.b reads column a). */
export function resolveColumn(e: Extract<Expr, { k: 'col' }>, schema: StructType): number {
  if (e.index !== undefined) return e.index;
  const name = e.name.startsWith('`') && e.name.endsWith('`') ? e.name.slice(1, -1) : e.name;
  const i = schema.indexOf(name);
  if (i >= 0 || name !== e.name) return i;
  const dot = name.indexOf('.');
  return dot > 0 ? schema.indexOf(name.slice(0, dot)) : -1;
}

/** Every column an expression mentions, or null if one does not resolve. */
export function exprColumns(e: Expr, schema: StructType): number[] | null {
  const out = new Set<number>();
  const walk = (x: Expr): boolean => {
    switch (x.k) {
      case 'col': {
        const i = resolveColumn(x, schema);
        if (i < 0) return false;
        out.add(i);
        return true;
      }
      case 'star':
      case 'lit':
        return true;
      case 'fn':
      case 'udf':
        return x.args.every(walk);
      case 'alias':
      case 'cast':
      case 'sort':
        return walk(x.child);
      case 'case':
        return x.branches.every(([c, v]) => walk(c) && walk(v)) && (x.otherwise ? walk(x.otherwise) : true);
    }
  };
  return walk(e) ? [...out].sort((a, b) => a - b) : null;
}
