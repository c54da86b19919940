import { EddyError, describeValue } from '../common/errors.js';
import { coalesce, col, lit } from './functions.js';
import type { Column } from './column.js';
import type { DataFrame } from './dataframe.js';
import { isNumeric } from './types.js';

/** Spark's DataFrameNaFunctions (df.na): drop rows with nulls, or fill nulls with a value. */
export class DataFrameNaFunctions {
  constructor(private readonly df: DataFrame) {}

  /** Drops rows with a null (how "any", default) or only all-null rows (how "all") in `subset` (default all columns). */
  drop(how: 'any' | 'all' = 'any', subset?: string[]): DataFrame {
    if (how !== 'any' && how !== 'all')
      throw new EddyError('INVALID_ARGUMENT', `na.drop how ${describeValue(how)} must be "any" or "all"`);
    const names = this.names(subset);
    if (names.length === 0) return this.df;
    const tests = names.map((n) => col(n).isNotNull());
    const cond = how === 'any' ? tests.reduce((a, b) => a.and(b)) : tests.reduce((a, b) => a.or(b));
    return this.df.filter(cond);
  }

  /**
   * Replaces nulls with `value` in the columns of a matching type (numbers fill numeric columns, strings
   * string columns, booleans boolean columns), or with per-column values given as an object.
   */
  fill(value: number | string | boolean | Record<string, number | string | boolean>, subset?: string[]): DataFrame {
    const schema = this.df.schema;
    const replacements: Record<string, Column> = {};
    const entries: [string, number | string | boolean][] =
      typeof value === 'object' ? Object.entries(value) : this.names(subset).map((n) => [n, value]);
    for (const [name, v] of entries) {
      const i = schema.indexOf(name);
      if (i < 0) {
        if (typeof value === 'object')
          throw new EddyError(
            'ANALYSIS_ERROR',
            `cannot resolve '${name}' given input columns: [${schema.fieldNames.join(', ')}]`,
          );
        continue;
      }
      const f = schema.fields[i]!;
      const fits =
        (typeof v === 'number' && isNumeric(f.dataType)) ||
        (typeof v === 'string' && f.dataType.kind === 'string') ||
        (typeof v === 'boolean' && f.dataType.kind === 'boolean');
      if (!fits) continue;
      replacements[f.name] = coalesce(col(f.name), lit(v).cast(f.dataType)).alias(f.name);
    }
    return Object.keys(replacements).length === 0 ? this.df : this.df.withColumns(replacements);
  }

  private names(subset?: string[]): string[] {
    if (!subset) return this.df.columns;
    for (const n of subset) {
      if (this.df.schema.indexOf(n) < 0)
        throw new EddyError(
          'ANALYSIS_ERROR',
          `cannot resolve '${n}' given input columns: [${this.df.columns.join(', ')}]`,
        );
    }
    return subset;
  }
}
