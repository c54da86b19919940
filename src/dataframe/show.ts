import type { RecordBatch } from './batch.js';
import type { DataType } from './types.js';
import { formatValue } from './values.js';
import { Vector } from './vector.js';

/** A cell as Spark's show() renders it: null, doubles as Java prints them, arrays as [a, b], binary in hex. */
function cell(v: unknown, t: DataType): string {
  if (v instanceof Vector) return v.toString();
  if (t.kind === 'array' && Array.isArray(v)) return `[${v.map((x) => cell(x, t.elementType)).join(', ')}]`;
  if (t.kind === 'struct' && v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${t.fields.map((f) => cell(o[f.name] ?? null, f.dataType)).join(', ')}}`;
  }
  return formatValue(v, t);
}

/** Display width: East Asian wide characters take two columns, as Spark's stringHalfWidth counts them. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6)
        ? 2
        : 1;
  }
  return w;
}

function pad(s: string, w: number, left: boolean): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return left ? fill + s : s + fill;
}

/**
 * Spark's Dataset.showString: a +---+ table, cells right-aligned (left-aligned when truncate is off), cut to
 * `truncate` characters with "..." at the end, and "only showing top N rows" when more rows exist.
 * `batch` holds up to n + 1 rows; the extra row only tells that there are more.
 */
export function showString(batch: RecordBatch, n: number, truncate: number): string {
  const hasMore = batch.numRows > n;
  const rows = Math.min(n, batch.numRows);
  const fields = batch.schema.fields;
  const cut = (s: string): string => {
    if (truncate <= 0 || s.length <= truncate) return s;
    return truncate < 4 ? s.slice(0, truncate) : `${s.slice(0, truncate - 3)}...`;
  };
  const table: string[][] = [fields.map((f) => cut(f.name))];
  for (let i = 0; i < rows; i++) table.push(fields.map((f, j) => cut(cell(batch.column(j).get(i), f.dataType))));
  const widths = fields.map((_, j) => Math.max(3, ...table.map((r) => width(r[j]!))));
  const sep = `+${widths.map((w) => '-'.repeat(w)).join('+')}+\n`;
  const right = truncate > 0;
  const line = (r: string[]): string => `|${r.map((c, j) => pad(c, widths[j]!, right)).join('|')}|\n`;
  let out = sep + line(table[0]!) + sep;
  for (const r of table.slice(1)) out += line(r);
  out += sep;
  if (hasMore) out += `only showing top ${n} ${n === 1 ? 'row' : 'rows'}\n`;
  return out;
}
