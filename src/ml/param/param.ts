import { formatJavaDouble } from './java-double.js';
import type { ParamValidator } from './validators.js';

/** The JVM type Spark gives the param; it decides how values print in explainParams ("5" vs "0.0"). */
export type ParamKind = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'intArray' | 'doubleArray' | 'stringArray';

/**
 * A parameter of a pipeline stage, as Spark's Param: it belongs to a parent (the stage's uid), has a name, a doc
 * string and a validator. Values are kept in the stage (user-set apart from defaults), never in the Param.
 */
export class Param<T> {
  constructor(
    readonly parent: string,
    readonly name: string,
    readonly doc: string,
    readonly isValid: ParamValidator<T>,
    readonly kind: ParamKind,
  ) {}

  /** The value as Scala's toString would print it, for explainParams. */
  format(value: T): string {
    if (this.kind === 'double' && typeof value === 'number') return formatJavaDouble(value);
    if (this.kind === 'doubleArray' && Array.isArray(value))
      return `[${value.map((v) => formatJavaDouble(v)).join(',')}]`;
    if ((this.kind === 'stringArray' || this.kind === 'intArray') && Array.isArray(value))
      return `[${value.join(',')}]`;
    return String(value);
  }

  toString(): string {
    return `${this.parent}__${this.name}`;
  }
}

/** A param with a value, as Spark's ParamPair. */
export interface ParamPair<T = unknown> {
  param: Param<T>;
  value: T;
}

/**
 * Spark's ParamMap: param → value. Keyed by the Param object; `byName` gives a plain object for JSON and for
 * passing between stages of the same class.
 */
export class ParamMap {
  private readonly map = new Map<Param<unknown>, unknown>();

  put<T>(param: Param<T>, value: T): this {
    this.map.set(param as Param<unknown>, value);
    return this;
  }

  get<T>(param: Param<T>): T | undefined {
    return this.map.get(param as Param<unknown>) as T | undefined;
  }

  contains<T>(param: Param<T>): boolean {
    return this.map.has(param as Param<unknown>);
  }

  remove<T>(param: Param<T>): boolean {
    return this.map.delete(param as Param<unknown>);
  }

  get size(): number {
    return this.map.size;
  }

  toSeq(): ParamPair[] {
    return [...this.map].map(([param, value]) => ({ param, value }));
  }

  /** name → value, sorted by name (the shape of paramMap in a saved model's metadata.json). */
  byName(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [p, v] of [...this.map].sort((a, b) => (a[0].name < b[0].name ? -1 : 1))) out[p.name] = v;
    return out;
  }
}
