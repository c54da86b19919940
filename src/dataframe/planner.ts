import { EddyError, isEddyError } from '../common/errors.js';
import { AGGREGATE_NAMES, makeAggregate, type AggregateFn } from './aggregates.js';
import { bind, positional, renamed, unresolved } from './analyzer.js';
import { coerce, widerType, type AnalysisContext, type Bound } from './bound.js';
import { outputName, type Expr } from './column.js';
import { AggregatePlan, SortPlan, type SortKey } from './plan-wide.js';
import { FilterPlan, ProjectPlan, UnionPlan, type Generator, type Plan } from './plan.js';
import { WINDOW_TYPE, slidingWindows, windowSpec } from './windows.js';
import { StructType, simpleString } from './types.js';

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

/** If e is window(t, ...), its time expression t (a grouping key's sliding window is expanded before this). */
function windowTime(e: Expr): Expr | null {
  const { inner } = stripAlias(e);
  return inner.k === 'fn' && inner.name === 'window' && inner.args.length > 0 ? inner.args[0]! : null;
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
    const windows = slidingWindows(s.time, s.spec);
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
  // Spark's TimeWindowing drops rows whose time is null before grouping on a tumbling window (the sliding expansion
  // above yields no window for them either).
  for (const k of keys) {
    const time = windowTime(k);
    if (time !== null) {
      input = new FilterPlan(input, bind({ k: 'fn', name: 'isnotnull', args: [time] }, input.schema, ctx));
    }
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
