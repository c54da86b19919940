import { EddyError, describeValue } from '../common/errors.js';

/**
 * Eddy's data types, named and printed as Spark names and prints them. A schema is a StructType; nested arrays
 * and structs are allowed, and `vector` is the ML feature type (Spark's VectorUDT).
 */
export type DataType =
  | { readonly kind: 'null' }
  | { readonly kind: 'string' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'int' }
  | { readonly kind: 'long' }
  | { readonly kind: 'double' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'binary' }
  | { readonly kind: 'vector' }
  | { readonly kind: 'array'; readonly elementType: DataType; readonly containsNull: boolean }
  | StructType;

export type PrimitiveKind =
  'null' | 'string' | 'boolean' | 'int' | 'long' | 'double' | 'timestamp' | 'binary' | 'vector';

export const NullType = { kind: 'null' } as const;
export const StringType = { kind: 'string' } as const;
export const BooleanType = { kind: 'boolean' } as const;
export const IntegerType = { kind: 'int' } as const;
export const LongType = { kind: 'long' } as const;
export const DoubleType = { kind: 'double' } as const;
export const TimestampType = { kind: 'timestamp' } as const;
export const BinaryType = { kind: 'binary' } as const;
export const VectorType = { kind: 'vector' } as const;

export function ArrayType(elementType: DataType, containsNull = true): DataType {
  return { kind: 'array', elementType, containsNull };
}

export interface StructField {
  readonly name: string;
  readonly dataType: DataType;
  readonly nullable: boolean;
}

export function field(name: string, dataType: DataType | string, nullable = true): StructField {
  return { name, dataType: typeof dataType === 'string' ? parseDataType(dataType) : dataType, nullable };
}

/** A schema: an ordered list of named, typed fields. Names are matched case-insensitively, as Spark does by default. */
export class StructType {
  readonly kind = 'struct' as const;
  readonly fields: readonly StructField[];

  constructor(fields: readonly StructField[]) {
    this.fields = fields;
  }

  add(name: string, dataType: DataType | string, nullable = true): StructType {
    return new StructType([...this.fields, field(name, dataType, nullable)]);
  }

  get fieldNames(): string[] {
    return this.fields.map((f) => f.name);
  }

  /** Index of a field by name (case-insensitive), or -1. */
  indexOf(name: string): number {
    const exact = this.fields.findIndex((f) => f.name === name);
    if (exact >= 0) return exact;
    const lower = name.toLowerCase();
    return this.fields.findIndex((f) => f.name.toLowerCase() === lower);
  }

  /** Spark's printSchema() tree. */
  treeString(): string {
    const lines = ['root'];
    for (const f of this.fields) printField(lines, ' |', f.name, f.dataType, 'nullable', f.nullable);
    return lines.join('\n') + '\n';
  }

  /** Spark's DDL-like simple string: struct<a:int,b:string>. */
  simpleString(): string {
    return `struct<${this.fields.map((f) => `${f.name}:${simpleString(f.dataType)}`).join(',')}>`;
  }
}

function printField(lines: string[], prefix: string, name: string, t: DataType, flag: string, value: boolean): void {
  lines.push(`${prefix}-- ${name}: ${typeName(t)} (${flag} = ${value})`);
  const inner = `${prefix}    |`;
  if (t.kind === 'array') printField(lines, inner, 'element', t.elementType, 'containsNull', t.containsNull);
  else if (t.kind === 'struct')
    for (const f of t.fields) printField(lines, inner, f.name, f.dataType, 'nullable', f.nullable);
}

/** The name printSchema() uses (Spark's DataType.typeName). */
export function typeName(t: DataType): string {
  switch (t.kind) {
    case 'null':
      return 'void';
    case 'int':
      return 'integer';
    default:
      return t.kind;
  }
}

/** The name dtypes and error messages use (Spark's DataType.simpleString). */
export function simpleString(t: DataType): string {
  switch (t.kind) {
    case 'null':
      return 'void';
    case 'long':
      return 'bigint';
    case 'array':
      return `array<${simpleString(t.elementType)}>`;
    case 'struct':
      return t.simpleString();
    default:
      return t.kind;
  }
}

/** The SQL name used inside generated column names, as Spark prints CAST(x AS STRING). */
export function sqlName(t: DataType): string {
  return simpleString(t).toUpperCase();
}

export function isNumeric(t: DataType): boolean {
  return t.kind === 'int' || t.kind === 'long' || t.kind === 'double';
}

export function sameType(a: DataType, b: DataType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'array' && b.kind === 'array') return sameType(a.elementType, b.elementType);
  if (a.kind === 'struct' && b.kind === 'struct') {
    return (
      a.fields.length === b.fields.length &&
      a.fields.every((f, i) => f.name === b.fields[i]!.name && sameType(f.dataType, b.fields[i]!.dataType))
    );
  }
  return true;
}

const NAMES: Record<string, DataType> = {
  string: StringType,
  varchar: StringType,
  boolean: BooleanType,
  bool: BooleanType,
  int: IntegerType,
  integer: IntegerType,
  long: LongType,
  bigint: LongType,
  double: DoubleType,
  float: DoubleType,
  real: DoubleType,
  timestamp: TimestampType,
  binary: BinaryType,
  vector: VectorType,
  void: NullType,
  null: NullType,
};

/**
 * Parses a type name as Spark's DDL does: "string", "bigint", "array<double>", "struct<a:int,b:string>".
 * Also accepts a DDL schema "a INT, b STRING" through parseSchema.
 */
export function parseDataType(input: string): DataType {
  const p = new TypeParser(input);
  const t = p.type();
  p.end();
  return t;
}

/** Parses a DDL schema string: "name STRING, age INT" (the form DataFrameReader.schema accepts). */
export function parseSchema(input: string): StructType {
  const p = new TypeParser(input);
  const fields: StructField[] = [];
  do {
    const name = p.ident();
    p.skip(':');
    fields.push(field(name, p.type()));
  } while (p.skip(','));
  p.end();
  return new StructType(fields);
}

class TypeParser {
  private pos = 0;
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  skip(ch: string): boolean {
    this.ws();
    if (this.s[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  expect(ch: string): void {
    if (!this.skip(ch)) this.fail(`expected ${describeValue(ch)}`);
  }

  ident(): string {
    this.ws();
    if (this.s[this.pos] === '`') {
      const end = this.s.indexOf('`', this.pos + 1);
      if (end < 0) this.fail('unclosed back-quote');
      const name = this.s.slice(this.pos + 1, end);
      this.pos = end + 1;
      return name;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.pos));
    if (!m) this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }

  type(): DataType {
    const name = this.ident().toLowerCase();
    if (name === 'array') {
      this.expect('<');
      const el = this.type();
      this.expect('>');
      return ArrayType(el);
    }
    if (name === 'struct') {
      this.expect('<');
      const fields: StructField[] = [];
      if (!this.skip('>')) {
        do {
          const n = this.ident();
          this.skip(':');
          fields.push(field(n, this.type()));
        } while (this.skip(','));
        this.expect('>');
      }
      return new StructType(fields);
    }
    const t = NAMES[name];
    if (!t) {
      this.fail(
        `unknown type ${describeValue(name)}; use one of string, boolean, int, bigint, double, timestamp, binary, vector, array<...>, struct<...>`,
      );
    }
    // DECIMAL(10,2) and VARCHAR(20) carry parameters Eddy ignores.
    if (this.skip('(')) {
      while (this.pos < this.s.length && this.s[this.pos] !== ')') this.pos++;
      this.expect(')');
    }
    return t;
  }

  end(): void {
    this.ws();
    if (this.pos < this.s.length) this.fail('unexpected text');
  }

  fail(what: string): never {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `cannot parse type ${describeValue(this.s)} at position ${this.pos}: ${what}`,
    );
  }
}
