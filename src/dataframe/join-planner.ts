import { EddyError, describeValue } from '../common/errors.js';
import { bind, positional, renamed, unresolved } from './analyzer.js';
import { coerce, widerType, type AnalysisContext, type Bound } from './bound.js';
import { outputName, type Expr } from './column.js';
import { JoinPlan, type JoinType } from './plan-wide.js';
import type { Plan } from './plan.js';
import { StructType, simpleString } from './types.js';

/** Planning of joins: USING joins on column names, and joins on a condition split into hash keys and a residual. */

const JOIN_TYPES: Record<string, JoinType> = {
  inner: 'inner',
  cross: 'cross',
  outer: 'full',
  full: 'full',
  fullouter: 'full',
  full_outer: 'full',
  left: 'left',
  leftouter: 'left',
  left_outer: 'left',
  right: 'right',
  rightouter: 'right',
  right_outer: 'right',
  semi: 'left_semi',
  leftsemi: 'left_semi',
  left_semi: 'left_semi',
  anti: 'left_anti',
  leftanti: 'left_anti',
  left_anti: 'left_anti',
};

export function joinType(how: string): JoinType {
  const t = JOIN_TYPES[how.toLowerCase()];
  if (!t)
    throw new EddyError(
      'INVALID_ARGUMENT',
      `unsupported join type ${describeValue(how)}; use one of ${Object.keys(JOIN_TYPES).join(', ')}`,
    );
  return t;
}

/** join(other, ['id']) — Spark's USING join: keys appear once, then the other columns of each side. */
export function planUsingJoin(
  left: Plan,
  right: Plan,
  names: readonly string[],
  how: JoinType,
  ctx: AnalysisContext,
): Plan {
  const ls = left.schema;
  const rs = right.schema;
  const li = names.map((n) => {
    const i = ls.indexOf(n);
    if (i < 0)
      throw new EddyError(
        'ANALYSIS_ERROR',
        `USING column '${n}' cannot be resolved on the left side of the join; left columns: [${ls.fieldNames.join(', ')}]`,
      );
    return i;
  });
  const ri = names.map((n) => {
    const i = rs.indexOf(n);
    if (i < 0)
      throw new EddyError(
        'ANALYSIS_ERROR',
        `USING column '${n}' cannot be resolved on the right side of the join; right columns: [${rs.fieldNames.join(', ')}]`,
      );
    return i;
  });
  const lk = li.map((i) => positional(i, ls));
  const rk = ri.map((i, k) => {
    const t = widerType(lk[k]!.type, rs.fields[i]!.dataType);
    if (!t)
      throw new EddyError(
        'ANALYSIS_ERROR',
        `USING column '${names[k]}' has type ${simpleString(lk[k]!.type)} on the left but ${simpleString(rs.fields[i]!.dataType)} on the right`,
      );
    return coerce(positional(i, rs), t);
  });
  const lkc = lk.map((b, k) => coerce(b, widerType(b.type, rk[k]!.type)!));
  const nl = ls.fields.length;
  const pair = new StructType([...ls.fields, ...rs.fields]);
  let output: Bound[];
  if (how === 'left_semi' || how === 'left_anti') output = ls.fields.map((_, i) => positional(i, ls));
  else {
    const keyOut = li.map((l, k) => {
      const lb = positional(l, pair);
      const rb = positional(nl + ri[k]!, pair);
      if (how === 'right') return renamed(rb, lb.name);
      if (how === 'full')
        return renamed(
          bind(
            {
              k: 'fn',
              name: 'coalesce',
              args: [
                { k: 'col', name: '', index: l },
                { k: 'col', name: '', index: nl + ri[k]! },
              ],
            },
            pair,
            ctx,
          ),
          lb.name,
        );
      return lb;
    });
    output = [
      ...keyOut,
      ...ls.fields.flatMap((_, i) => (li.includes(i) ? [] : [positional(i, pair)])),
      ...rs.fields.flatMap((_, i) => (ri.includes(i) ? [] : [positional(nl + i, pair)])),
    ];
  }
  return new JoinPlan(left, right, how, lkc, rk, null, output);
}

/**
 * join(other, condition): columns are resolved on the side they came from (df.col('id')) or by a name unique
 * to one side; equalities between one side and the other become hash keys, the rest a residual filter.
 */
export function planConditionJoin(
  left: Plan,
  right: Plan,
  leftTag: object,
  rightTag: object,
  cond: Expr | null,
  how: JoinType,
  ctx: AnalysisContext,
): Plan {
  const ls = left.schema;
  const rs = right.schema;
  const nl = ls.fields.length;
  const pair = new StructType([...ls.fields, ...rs.fields]);
  const sides = new Set<'L' | 'R'>();
  const resolve = (e: Expr): Expr => {
    switch (e.k) {
      case 'col': {
        if (e.index !== undefined) return e;
        const inL = ls.indexOf(e.name);
        const inR = rs.indexOf(e.name);
        let side: 'L' | 'R';
        if (e.from === leftTag && inL >= 0) side = 'L';
        else if (e.from === rightTag && inR >= 0) side = 'R';
        // A column of a DataFrame one side was derived from (df.col before a filter) belongs to that side.
        else if (e.from !== undefined && inL >= 0 && derivedFrom(left, e.from) && !derivedFrom(right, e.from))
          side = 'L';
        else if (e.from !== undefined && inR >= 0 && derivedFrom(right, e.from) && !derivedFrom(left, e.from))
          side = 'R';
        else if (inL >= 0 && inR >= 0) {
          throw new EddyError(
            'ANALYSIS_ERROR',
            `reference '${e.name}' is ambiguous: both sides of the join have it; use left.col('${e.name}') and right.col('${e.name}'), or join on ['${e.name}']`,
          );
        } else if (inL >= 0) side = 'L';
        else if (inR >= 0) side = 'R';
        else throw unresolved(e.name, pair);
        sides.add(side);
        return { k: 'col', name: e.name, index: side === 'L' ? inL : nl + inR };
      }
      case 'fn':
      case 'udf':
        return { ...e, args: e.args.map(resolve) };
      case 'alias':
      case 'cast':
      case 'sort':
        return { ...e, child: resolve(e.child) };
      case 'case':
        return {
          k: 'case',
          branches: e.branches.map(([c, v]) => [resolve(c), resolve(v)] as const),
          ...(e.otherwise ? { otherwise: resolve(e.otherwise) } : {}),
        };
      default:
        return e;
    }
  };
  const sideOf = (e: Expr): Set<'L' | 'R'> => {
    sides.clear();
    resolve(e);
    return new Set(sides);
  };
  const conjuncts: Expr[] = [];
  const split = (e: Expr): void => {
    if (e.k === 'fn' && e.name === 'and') e.args.forEach(split);
    else conjuncts.push(e);
  };
  if (cond) split(cond);
  const lk: Bound[] = [];
  const rk: Bound[] = [];
  const rest: Expr[] = [];
  for (const c of conjuncts) {
    if (c.k === 'fn' && c.name === '=' && c.args.length === 2) {
      const a = sideOf(c.args[0]!);
      const b = sideOf(c.args[1]!);
      const only = (s: Set<'L' | 'R'>, x: 'L' | 'R'): boolean => s.size === 1 && s.has(x);
      let le: Expr | null = null;
      let re: Expr | null = null;
      if (only(a, 'L') && only(b, 'R')) [le, re] = [c.args[0]!, c.args[1]!];
      else if (only(a, 'R') && only(b, 'L')) [le, re] = [c.args[1]!, c.args[0]!];
      if (le && re) {
        const lb = bind(resolve(le), pair, ctx);
        const rb = bind(resolve(re), pair, ctx);
        const t = widerType(lb.type, rb.type);
        if (!t)
          throw new EddyError(
            'ANALYSIS_ERROR',
            `cannot resolve '${outputName(c)}' due to data type mismatch: ${simpleString(lb.type)} and ${simpleString(rb.type)}`,
          );
        // Keys are evaluated on each side's own batches: shift right-side positions back to the right schema.
        lk.push(coerce(bind(resolve(le), ls, ctx), t));
        rk.push(coerce(bind(shift(resolve(re), -nl), rs, ctx), t));
        continue;
      }
    }
    rest.push(c);
  }
  let residual: Bound | null = null;
  if (rest.length > 0) {
    const r = rest.reduce((a, b): Expr => ({ k: 'fn', name: 'and', args: [a, b] }));
    residual = bind(resolve(r), pair, ctx);
    if (residual.type.kind !== 'boolean')
      throw new EddyError(
        'ANALYSIS_ERROR',
        `join condition '${residual.name}' must be boolean, not ${simpleString(residual.type)}`,
      );
  }
  const output =
    how === 'left_semi' || how === 'left_anti'
      ? ls.fields.map((_, i) => positional(i, ls))
      : pair.fields.map((_, i) => positional(i, pair));
  return new JoinPlan(left, right, how === 'cross' ? 'inner' : how, lk, rk, residual, output);
}

function derivedFrom(plan: Plan, ancestor: object): boolean {
  if (plan === ancestor) return true;
  return plan.children.some((c) => derivedFrom(c, ancestor));
}

function shift(e: Expr, by: number): Expr {
  switch (e.k) {
    case 'col':
      return e.index !== undefined ? { ...e, index: e.index + by } : e;
    case 'fn':
    case 'udf':
      return { ...e, args: e.args.map((a) => shift(a, by)) };
    case 'alias':
    case 'cast':
    case 'sort':
      return { ...e, child: shift(e.child, by) };
    case 'case':
      return {
        k: 'case',
        branches: e.branches.map(([c, v]) => [shift(c, by), shift(v, by)] as const),
        ...(e.otherwise ? { otherwise: shift(e.otherwise, by) } : {}),
      };
    default:
      return e;
  }
}
