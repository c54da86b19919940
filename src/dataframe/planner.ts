import { EddyError, describeValue, isEddyError } from '../common/errors.js';
import { AGGREGATE_NAMES, makeAggregate, type AggregateFn } from './aggregates.js';
import { bind, positional, renamed, unresolved } from './analyzer.js';
import { coerce, rowwise, widerType, type AnalysisContext, type Bound } from './bound.js';
import { outputName, type Expr } from './column.js';
import { AggregatePlan, JoinPlan, SortPlan, type JoinType, type SortKey } from './plan-wide.js';
import { ProjectPlan, UnionPlan, type Generator, type Plan } from './plan.js';
import { WINDOW_TYPE, windowSpec, windowsOf } from './scalar-functions.js';
import { ArrayType, StructType, simpleString } from './types.js';

/** Turns DataFrame operations into analysed plan nodes; every name and type error is raised here. */

export function containsAggregate(e: Expr): boolean {
  switch (e.k) {
    case 'fn':
      return AGGREGATE_NAMES.has(e.name) || e.args.some(containsAggregate);
    case 'alias':
    case 'cast':
    case 'sort':
      return containsAggregate(e.child);
    case 'case':
      return (
        e.branches.some(([c, v]) => containsAggregate(c) || containsAggregate(v)) ||
        (e.otherwise ? containsAggregate(e.otherwise) : false)
      );
    default:
      return false;
  }
}

function stripAlias(e: Expr): { inner: Expr; alias: string | null } {
  return e.k === 'alias' ? { inner: e.child, alias: e.name } : { inner: e, alias: null };
}

/** Binds a select-list item under the name Spark would give it. */
export function bindNamed(e: Expr, schema: StructType, ctx: AnalysisContext): Bound {
  const b = bind(e, schema, ctx);
  // A column keeps the schema's spelling of its name; a.b (a struct field) is named b, as in Spark.
  if (e.k === 'col') return b;
  return renamed(b, outputName(e));
}

/** Expands `*` into every column. */
function expandStar(items: readonly Expr[], schema: StructType): Expr[] {
  return items.flatMap((e) =>
    e.k === 'star' ? schema.fields.map((_, i): Expr => ({ k: 'col', name: schema.fields[i]!.name, index: i })) : [e],
  );
}

export function planSelect(child: Plan, items: readonly Expr[], ctx: AnalysisContext): Plan {
  const exprs = expandStar(items, child.schema);
  if (exprs.some(containsAggregate)) return planAggregate(child, [], exprs, ctx);
  let generator: Generator | null = null;
  const bounds = exprs.map((e, index) => {
    const { inner, alias } = stripAlias(e);
    if (inner.k === 'fn' && (inner.name === 'explode' || inner.name === 'explode_outer')) {
      if (generator)
        throw new EddyError(
          'ANALYSIS_ERROR',
          `only one generator (explode) is allowed per select, found a second one: ${outputName(e)}`,
        );
      if (inner.args.length !== 1)
        throw new EddyError('ANALYSIS_ERROR', `${inner.name}() takes one array argument, given ${inner.args.length}`);
      const input = bind(inner.args[0]!, child.schema, ctx);
      if (input.type.kind !== 'array') {
        throw new EddyError(
          'ANALYSIS_ERROR',
          `cannot resolve '${outputName(inner)}' due to data type mismatch: input to function explode should be array type, not ${simpleString(input.type)}`,
        );
      }
      generator = { index, input, outer: inner.name === 'explode_outer' };
      const elementType = input.type.elementType;
      const b: Bound = {
        type: elementType,
        nullable: true,
        name: alias ?? 'col',
        eval: () => {
          throw new EddyError('INTERNAL', 'generator evaluated as a scalar');
        },
      };
      return b;
    }
    return bindNamed(e, child.schema, ctx);
  });
  return new ProjectPlan(child, bounds, generator);
}

/** If e is window(t, duration, slide) with slide < duration, its spec: rows must be expanded before grouping. */
function slidingWindow(
  e: Expr,
  schema: StructType,
  ctx: AnalysisContext,
): { time: Bound; name: string; spec: ReturnType<typeof windowSpec> } | null {
  const { inner, alias } = stripAlias(e);
  if (inner.k !== 'fn' || inner.name !== 'window' || inner.args.length < 3) return null;
  const args = inner.args.map((a) => bind(a, schema, ctx));
  const spec = windowSpec(args, outputName(inner));
  if (spec.slide === spec.duration) return null;
  return { time: args[0]!, name: alias ?? 'window', spec };
}

/**
 * groupBy(keys).agg(items): each aggregate call inside the items becomes an accumulator; what is left of the
 * item is evaluated over [keys..., aggregates...], so sum(a) / count(a) and round(avg(x), 2) work.
 */
export function planAggregate(
  child: Plan,
  keyExprs: readonly Expr[],
  items: readonly Expr[],
  ctx: AnalysisContext,
): Plan {
  let input = child;
  let keys = [...keyExprs];
  // A sliding window puts each row in several windows: expand rows first, then group on the window column.
  const sliding = keys.map((k) => slidingWindow(k, child.schema, ctx));
  const si = sliding.findIndex((s) => s !== null);
  if (si >= 0) {
    const s = sliding[si]!;
    const passthrough = child.schema.fields.map((_, i) => positional(i, child.schema));
    const windows = rowwise('windows', ArrayType(WINDOW_TYPE), [s.time], (v) => windowsOf(v[0] as number, s.spec));
    const winCol: Bound = {
      type: WINDOW_TYPE,
      nullable: false,
      name: `__window`,
      eval: () => {
        throw new EddyError('INTERNAL', 'generator evaluated as a scalar');
      },
    };
    input = new ProjectPlan(child, [...passthrough, winCol], {
      index: passthrough.length,
      input: windows,
      outer: false,
    });
    keys = keys.map((k, i) =>
      i === si ? { k: 'alias', child: { k: 'col', name: '__window', index: passthrough.length }, name: s.name } : k,
    );
  }
  const keyBounds = keys.map((k) => bindNamed(k, input.schema, ctx));
  const aggs: AggregateFn[] = [];
  const rewrite = (e: Expr): Expr => {
    switch (e.k) {
      case 'fn': {
        if (AGGREGATE_NAMES.has(e.name)) {
          if (e.args.some(containsAggregate))
            throw new EddyError('ANALYSIS_ERROR', `aggregate functions cannot be nested: '${outputName(e)}'`);
          const star = e.args.length === 1 && e.args[0]!.k === 'star';
          let arg: Bound | null = null;
          if (!star && e.args.length > 0) {
            const args = e.args.map((a) => bind(a, input.schema, ctx));
            arg = args.length === 1 ? args[0]! : bind({ k: 'fn', name: 'struct', args: e.args }, input.schema, ctx);
          }
          if (!star && e.args.length === 0) throw new EddyError('ANALYSIS_ERROR', `${e.name}() needs an argument`);
          const fn = e.name === 'count_distinct' ? 'count' : e.name;
          aggs.push(makeAggregate(fn, arg, e.distinct === true || e.name === 'count_distinct', outputName(e)));
          return { k: 'col', name: `__agg${aggs.length - 1}`, index: keyBounds.length + aggs.length - 1 };
        }
        return { ...e, args: e.args.map(rewrite) };
      }
      case 'udf':
        return { ...e, args: e.args.map(rewrite) };
      case 'alias':
        return { ...e, child: rewrite(e.child) };
      case 'cast':
        return { ...e, child: rewrite(e.child) };
      case 'case':
        return {
          k: 'case',
          branches: e.branches.map(([c, v]) => [rewrite(c), rewrite(v)] as const),
          ...(e.otherwise ? { otherwise: rewrite(e.otherwise) } : {}),
        };
      default:
        return e;
    }
  };
  const rewritten = items.map(rewrite);
  const intermediate = new StructType([
    ...keyBounds.map((k) => ({ name: k.name, dataType: k.type, nullable: k.nullable })),
    ...aggs.map((a, i) => ({ name: `__agg${i}`, dataType: a.type, nullable: a.nullable })),
  ]);
  const keySchema = new StructType(intermediate.fields.slice(0, keyBounds.length));
  const results = [
    ...keyBounds.map((k, i) => positional(i, intermediate, k.name)),
    ...rewritten.map((r, i) => {
      try {
        return renamed(bind(r, intermediate, ctx), outputName(items[i]!));
      } catch (e) {
        if (isEddyError(e, 'ANALYSIS_ERROR') && e.message.startsWith('cannot resolve')) {
          const m = /^cannot resolve '([^']*)'/.exec(e.message);
          const name = m?.[1] ?? outputName(items[i]!);
          if (input.schema.indexOf(name) >= 0) {
            throw new EddyError(
              'ANALYSIS_ERROR',
              `expression '${name}' is neither present in the group by [${keySchema.fieldNames.join(', ')}], nor is it an aggregate function; add it to groupBy() or wrap it in first()`,
            );
          }
          throw unresolved(name, input.schema);
        }
        throw e;
      }
    }),
  ];
  return new AggregatePlan(input, keyBounds, aggs, results, intermediate);
}

export function planSort(child: Plan, cols: readonly Expr[], ctx: AnalysisContext): Plan {
  const keys: SortKey[] = cols.map((c) =>
    c.k === 'sort'
      ? { bound: bind(c.child, child.schema, ctx), asc: c.asc, nullsFirst: c.nullsFirst }
      : { bound: bind(c, child.schema, ctx), asc: true, nullsFirst: true },
  );
  for (const k of keys) {
    if (k.bound.type.kind === 'vector') {
      throw new EddyError('ANALYSIS_ERROR', `cannot sort by '${k.bound.name}' of type ${simpleString(k.bound.type)}`);
    }
  }
  return new SortPlan(child, keys);
}

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

/** union (by position) or unionByName: columns are widened to a common type, names come from the first. */
export function planUnion(first: Plan, others: readonly Plan[], byName: boolean, ctx: AnalysisContext): Plan {
  const base = first.schema;
  const inputs = [first, ...others].map((p, pi) => {
    const s = p.schema;
    if (s.fields.length !== base.fields.length) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `Union can only be performed on tables with the same number of columns, but the first table has ${base.fields.length} columns and table ${pi + 1} has ${s.fields.length} columns`,
      );
    }
    if (!byName) return p;
    const items: Expr[] = base.fields.map((f) => {
      const i = s.indexOf(f.name);
      if (i < 0)
        throw new EddyError(
          'ANALYSIS_ERROR',
          `unionByName: cannot resolve column '${f.name}' in table ${pi + 1} with columns [${s.fieldNames.join(', ')}]`,
        );
      return { k: 'col', name: f.name, index: i };
    });
    return planSelect(p, items, ctx);
  });
  const types = base.fields.map((f, i) => {
    let t = f.dataType;
    for (const p of inputs) {
      const w = widerType(t, p.schema.fields[i]!.dataType);
      if (!w) {
        throw new EddyError(
          'ANALYSIS_ERROR',
          `Union can only be performed on tables with compatible column types: column ${i + 1} ('${f.name}') is ${simpleString(t)} in one table and ${simpleString(p.schema.fields[i]!.dataType)} in another`,
        );
      }
      t = w;
    }
    return t;
  });
  const aligned = inputs.map((p) => {
    if (p.schema.fields.every((f, i) => f.dataType.kind === types[i]!.kind)) return p;
    return new ProjectPlan(
      p,
      p.schema.fields.map((_, i) => coerce(positional(i, p.schema), types[i]!)),
    );
  });
  const schema = new StructType(
    base.fields.map((f, i) => ({
      name: f.name,
      dataType: types[i]!,
      nullable: aligned.some((p) => p.schema.fields[i]!.nullable),
    })),
  );
  return new UnionPlan(schema, aligned);
}
