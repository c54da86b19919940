import { EddyError, describeValue } from '../common/errors.js';
import type { RecordBatch } from './batch.js';
import { castBound, coerce, mismatch, rowwise, widerType, type AnalysisContext, type Bound } from './bound.js';
import { exprName, type Expr } from './column.js';
import { columnsOf, exprColumns, noteColumns, sameColumns } from './references.js';
import { ColumnBuilder, ColumnVector } from './column-vector.js';
import { AGGREGATE_NAMES } from './aggregates.js';
import { SCALAR_FUNCTIONS } from './scalar-functions.js';
import { BooleanType, DoubleType, NullType, StructType, isNumeric, simpleString, type DataType } from './types.js';
import { compareValues, inferType, toInternal } from './values.js';

/** Binds an expression to a schema, reporting unknown columns and type errors now (plan time), as Spark's analyzer. */
export function bind(e: Expr, schema: StructType, ctx: AnalysisContext): Bound {
  const b = bindExpr(e, schema, ctx);
  const columns = exprColumns(e, schema);
  // A Bound shared with a sub-expression (a sort key, an unchanged coerce) keeps what it was noted with.
  if (columns !== null && columnsOf(b) === null) noteColumns(b, columns, e);
  return b;
}

function bindExpr(e: Expr, schema: StructType, ctx: AnalysisContext): Bound {
  switch (e.k) {
    case 'col':
      if (e.index !== undefined) return positional(e.index, schema);
      return bindColumn(e.name, schema);
    case 'star':
      throw new EddyError('ANALYSIS_ERROR', `'*' is only allowed as a whole select item or in count(*)`);
    case 'lit':
      return bindLiteral(e.value);
    case 'alias': {
      const c = bind(e.child, schema, ctx);
      return { type: c.type, nullable: c.nullable, name: e.name, eval: (b) => c.eval(b) };
    }
    case 'cast':
      return castBound(bind(e.child, schema, ctx), e.to, exprName(e));
    case 'sort':
      return bind(e.child, schema, ctx);
    case 'case':
      return bindCase(e, schema, ctx);
    case 'fn':
      return bindFunction(e, schema, ctx);
    case 'udf':
      return bindUdf(e, schema, ctx);
  }
}

function bindUdf(e: Extract<Expr, { k: 'udf' }>, schema: StructType, ctx: AnalysisContext): Bound {
  const args = e.args.map((a) => bind(a, schema, ctx));
  const u = e.udf;
  const name = exprName(e);
  if (u.columnar) {
    const f = u.columnar;
    return {
      type: u.returnType,
      nullable: true,
      name,
      eval(batch) {
        const out = f(
          args.map((a) => a.eval(batch)),
          batch.numRows,
        );
        if (out.length !== batch.numRows || out.type.kind !== u.returnType.kind) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `columnar function ${u.name} returned ${out.length} rows of ${simpleString(out.type)} for a batch of ${batch.numRows} rows of ${simpleString(u.returnType)}`,
          );
        }
        return out;
      },
    };
  }
  const f = u.row!;
  return rowwise(
    name,
    u.returnType,
    args,
    (v) => {
      const r = f(...v);
      return r === undefined ? null : r;
    },
    { nullSafe: u.nullIntolerant === false, nullable: true },
  );
}

export function unresolved(name: string, schema: StructType): EddyError {
  return new EddyError(
    'ANALYSIS_ERROR',
    `cannot resolve '${name}' given input columns: [${schema.fieldNames.join(', ')}]; check the name's spelling, or quote a name containing dots with back-quotes`,
  );
}

/** The column at position i of the schema. */
export function positional(i: number, schema: StructType, name?: string): Bound {
  const f = schema.fields[i];
  if (!f) throw new EddyError('INTERNAL', `no column ${i} in [${schema.fieldNames.join(', ')}]`);
  return noteColumns({ type: f.dataType, nullable: f.nullable, name: name ?? f.name, eval: (b) => b.column(i) }, [i]);
}

/** The same expression under another output name. */
export function renamed(b: Bound, name: string): Bound {
  return b.name === name ? b : sameColumns({ type: b.type, nullable: b.nullable, name, eval: (x) => b.eval(x) }, b);
}

function bindColumn(name: string, schema: StructType): Bound {
  const unquoted = name.startsWith('`') && name.endsWith('`') ? name.slice(1, -1) : name;
  const idx = schema.indexOf(unquoted);
  if (idx >= 0) {
    const f = schema.fields[idx]!;
    return { type: f.dataType, nullable: f.nullable, name: f.name, eval: (b) => b.column(idx) };
  }
  // a.b reaches into a struct column, as Spark resolves window.start.
  const dot = unquoted.indexOf('.');
  if (dot > 0 && unquoted === name) {
    const parent = bindColumn(unquoted.slice(0, dot), schema);
    let cur = parent;
    for (const part of unquoted.slice(dot + 1).split('.')) cur = structField(cur, part, name, schema);
    return cur;
  }
  throw unresolved(name, schema);
}

export function structField(parent: Bound, fieldName: string, fullName: string, schema?: StructType): Bound {
  const t = parent.type;
  if (t.kind !== 'struct') {
    if (schema) throw unresolved(fullName, schema);
    throw mismatch(fullName, `${parent.name} is of ${simpleString(t)} type, not a struct`);
  }
  const i = t.indexOf(fieldName);
  if (i < 0) throw new EddyError('ANALYSIS_ERROR', `no such struct field ${fieldName} in ${t.fieldNames.join(', ')}`);
  const f = t.fields[i]!;
  return rowwise(f.name, f.dataType, [parent], (v) => (v[0] as Record<string, unknown>)[f.name] ?? null, {
    nullable: true,
  });
}

function bindLiteral(value: unknown): Bound {
  const type: DataType = inferLiteralType(value);
  const internal = type.kind === 'null' ? null : toInternal(value, type, 'literal');
  return {
    type,
    nullable: internal === null,
    name: exprName({ k: 'lit', value }),
    eval: (b) => ColumnVector.constant(type, internal, b.numRows),
  };
}

function inferLiteralType(value: unknown): DataType {
  // lit(1) is an int in Spark, lit(1.5) a double; JS cannot tell 1.0 from 1, so whole numbers are ints.
  if (typeof value === 'number')
    return Number.isInteger(value) && Math.abs(value) <= 2147483647 ? { kind: 'int' } : DoubleType;
  return inferType(value) ?? NullType;
}

function bindCase(e: Extract<Expr, { k: 'case' }>, schema: StructType, ctx: AnalysisContext): Bound {
  const name = exprName(e);
  const conds = e.branches.map(([c]) => bind(c, schema, ctx));
  for (const c of conds) {
    if (c.type.kind !== 'boolean' && c.type.kind !== 'null')
      throw mismatch(name, `WHEN expressions must be boolean, but '${c.name}' is ${simpleString(c.type)}`);
  }
  let values = e.branches.map(([, v]) => bind(v, schema, ctx));
  const other = e.otherwise ? bind(e.otherwise, schema, ctx) : bindLiteral(null);
  let type: DataType = NullType;
  for (const v of [...values, other]) {
    const w = widerType(type, v.type);
    if (!w) throw mismatch(name, `THEN and ELSE expressions should all be same type or coercible to a common type`);
    type = w;
  }
  values = values.map((v) => coerce(v, type));
  const otherwise = coerce(other, type);
  return {
    type,
    nullable: true,
    name,
    eval(batch) {
      const cs = conds.map((c) => c.eval(batch));
      const vs = values.map((v) => v.eval(batch));
      const o = otherwise.eval(batch);
      const out = new ColumnBuilder(type, batch.numRows);
      for (let i = 0; i < batch.numRows; i++) {
        let k = 0;
        while (k < cs.length && cs[k]!.get(i) !== true) k++;
        out.append(k < cs.length ? vs[k]!.get(i) : o.get(i));
      }
      return out.finish();
    },
  };
}

const ARITH = new Set(['+', '-', '*', '/', '%']);
const COMPARE = new Set(['=', '<=>', '!=', '<', '<=', '>', '>=']);

function bindFunction(e: Extract<Expr, { k: 'fn' }>, schema: StructType, ctx: AnalysisContext): Bound {
  const name = exprName(e);
  if (AGGREGATE_NAMES.has(e.name)) {
    throw new EddyError(
      'ANALYSIS_ERROR',
      `aggregate function ${e.name}() is not allowed in '${name}' here; use it in groupBy(...).agg(...) or agg(...)`,
    );
  }
  if (e.name === 'explode' || e.name === 'explode_outer' || e.name === 'posexplode') {
    throw new EddyError(
      'ANALYSIS_ERROR',
      `generator ${e.name}() is only allowed as a top-level select item, not inside '${name}'`,
    );
  }
  if (e.name === 'count' && e.args.some((a) => a.k === 'star'))
    throw new EddyError('ANALYSIS_ERROR', `count(*) is an aggregate`);
  const args = e.args.map((a) => bind(a, schema, ctx));
  if (ARITH.has(e.name)) return arithmetic(e.name, name, args[0]!, args[1]!);
  if (COMPARE.has(e.name)) return comparison(e.name, name, args[0]!, args[1]!);
  if (e.name === 'and' || e.name === 'or') return logical(e.name, name, args[0]!, args[1]!);
  const impl = SCALAR_FUNCTIONS[e.name];
  if (!impl) {
    throw new EddyError(
      'ANALYSIS_ERROR',
      `undefined function ${describeValue(e.name)} in '${name}'; Eddy supports ${Object.keys(SCALAR_FUNCTIONS)
        .concat([...AGGREGATE_NAMES])
        .sort()
        .join(', ')}`,
    );
  }
  return impl(args, name, ctx);
}

function arithmetic(op: string, name: string, l: Bound, r: Bound): Bound {
  const numericish = (b: Bound): boolean => isNumeric(b.type) || b.type.kind === 'string' || b.type.kind === 'null';
  if (!numericish(l) || !numericish(r)) {
    throw mismatch(
      name,
      `differing types in '${name}' (${simpleString(l.type)} and ${simpleString(r.type)}); arithmetic needs numbers`,
    );
  }
  let type =
    widerType(l.type.kind === 'string' ? DoubleType : l.type, r.type.kind === 'string' ? DoubleType : r.type) ??
    DoubleType;
  if (type.kind === 'null') type = DoubleType;
  if (op === '/') type = DoubleType;
  const a = coerce(l, type);
  const b = coerce(r, type);
  const nullable = a.nullable || b.nullable || op === '/' || op === '%';
  if (type.kind === 'double') {
    const f = doubleOp(op);
    return {
      type,
      nullable,
      name,
      eval(batch) {
        const x = a.eval(batch);
        const y = b.eval(batch);
        const n = batch.numRows;
        const xd = x.data as Float64Array;
        const yd = y.data as Float64Array;
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = f(xd[i]!, yd[i]!);
        let validity = mergeValidity(x.validity, y.validity, n);
        if (op === '/' || op === '%') {
          // Division by zero is null in Spark, not Infinity.
          for (let i = 0; i < n; i++) {
            if (yd[i] === 0) {
              validity ??= new Uint8Array(n).fill(1);
              validity[i] = 0;
            }
          }
        }
        return new ColumnVector(type, n, out, validity);
      },
    };
  }
  const isLong = type.kind === 'long';
  return rowwise(
    name,
    type,
    [a, b],
    (v) => {
      if (isLong) {
        const p = v[0] as bigint;
        const q = v[1] as bigint;
        if (op === '%' && q === 0n) return null;
        return BigInt.asIntN(64, op === '+' ? p + q : op === '-' ? p - q : op === '*' ? p * q : p % q);
      }
      const p = v[0] as number;
      const q = v[1] as number;
      if (op === '%' && q === 0) return null;
      // int arithmetic wraps around as Java's does.
      return op === '+' ? (p + q) | 0 : op === '-' ? (p - q) | 0 : op === '*' ? Math.imul(p, q) : p % q;
    },
    { nullable },
  );
}

function doubleOp(op: string): (a: number, b: number) => number {
  switch (op) {
    case '+':
      return (a, b) => a + b;
    case '-':
      return (a, b) => a - b;
    case '*':
      return (a, b) => a * b;
    case '/':
      return (a, b) => a / b;
    default:
      return (a, b) => a % b;
  }
}

export function mergeValidity(a: Uint8Array | null, b: Uint8Array | null, n: number): Uint8Array | null {
  if (a === null) return b === null ? null : b.slice(0, n);
  if (b === null) return a.slice(0, n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
}

function comparison(op: string, name: string, l: Bound, r: Bound): Bound {
  const type = widerType(l.type, r.type);
  if (!type || type.kind === 'vector' || (type.kind === 'binary' && op !== '=' && op !== '!=' && op !== '<=>')) {
    throw mismatch(name, `differing types in '${name}' (${simpleString(l.type)} and ${simpleString(r.type)})`);
  }
  const a = coerce(l, type);
  const b = coerce(r, type);
  const test = compareOp(op);
  if (op === '<=>') {
    return rowwise(
      name,
      BooleanType,
      [a, b],
      (v) => (v[0] === null || v[1] === null ? v[0] === v[1] : compareValues(v[0], v[1]) === 0),
      { nullSafe: true, nullable: false },
    );
  }
  if (type.kind === 'double' || type.kind === 'int' || type.kind === 'timestamp') {
    return {
      type: BooleanType,
      nullable: a.nullable || b.nullable,
      name,
      eval(batch) {
        const x = a.eval(batch);
        const y = b.eval(batch);
        const n = batch.numRows;
        const xd = x.data as Float64Array;
        const yd = y.data as Float64Array;
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++)
          out[i] = test(xd[i]! < yd[i]! ? -1 : xd[i]! > yd[i]! ? 1 : xd[i] === yd[i] ? 0 : NaN) ? 1 : 0;
        return new ColumnVector(BooleanType, n, out, mergeValidity(x.validity, y.validity, n));
      },
    };
  }
  return rowwise(name, BooleanType, [a, b], (v) => test(compareValues(v[0], v[1])));
}

function compareOp(op: string): (c: number) => boolean {
  switch (op) {
    case '=':
    case '<=>':
      return (c) => c === 0;
    case '!=':
      return (c) => c !== 0 && !Number.isNaN(c);
    case '<':
      return (c) => c < 0;
    case '<=':
      return (c) => c <= 0;
    case '>':
      return (c) => c > 0;
    default:
      return (c) => c >= 0;
  }
}

function logical(op: string, name: string, l: Bound, r: Bound): Bound {
  for (const x of [l, r]) {
    if (x.type.kind !== 'boolean' && x.type.kind !== 'null') {
      throw mismatch(
        name,
        `'${x.name}' is of ${simpleString(x.type)} type, but ${op.toUpperCase()} needs boolean operands`,
      );
    }
  }
  // Three-valued logic: false AND null = false, true OR null = true.
  const isAnd = op === 'and';
  return rowwise(
    name,
    BooleanType,
    [l, r],
    (v) => {
      const [a, b] = v as (boolean | null)[];
      if (isAnd) return a === false || b === false ? false : a === null || b === null ? null : true;
      return a === true || b === true ? true : a === null || b === null ? null : false;
    },
    { nullSafe: true },
  );
}

/** Evaluates a predicate into the indices of rows where it is true (null counts as false, as in SQL WHERE). */
export function selectTrue(pred: Bound, batch: RecordBatch): { indices: Int32Array; count: number } {
  const c = pred.eval(batch);
  const d = c.data as Uint8Array;
  const v = c.validity;
  const idx = new Int32Array(batch.numRows);
  let n = 0;
  for (let i = 0; i < batch.numRows; i++) if (d[i] === 1 && (v === null || v[i] === 1)) idx[n++] = i;
  return { indices: idx, count: n };
}
