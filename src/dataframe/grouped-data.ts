import { EddyError, describeValue } from '../common/errors.js';
import { Column, type Expr } from './column.js';
import type { DataFrame } from './dataframe.js';
import type { Plan } from './plan.js';
import { planAggregate } from './planner.js';
import { isNumeric } from './types.js';

const AGG_ALIASES: Record<string, string> = { mean: 'avg', countdistinct: 'count_distinct' };

/** The result of groupBy(): aggregate it with agg(), count(), sum(), avg(), min(), max(). */
export class GroupedData {
  constructor(
    private readonly df: DataFrame,
    private readonly keys: readonly Expr[],
    private readonly make: (plan: Plan) => DataFrame,
  ) {}

  /** agg(count('*'), avg('x')) or agg({ x: 'avg', y: 'max' }) as in Spark. */
  agg(...exprs: (Column | Record<string, string>)[]): DataFrame {
    const items: Expr[] = [];
    for (const e of exprs) {
      if (e instanceof Column) items.push(e.expr);
      else {
        for (const [name, fn] of Object.entries(e as Record<string, string>)) {
          const f = fn.toLowerCase();
          items.push({ k: 'fn', name: AGG_ALIASES[f] ?? f, args: [name === '*' ? { k: 'star' } : { k: 'col', name }] });
        }
      }
    }
    if (items.length === 0)
      throw new EddyError('INVALID_ARGUMENT', 'agg() needs at least one aggregate expression, e.g. agg(count("*"))');
    return this.make(planAggregate(this.df.plan, this.keys, items, { now: Date.now() }));
  }

  /** One row per group with its row count in a column named "count". */
  count(): DataFrame {
    return this.agg(aliasOf({ k: 'fn', name: 'count', args: [{ k: 'star' }] }, 'count'));
  }
  sum(...cols: string[]): DataFrame {
    return this.numeric('sum', cols);
  }
  avg(...cols: string[]): DataFrame {
    return this.numeric('avg', cols);
  }
  mean(...cols: string[]): DataFrame {
    return this.numeric('avg', cols);
  }
  min(...cols: string[]): DataFrame {
    return this.numeric('min', cols);
  }
  max(...cols: string[]): DataFrame {
    return this.numeric('max', cols);
  }

  /** With no names, every numeric column that is not a grouping key, as Spark does. */
  private numeric(fn: string, cols: string[]): DataFrame {
    const schema = this.df.schema;
    const keyNames = new Set(this.keys.flatMap((k) => (k.k === 'col' ? [k.name.toLowerCase()] : [])));
    const names =
      cols.length > 0
        ? cols
        : schema.fields.filter((f) => isNumeric(f.dataType) && !keyNames.has(f.name.toLowerCase())).map((f) => f.name);
    for (const n of names) {
      const i = schema.indexOf(n);
      if (i >= 0 && !isNumeric(schema.fields[i]!.dataType)) {
        throw new EddyError('ANALYSIS_ERROR', `"${n}" is not a numeric column; ${fn}() needs numbers (cast it first)`);
      }
    }
    if (names.length === 0)
      throw new EddyError(
        'ANALYSIS_ERROR',
        `${fn}(): there is no numeric column to aggregate in ${describeValue(schema.fieldNames)}`,
      );
    return this.agg(...names.map((n) => wrap({ k: 'fn', name: fn, args: [{ k: 'col', name: n }] })));
  }
}

function aliasOf(e: Expr, name: string): Column {
  return wrap({ k: 'alias', child: e, name });
}

function wrap(e: Expr): Column {
  return new Column(e);
}
