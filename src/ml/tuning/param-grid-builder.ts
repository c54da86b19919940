import { EddyError } from '../../common/errors.js';
import { ParamMap, type Param } from '../param/param.js';

/**
 * Spark's ParamGridBuilder: every combination of the values given per param, as ParamMaps. As in Spark, the
 * first param added varies fastest; `baseOn` fixes values in every map.
 */
export class ParamGridBuilder {
  private readonly grid = new Map<Param<unknown>, unknown[]>();

  baseOn<T>(param: Param<T>, value: T): this {
    return this.addGrid(param, [value]);
  }

  addGrid<T>(param: Param<T>, values: readonly T[]): this {
    if (!Array.isArray(values) || values.length === 0) {
      throw new EddyError('INVALID_ARGUMENT', `addGrid(${param.toString()}) needs a non-empty array of values`);
    }
    for (const v of values) {
      if (!param.isValid(v)) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `addGrid: ${String(v)} is not a valid value of ${param.toString()}; it must be ${param.isValid.description}`,
        );
      }
    }
    this.grid.set(param as Param<unknown>, [...values]);
    return this;
  }

  build(): ParamMap[] {
    let maps = [new ParamMap()];
    for (const [param, values] of this.grid) {
      maps = values.flatMap((v) =>
        maps.map((m) => {
          const c = new ParamMap();
          for (const { param: p, value } of m.toSeq()) c.put(p, value);
          return c.put(param, v);
        }),
      );
    }
    return maps;
  }
}
