import type { Bound } from './bound.js';
import { ColumnVector } from './column-vector.js';
import { ArrayType, StringType } from './types.js';

/**
 * The text a pattern matches when it is a plain string (no regular-expression syntax, or only escaped
 * punctuation such as "\\|"), or null. Splitting on a literal is String.split with a string, many times faster
 * than a RegExp and with the same result as Java's split with limit -1.
 */
export function literalPattern(p: string): string | null {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const next = p[i + 1];
      if (next === undefined || !/[.*+?^${}()|[\]\\/-]/.test(next)) return null;
      out += next;
      i++;
    } else if (/[.*+?^${}()|[\]]/.test(c)) return null;
    else out += c;
  }
  return out.length > 0 ? out : null;
}

/** split(str, literal) over a whole column: one String.split per row, no per-row argument arrays. */
export function splitLiteral(arg: Bound, sep: string, name: string): Bound {
  const type = ArrayType(StringType, false);
  return {
    type,
    nullable: arg.nullable,
    name,
    eval(batch) {
      const c = arg.eval(batch);
      const n = batch.numRows;
      const out = new Array<unknown>(n);
      const data = c.data as unknown[];
      const validity = c.validity;
      let nulls: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const v = data[i];
        if ((validity !== null && validity[i] === 0) || v === null || v === undefined) {
          if (nulls === null) nulls = new Uint8Array(n).fill(1);
          nulls[i] = 0;
          out[i] = null;
        } else out[i] = (v as string).split(sep);
      }
      return new ColumnVector(type, n, out, nulls);
    },
  };
}
