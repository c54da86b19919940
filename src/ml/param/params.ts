import { EddyError, describeValue } from '../../common/errors.js';
import { Param, ParamMap, type ParamKind } from './param.js';
import type { ParamValidator } from './validators.js';

export interface ParamDefinition<T> {
  doc: string;
  kind: ParamKind;
  validator: ParamValidator<T>;
  /** Absent for params Spark leaves undefined by default (weightCol, thresholds). */
  default?: T;
}

/**
 * Spark's Params: a stage owns its params, keeps user-set values apart from defaults, and validates a value the
 * moment it is set, so a bad value never reaches fit(). Subclasses declare params with `declare()` in field
 * initializers and call `applyOptions()` at the end of their constructor.
 */
export abstract class Params {
  readonly uid: string;
  private readonly declared = new Map<string, Param<unknown>>();
  private readonly values = new ParamMap();
  private readonly defaults = new ParamMap();

  protected constructor(uid: string) {
    this.uid = uid;
  }

  protected declare<T>(name: string, def: ParamDefinition<T>): Param<T> {
    const param = new Param<T>(this.uid, name, def.doc, def.validator, def.kind);
    this.declared.set(name, param as Param<unknown>);
    if (def.default !== undefined) this.defaults.put(param, def.default);
    return param;
  }

  /** All params, sorted by name as Spark's `params`. */
  get params(): Param<unknown>[] {
    return [...this.declared.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  hasParam(name: string): boolean {
    return this.declared.has(name);
  }

  getParam(name: string): Param<unknown> {
    const p = this.declared.get(name);
    if (p === undefined) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} has no param ${describeValue(name)}; its params are: ${this.params.map((q) => q.name).join(', ')}`,
      );
    }
    return p;
  }

  private own<T>(param: Param<T>): Param<T> {
    if (this.declared.get(param.name) !== (param as Param<unknown>)) {
      throw new EddyError('INVALID_ARGUMENT', `param ${param.toString()} does not belong to ${this.uid}`);
    }
    return param;
  }

  /** Rejects a value the param's validator refuses, naming param, value and allowed values. */
  protected validate<T>(param: Param<T>, value: T): void {
    if (value === undefined || value === null || !param.isValid(value)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} parameter ${param.name} given invalid value ${typeof value === 'number' ? String(value) : describeValue(value)}; ` +
          `it must be ${param.isValid.description} (${param.doc})`,
      );
    }
  }

  /** Sets a param (by Param or by name) after validating the value. */
  set<T>(param: Param<T> | string, value: T): this {
    const p = (typeof param === 'string' ? this.getParam(param) : this.own(param)) as Param<T>;
    const v = this.normalize(p, value);
    this.validate(p, v);
    this.values.put(p, v);
    return this;
  }

  /** Hook for case-insensitive string params (Spark lower-cases impurity and featureSubsetStrategy). */
  protected normalize<T>(_param: Param<T>, value: T): T {
    return value;
  }

  clear<T>(param: Param<T> | string): this {
    this.values.remove(typeof param === 'string' ? this.getParam(param) : this.own(param));
    return this;
  }

  /** Sets each option by name; an unknown name is an error listing the valid ones. */
  setParams(options: Record<string, unknown>): this {
    for (const [name, value] of Object.entries(options)) {
      if (name === 'uid' || value === undefined) continue;
      this.set(this.getParam(name), value);
    }
    return this;
  }

  protected applyOptions(options: object | undefined): void {
    if (options !== undefined) this.setParams(options as Record<string, unknown>);
  }

  /**
   * Applies saved params (metadata.json's paramMap and defaultParamMap) as Spark's getAndSetParams: saved
   * defaults replace the class's defaults, so a model keeps behaving as when it was saved.
   */
  restoreParamMaps(paramMap: Record<string, unknown>, defaultParamMap: Record<string, unknown> = {}): this {
    // metadata.json writes NaN and infinities of double params as strings, as Spark does.
    const double = (v: unknown): unknown => (v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v);
    const revive = (name: string, value: unknown): unknown => {
      const kind = this.hasParam(name) ? this.getParam(name).kind : undefined;
      if (kind === 'double') return double(value);
      if (kind === 'doubleArray' && Array.isArray(value)) return value.map(double);
      return value;
    };
    for (const [name, value] of Object.entries(defaultParamMap)) {
      if (!this.hasParam(name)) continue;
      const p = this.getParam(name);
      const v = revive(name, value);
      this.validate(p, v);
      this.defaults.put(p, v);
    }
    const revived: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(paramMap)) revived[name] = revive(name, value);
    return this.setParams(revived);
  }

  protected setDefault<T>(param: Param<T>, value: T): this {
    this.defaults.put(this.own(param), value);
    return this;
  }

  isSet<T>(param: Param<T>): boolean {
    return this.values.contains(this.own(param));
  }

  hasDefault<T>(param: Param<T>): boolean {
    return this.defaults.contains(this.own(param));
  }

  isDefined<T>(param: Param<T>): boolean {
    return this.isSet(param) || this.hasDefault(param);
  }

  get<T>(param: Param<T>): T | undefined {
    return this.values.get(this.own(param));
  }

  getDefault<T>(param: Param<T>): T | undefined {
    return this.defaults.get(this.own(param));
  }

  /** The user-set value, else the default; ILLEGAL_STATE when neither exists (Spark's NoSuchElementException). */
  getOrDefault<T>(param: Param<T>): T {
    const p = this.own(param);
    if (this.values.contains(p)) return this.values.get(p) as T;
    if (this.defaults.contains(p)) return this.defaults.get(p) as T;
    throw new EddyError('ILLEGAL_STATE', `${this.uid} parameter ${p.name} is not set and has no default value`);
  }

  /** "name: doc (default: x, current: y)" exactly as Spark's explainParam. */
  explainParam<T>(param: Param<T> | string): string {
    const p = typeof param === 'string' ? this.getParam(param) : this.own(param);
    let valueStr = '(undefined)';
    if (this.isDefined(p)) {
      const parts: string[] = [];
      if (this.defaults.contains(p)) parts.push(`default: ${p.format(this.defaults.get(p) as T)}`);
      if (this.values.contains(p)) parts.push(`current: ${p.format(this.values.get(p) as T)}`);
      valueStr = `(${parts.join(', ')})`;
    }
    return `${p.name}: ${p.doc} ${valueStr}`;
  }

  explainParams(): string {
    return this.params.map((p) => this.explainParam(p)).join('\n');
  }

  /** Defaults, overridden by user-set values, overridden by `extra` — Spark's extractParamMap. */
  extractParamMap(extra?: ParamMap): ParamMap {
    const out = new ParamMap();
    for (const { param, value } of this.defaults.toSeq()) out.put(param, value);
    for (const { param, value } of this.values.toSeq()) out.put(param, value);
    if (extra !== undefined) for (const { param, value } of extra.toSeq()) out.put(this.own(param), value);
    return out;
  }

  /** User-set values by name (metadata.json's paramMap). */
  userParamMap(): Record<string, unknown> {
    return this.values.byName();
  }

  /** Defaults by name (metadata.json's defaultParamMap). */
  defaultParamMap(): Record<string, unknown> {
    return this.defaults.byName();
  }

  /** Copies set values and defaults (by name) onto `to`, then applies `extra`; Spark's copyValues. */
  protected copyValues<P extends Params>(to: P, extra?: ParamMap | Record<string, unknown>): P {
    for (const { param, value } of this.values.toSeq()) if (to.hasParam(param.name)) to.set(param.name, value);
    for (const { param, value } of this.defaults.toSeq()) {
      if (to.hasParam(param.name)) to.defaults.put(to.getParam(param.name), value);
    }
    if (extra instanceof ParamMap) {
      for (const { param, value } of extra.toSeq()) {
        if (param.parent !== this.uid) {
          throw new EddyError('INVALID_ARGUMENT', `param ${param.toString()} does not belong to ${this.uid}`);
        }
        to.set(param.name, value);
      }
    } else if (extra !== undefined) {
      to.setParams(extra);
    }
    return to;
  }

  /** A new instance with the same uid and params, plus `extra` (Spark's copy(extra)). */
  abstract copy(extra?: ParamMap | Record<string, unknown>): Params;

  toString(): string {
    return this.uid;
  }
}
