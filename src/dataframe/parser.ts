import { EddyError, describeValue } from '../common/errors.js';
import type { Expr } from './column.js';
import { parseDataType } from './types.js';

/**
 * A parser for Spark SQL expressions as selectExpr(), expr() and filter("...") take them:
 *   CAST(value AS STRING), split(value, ' '), a + 1 AS b, count(DISTINCT x), CASE WHEN ... END,
 *   a IS NOT NULL, x IN (1, 2), s LIKE 'a%', b BETWEEN 1 AND 5, NOT (a > 1 AND b < 2), `odd name`.
 * Precedence, loosest first: OR, AND, NOT, comparison/IS/IN/LIKE/BETWEEN, + - ||, * / %, unary minus.
 */

type TokKind = 'num' | 'str' | 'ident' | 'qident' | 'op' | 'eof';
interface Token {
  kind: TokKind;
  text: string;
  value?: unknown;
  start: number;
  end: number;
}

const OPS = [
  '<=>',
  '<=',
  '>=',
  '<>',
  '!=',
  '==',
  '||',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '(',
  ')',
  ',',
  '.',
  '[',
  ']',
];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fail: (what: string) => never = (what) => {
    throw new EddyError('INVALID_ARGUMENT', `cannot parse expression ${describeValue(src)} at position ${i}: ${what}`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d*\.?\d*(?:[eE][+-]?\d+)?)([LlDd]?)/.exec(src.slice(i))!;
      i += m[0].length;
      const num = m[1]!;
      const suffix = m[2]!.toUpperCase();
      let value: unknown;
      if (suffix === 'L') value = BigInt(num);
      else if (suffix === 'D' || /[.eE]/.test(num)) value = Number(num);
      else {
        const n = Number(num);
        // Integer literals beyond int range are bigint (long) in Spark.
        value = Math.abs(n) <= 2147483647 ? n : BigInt(num);
      }
      out.push({ kind: 'num', text: m[0], value, start, end: i });
      continue;
    }
    if (c === "'" || c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) fail('unclosed string literal');
        const d = src[i]!;
        if (d === '\\' && i + 1 < src.length) {
          const e = src[i + 1]!;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '0' ? '\0' : e;
          i += 2;
        } else if (d === c) {
          if (src[i + 1] === c) {
            s += c;
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          s += d;
          i++;
        }
      }
      out.push({ kind: 'str', text: src.slice(start, i), value: s, start, end: i });
      continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) fail('unclosed back-quote');
      out.push({ kind: 'qident', text: src.slice(i + 1, end), start, end: end + 1 });
      i = end + 1;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      i += id[0].length;
      out.push({ kind: 'ident', text: id[0], start, end: i });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) fail(`unexpected character ${describeValue(c)}`);
    i += op.length;
    out.push({ kind: 'op', text: op, start, end: i });
  }
  out.push({ kind: 'eof', text: '', start: src.length, end: src.length });
  return out;
}

const RESERVED = new Set([
  'AND',
  'OR',
  'NOT',
  'AS',
  'IS',
  'IN',
  'LIKE',
  'RLIKE',
  'BETWEEN',
  'FROM',
  'THEN',
  'ELSE',
  'END',
  'WHEN',
]);

class Parser {
  private pos = 0;
  private readonly toks: Token[];
  constructor(private readonly src: string) {
    this.toks = tokenize(src);
  }

  private peek(offset = 0): Token {
    return this.toks[Math.min(this.pos + offset, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  private isKw(kw: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text.toUpperCase() === kw;
  }
  private acceptKw(kw: string): boolean {
    if (this.isKw(kw)) {
      this.pos++;
      return true;
    }
    return false;
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === op;
  }
  private acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.pos++;
      return true;
    }
    return false;
  }
  private expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`expected ${describeValue(op)}`);
  }
  private expectKw(kw: string): void {
    if (!this.acceptKw(kw)) this.fail(`expected ${kw}`);
  }
  fail(what: string): never {
    const t = this.peek();
    const found = t.kind === 'eof' ? 'end of input' : describeValue(t.text);
    throw new EddyError(
      'INVALID_ARGUMENT',
      `cannot parse expression ${describeValue(this.src)} at position ${t.start}: ${what}, found ${found}`,
    );
  }

  /** expr [AS] alias */
  named(): Expr {
    const e = this.expr();
    if (this.acceptKw('AS') || this.peek().kind === 'ident' || this.peek().kind === 'qident') {
      const t = this.next();
      if (t.kind !== 'ident' && t.kind !== 'qident') this.fail('expected an alias name');
      return { k: 'alias', child: e, name: t.text };
    }
    return e;
  }

  end(): void {
    if (this.peek().kind !== 'eof') this.fail('unexpected text after the expression');
  }

  expr(): Expr {
    let l = this.and();
    while (this.acceptKw('OR')) l = fn('or', l, this.and());
    return l;
  }
  private and(): Expr {
    let l = this.not();
    while (this.acceptKw('AND')) l = fn('and', l, this.not());
    return l;
  }
  private not(): Expr {
    if (this.acceptKw('NOT')) return fn('not', this.not());
    return this.predicate();
  }
  private predicate(): Expr {
    let l = this.comparison();
    for (;;) {
      if (this.acceptKw('IS')) {
        const neg = this.acceptKw('NOT');
        this.expectKw('NULL');
        l = fn(neg ? 'isnotnull' : 'isnull', l);
        continue;
      }
      const neg =
        this.isKw('NOT') &&
        (this.isKw('IN', 1) || this.isKw('LIKE', 1) || this.isKw('BETWEEN', 1) || this.isKw('RLIKE', 1));
      if (neg) this.pos++;
      let e: Expr | null = null;
      if (this.acceptKw('IN')) {
        this.expectOp('(');
        const items = [l];
        do items.push(this.expr());
        while (this.acceptOp(','));
        this.expectOp(')');
        e = { k: 'fn', name: 'in', args: items };
      } else if (this.acceptKw('LIKE')) e = fn('like', l, this.comparison());
      else if (this.acceptKw('RLIKE')) e = fn('rlike', l, this.comparison());
      else if (this.acceptKw('BETWEEN')) {
        const lo = this.comparison();
        this.expectKw('AND');
        const hi = this.comparison();
        e = fn('and', fn('>=', l, lo), fn('<=', l, hi));
      }
      if (!e) return l;
      l = neg ? fn('not', e) : e;
    }
  }
  private comparison(): Expr {
    let l = this.additive();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !['=', '==', '!=', '<>', '<', '<=', '>', '>=', '<=>'].includes(t.text)) return l;
      this.pos++;
      const op = t.text === '==' ? '=' : t.text === '<>' ? '!=' : t.text;
      l = fn(op, l, this.additive());
    }
  }
  private additive(): Expr {
    let l = this.multiplicative();
    for (;;) {
      if (this.acceptOp('+')) l = fn('+', l, this.multiplicative());
      else if (this.acceptOp('-')) l = fn('-', l, this.multiplicative());
      else if (this.acceptOp('||')) l = fn('concat', l, this.multiplicative());
      else return l;
    }
  }
  private multiplicative(): Expr {
    let l = this.unary();
    for (;;) {
      if (this.acceptOp('*')) l = fn('*', l, this.unary());
      else if (this.acceptOp('/')) l = fn('/', l, this.unary());
      else if (this.acceptOp('%')) l = fn('%', l, this.unary());
      else return l;
    }
  }
  private unary(): Expr {
    if (this.acceptOp('-')) {
      const t = this.peek();
      if (t.kind === 'num') {
        this.pos++;
        const v = t.value;
        return { k: 'lit', value: typeof v === 'bigint' ? -v : -(v as number) };
      }
      return fn('negative', this.unary());
    }
    if (this.acceptOp('+')) return this.unary();
    return this.postfix(this.primary());
  }
  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.acceptOp('[')) {
        const idx = this.expr();
        this.expectOp(']');
        e = fn(
          'element_at',
          e,
          idx.k === 'lit' && typeof idx.value === 'number'
            ? { k: 'lit', value: idx.value + 1 }
            : fn('+', idx, { k: 'lit', value: 1 }),
        );
      } else if (this.isOp('.') && (this.peek(1).kind === 'ident' || this.peek(1).kind === 'qident')) {
        this.pos++;
        e = fn('get_field', e, { k: 'lit', value: this.next().text });
      } else return e;
    }
  }
  private primary(): Expr {
    const t = this.peek();
    if (t.kind === 'num' || t.kind === 'str') {
      this.pos++;
      return { k: 'lit', value: t.value };
    }
    if (this.acceptOp('(')) {
      const e = this.expr();
      this.expectOp(')');
      return e;
    }
    if (this.acceptOp('*')) return { k: 'star' };
    if (t.kind === 'qident') {
      this.pos++;
      return this.qualified(t.text, true);
    }
    if (t.kind !== 'ident') this.fail('expected an expression');
    const upper = t.text.toUpperCase();
    if (RESERVED.has(upper)) this.fail('expected an expression');
    this.pos++;
    if (upper === 'NULL') return { k: 'lit', value: null };
    if (upper === 'TRUE' || upper === 'FALSE') return { k: 'lit', value: upper === 'TRUE' };
    if (upper === 'CAST' && this.isOp('(')) return this.cast();
    if (upper === 'CASE') return this.caseExpr();
    if (upper === 'INTERVAL') {
      const v = this.next();
      if (v.kind === 'str') return { k: 'lit', value: v.value };
      if (v.kind !== 'num') this.fail('expected an interval such as INTERVAL 10 MINUTES');
      const unit = this.next();
      return { k: 'lit', value: `${v.text} ${unit.text.toLowerCase()}` };
    }
    if ((upper === 'TIMESTAMP' || upper === 'DATE') && this.peek().kind === 'str') {
      return { k: 'cast', child: { k: 'lit', value: this.next().value }, to: { kind: 'timestamp' } };
    }
    if (this.acceptOp('(')) return this.call(t.text.toLowerCase());
    return this.qualified(t.text, false);
  }
  private qualified(first: string, quoted: boolean): Expr {
    // a.b is one dotted column name until analysis decides whether it is a struct field.
    let name = quoted ? `\`${first}\`` : first;
    while (this.isOp('.') && this.peek(1).kind === 'ident' && !quoted) {
      this.pos++;
      name += `.${this.next().text}`;
    }
    return { k: 'col', name };
  }
  private call(name: string): Expr {
    const distinct = this.acceptKw('DISTINCT');
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      do args.push(this.expr());
      while (this.acceptOp(','));
    }
    this.expectOp(')');
    const alias: Record<string, string> = {
      substr: 'substring',
      ucase: 'upper',
      lcase: 'lower',
      char_length: 'length',
      power: 'pow',
      ln: 'log',
      countdistinct: 'count_distinct',
      std: 'stddev',
    };
    return distinct
      ? { k: 'fn', name: alias[name] ?? name, args, distinct }
      : { k: 'fn', name: alias[name] ?? name, args };
  }
  private cast(): Expr {
    this.expectOp('(');
    const child = this.expr();
    this.expectKw('AS');
    const start = this.peek().start;
    let depth = 0;
    while (!(depth === 0 && this.isOp(')'))) {
      const t = this.next();
      if (t.kind === 'eof') this.fail('expected ) closing CAST');
      if (t.text === '(' || t.text === '<') depth++;
      if (t.text === ')' || t.text === '>') depth--;
    }
    const typeText = this.src.slice(start, this.peek().start);
    this.expectOp(')');
    return { k: 'cast', child, to: parseDataType(typeText) };
  }
  private caseExpr(): Expr {
    const subject = this.isKw('WHEN') ? null : this.expr();
    const branches: [Expr, Expr][] = [];
    while (this.acceptKw('WHEN')) {
      const c = this.expr();
      this.expectKw('THEN');
      branches.push([subject ? fn('=', subject, c) : c, this.expr()]);
    }
    if (branches.length === 0) this.fail('expected WHEN');
    const otherwise = this.acceptKw('ELSE') ? this.expr() : undefined;
    this.expectKw('END');
    return otherwise ? { k: 'case', branches, otherwise } : { k: 'case', branches };
  }
}

function fn(name: string, ...args: Expr[]): Expr {
  return { k: 'fn', name, args };
}

/** Parses one expression, optionally followed by an alias ("a + 1 AS b"), as selectExpr takes it. */
export function parseNamedExpression(src: string): Expr {
  const p = new Parser(src);
  const e = p.named();
  p.end();
  return e;
}

/** Parses one expression without alias, as filter("...") takes it. */
export function parseExpression(src: string): Expr {
  const p = new Parser(src);
  const e = p.expr();
  p.end();
  return e;
}
