import { EddyError, describeValue } from '../../common/errors.js';

/** Reader/writer options, keys case-insensitive as Spark's CaseInsensitiveMap, values kept as strings. */
export class Options {
  private readonly map = new Map<string, string>();

  set(key: string, value: string | number | boolean): void {
    this.map.set(key.toLowerCase(), String(value));
  }
  get(key: string): string | undefined {
    return this.map.get(key.toLowerCase());
  }
  string(key: string, dflt: string): string {
    return this.get(key) ?? dflt;
  }
  bool(key: string, dflt: boolean): boolean {
    const v = this.get(key);
    if (v === undefined) return dflt;
    const s = v.toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
    throw new EddyError('INVALID_ARGUMENT', `option ${key}=${describeValue(v)} must be true or false`);
  }
  int(key: string, dflt: number): number {
    const v = this.get(key);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new EddyError('INVALID_ARGUMENT', `option ${key}=${describeValue(v)} must be a non-negative integer`);
    return n;
  }
  char(key: string, dflt: string): string {
    const v = this.get(key) ?? dflt;
    const s = v === '\\t' ? '\t' : v;
    if (s.length !== 1)
      throw new EddyError('INVALID_ARGUMENT', `option ${key}=${describeValue(v)} must be a single character`);
    return s;
  }
  entries(): [string, string][] {
    return [...this.map.entries()];
  }
  copy(): Options {
    const o = new Options();
    for (const [k, v] of this.map) o.set(k, v);
    return o;
  }
}

export type ParseMode = 'PERMISSIVE' | 'DROPMALFORMED' | 'FAILFAST';

export function parseMode(opts: Options): ParseMode {
  const m = opts.string('mode', 'PERMISSIVE').toUpperCase();
  if (m !== 'PERMISSIVE' && m !== 'DROPMALFORMED' && m !== 'FAILFAST') {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `option mode=${describeValue(opts.get('mode'))} must be PERMISSIVE, DROPMALFORMED or FAILFAST`,
    );
  }
  return m;
}
