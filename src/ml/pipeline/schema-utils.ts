import { EddyError } from '../../common/errors.js';
import { simpleString, StructType, type DataType, type StructField } from '../../dataframe/types.js';

/** ML attributes of a column, the part of Spark's column metadata Eddy keeps (nominal values from StringIndexer). */
export interface MLAttributes {
  /** Nominal values, index → label ("ml_attr.vals" in Spark). */
  vals?: readonly string[];
  /** A vector column's attributes per slot, as Spark's AttributeGroup ("ml_attr.attrs"). */
  attrs?: VectorAttributes;
  /** A vector column's size when known ("ml_attr.num_attrs"). */
  num_attrs?: number;
}

/** One slot of a vector column: its index and name, and for nominal slots the values. */
export interface SlotAttribute {
  idx: number;
  name?: string;
  vals?: readonly string[];
}

/** Spark's AttributeGroup JSON: slots by kind. */
export interface VectorAttributes {
  numeric?: SlotAttribute[];
  nominal?: SlotAttribute[];
  binary?: SlotAttribute[];
}

/**
 * Spark's MetadataUtils.getCategoricalFeatures: the vector slots a tree treats as categorical — nominal slots
 * with their number of values, and binary slots (two values).
 */
export function categoricalFeaturesOf(field: MLField): Map<number, number> {
  const out = new Map<number, number>();
  const attrs = field.metadata?.ml_attr?.attrs;
  for (const a of attrs?.nominal ?? []) if (a.vals !== undefined) out.set(a.idx, a.vals.length);
  for (const a of attrs?.binary ?? []) out.set(a.idx, 2);
  return out;
}

/** A StructField that may carry ML metadata; ML stages keep it, SQL projections drop it. */
export interface MLField extends StructField {
  readonly metadata?: { ml_attr?: MLAttributes };
}

export type KindSet = readonly DataType['kind'][];
export const NUMERIC_KINDS: KindSet = ['double', 'int', 'long', 'boolean'];

function columnsOf(schema: StructType): string {
  return `[${schema.fields.map((f) => `${f.name}: ${simpleString(f.dataType)}`).join(', ')}]`;
}

/**
 * The input column `name` of a stage, checked to exist and to have one of the allowed types. The error names the
 * stage, the param, the column and the columns that exist — raised at fit/transform call time, before data flows.
 */
export function inputField(
  stage: { uid: string },
  schema: StructType,
  param: string,
  name: string,
  kinds: KindSet,
): MLField {
  const i = schema.indexOf(name);
  if (i < 0) {
    throw new EddyError(
      'ANALYSIS_ERROR',
      `${stage.uid}: input column '${name}' (${param}) does not exist; the columns are ${columnsOf(schema)}`,
    );
  }
  const f = schema.fields[i]!;
  if (!kinds.includes(f.dataType.kind)) {
    throw new EddyError(
      'ANALYSIS_ERROR',
      `${stage.uid}: input column '${name}' (${param}) has type ${simpleString(f.dataType)} but must be ` +
        `${kinds.map((k) => (k === 'int' ? 'int' : k === 'long' ? 'bigint' : k)).join(' or ')}; the columns are ${columnsOf(schema)}`,
    );
  }
  return f as MLField;
}

/** The schema with output columns appended; an output column that already exists is an error, as in Spark. */
export function appendFields(stage: { uid: string }, schema: StructType, fields: readonly MLField[]): StructType {
  for (const f of fields) {
    if (schema.indexOf(f.name) >= 0) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `${stage.uid}: output column '${f.name}' already exists; choose another output column name or drop it first (columns: ${columnsOf(schema)})`,
      );
    }
  }
  return new StructType([...schema.fields, ...fields]);
}

export function mlField(name: string, dataType: DataType, nullable: boolean, attrs?: MLAttributes): MLField {
  return attrs === undefined
    ? { name, dataType, nullable }
    : { name, dataType, nullable, metadata: { ml_attr: attrs } };
}

/** A numeric column value (double/int/long/boolean internal value) as a double; null stays null. */
export function toDouble(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number.NaN;
}
