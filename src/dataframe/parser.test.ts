import { describe, expect, it } from 'vitest';
import { exprName, outputName } from './column.js';
import { parseExpression, parseNamedExpression } from './parser.js';

const name = (s: string): string => outputName(parseNamedExpression(s));

describe('expression parser', () => {
  it('parses the SQL forms selectExpr takes and names them as Spark does', () => {
    expect(name('CAST(value AS STRING)')).toBe('value');
    expect(exprName(parseExpression('CAST(value AS STRING)'))).toBe('CAST(value AS STRING)');
    expect(name('CAST(timestamp AS TIMESTAMP)')).toBe('timestamp');
    expect(name("split(value, ' ')")).toBe('split(value,  )');
    expect(name('a + 1 AS b')).toBe('b');
    expect(name('a + 1 b')).toBe('b');
    expect(name('a + 1')).toBe('(a + 1)');
    expect(name('a + b * c')).toBe('(a + (b * c))');
    expect(name('(a + b) * c')).toBe('((a + b) * c)');
    expect(name('count(*)')).toBe('count(1)');
    expect(name('count(DISTINCT x)')).toBe('count(DISTINCT x)');
    expect(name('NOT a > 1 AND b < 2 OR c = 3')).toBe('(((NOT (a > 1)) AND (b < 2)) OR (c = 3))');
    expect(name('x IS NOT NULL')).toBe('(x IS NOT NULL)');
    expect(name('-x')).toBe('(- x)');
    expect(name('CASE WHEN a > 1 THEN 1 ELSE 0 END')).toBe('CASE WHEN (a > 1) THEN 1 ELSE 0 END');
    expect(name('`odd name` + 1')).toBe('(`odd name` + 1)');
  });

  it('reads literals: strings with both quote styles and escapes, numbers, booleans, null', () => {
    expect(parseExpression("'it''s'")).toEqual({ k: 'lit', value: "it's" });
    expect(parseExpression("'a\\'b'")).toEqual({ k: 'lit', value: "a'b" });
    expect(parseExpression('"dq"')).toEqual({ k: 'lit', value: 'dq' });
    expect(parseExpression('1.5')).toEqual({ k: 'lit', value: 1.5 });
    expect(parseExpression('10L')).toEqual({ k: 'lit', value: 10n });
    expect(parseExpression('3000000000')).toEqual({ k: 'lit', value: 3000000000n });
    expect(parseExpression('-2')).toEqual({ k: 'lit', value: -2 });
    expect(parseExpression('TRUE')).toEqual({ k: 'lit', value: true });
    expect(parseExpression('null')).toEqual({ k: 'lit', value: null });
  });

  it('desugars IN, BETWEEN, LIKE, <> and ==', () => {
    expect(exprName(parseExpression('x IN (1, 2)'))).toBe('in(x, 1, 2)');
    expect(exprName(parseExpression('x NOT IN (1)'))).toBe('(NOT in(x, 1))');
    expect(exprName(parseExpression('x BETWEEN 1 AND 5'))).toBe('((x >= 1) AND (x <= 5))');
    expect(exprName(parseExpression("s LIKE 'a%'"))).toBe('like(s, a%)');
    expect(exprName(parseExpression('a <> b'))).toBe('(a != b)');
    expect(exprName(parseExpression('a == b'))).toBe('(a = b)');
  });

  it('reports where a malformed expression goes wrong', () => {
    expect(() => parseExpression('a +')).toThrow(/at position 3: expected an expression, found end of input/);
    expect(() => parseExpression("'open")).toThrow(/unclosed string literal/);
    expect(() => parseExpression('f(a')).toThrow(/expected "\)"/);
    expect(() => parseExpression('a b c')).toThrow(/unexpected text after the expression/);
    expect(() => parseExpression('CAST(a AS notatype)')).toThrow(/unknown type "notatype"/);
    expect(() => parseExpression('a # b')).toThrow(/unexpected character "#"/);
  });
});
