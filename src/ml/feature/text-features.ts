import { EddyError } from '../../common/errors.js';
import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { ArrayType, StringType, VectorType, type StructType } from '../../dataframe/types.js';
import { SparseVector } from '../../dataframe/vector.js';
import { formatJavaDouble } from '../../dataframe/vector.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import { appendFields, inputField, mlField } from '../pipeline/schema-utils.js';
import { paramsOnlyLoader, registerStage } from '../pipeline/stage-registry.js';
import { Transformer } from '../pipeline/stage.js';
import { mapBatches } from '../pipeline/transform-plan.js';
import { murmur3x86_32 } from './murmur3.js';
import { inputColParam, outputColParam } from '../param/shared-params.js';

export interface UnaryOptions {
  uid?: string;
  inputCol?: string;
  outputCol?: string;
}

function columnName(t: Transformer & { inputCol: import('../param/param.js').Param<string> }): string {
  if (!t.isDefined(t.inputCol)) throw new EddyError('INVALID_ARGUMENT', `${t.uid}: inputCol is not set`);
  return t.getOrDefault(t.inputCol);
}

/** Spark's Tokenizer: lower-cases a string column and splits it on single whitespace characters (Java's split rule). */
export class Tokenizer extends Transformer {
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));

  constructor(options: UnaryOptions = {}) {
    super(options.uid ?? randomUID('Tokenizer'));
    this.applyOptions(options);
  }

  transformSchema(schema: StructType): StructType {
    inputField(this, schema, 'inputCol', columnName(this), ['string']);
    return appendFields(this, schema, [mlField(this.getOrDefault(this.outputCol), ArrayType(StringType, true), true)]);
  }

  transform(dataset: DataFrame): DataFrame {
    const schema = this.transformSchema(dataset.schema);
    const i = dataset.schema.indexOf(columnName(this));
    const fn = (b: RecordBatch): RecordBatch => {
      const c = b.column(i);
      const out: unknown[] = new Array<unknown>(b.numRows);
      let validity: Uint8Array | null = null;
      for (let r = 0; r < b.numRows; r++) {
        const s = c.get(r) as string | null;
        if (s === null) {
          validity ??= new Uint8Array(b.numRows).fill(1);
          validity[r] = 0;
          out[r] = null;
          continue;
        }
        const parts = s.toLowerCase().split(/\s/);
        // Java's String.split drops trailing empty strings.
        while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
        out[r] = parts;
      }
      const col = new ColumnVector(ArrayType(StringType, true), b.numRows, out, validity);
      return new RecordBatch(schema, [...b.columns, col], b.numRows);
    };
    return mapBatches(dataset, schema, fn, `Tokenizer ${this.uid}`);
  }

  copy(extra?: ParamMap | Record<string, unknown>): Tokenizer {
    return this.copyValues(new Tokenizer({ uid: this.uid }), extra);
  }

  static readonly load = paramsOnlyLoader('eddy.ml.Tokenizer', (uid) => new Tokenizer({ uid }));
}

export interface HashingTFOptions extends UnaryOptions {
  numFeatures?: number;
  binary?: boolean;
}

const encoder = new TextEncoder();

/** The term index HashingTF gives a term: Spark's murmur3 (seed 42) of the term's string form, mod numFeatures. */
export function hashingTFIndex(term: unknown, numFeatures: number): number {
  const s = typeof term === 'number' ? formatJavaDouble(term) : String(term);
  const h = murmur3x86_32(encoder.encode(s), 42);
  return ((h % numFeatures) + numFeatures) % numFeatures;
}

/**
 * Spark's HashingTF: a sequence of terms to a sparse vector of term frequencies, each term at the index its
 * murmur3 hash gives (so indices match Spark's); binary sets every non-zero count to 1.
 */
export class HashingTF extends Transformer {
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly numFeatures = this.declare<number>('numFeatures', {
    doc: 'Number of features. Should be greater than 0.',
    kind: 'int',
    validator: V.integer(V.inRange(1, 2 ** 31 - 1)),
    default: 1 << 18,
  });
  readonly binary = this.declare<boolean>('binary', {
    doc: 'If true, all non zero counts are set to 1. This is useful for discrete probabilistic models that model binary events rather than integer counts',
    kind: 'boolean',
    validator: V.boolean(),
    default: false,
  });

  constructor(options: HashingTFOptions = {}) {
    super(options.uid ?? randomUID('HashingTF'));
    this.applyOptions(options);
  }

  transformSchema(schema: StructType): StructType {
    inputField(this, schema, 'inputCol', columnName(this), ['array']);
    return appendFields(this, schema, [mlField(this.getOrDefault(this.outputCol), VectorType, true)]);
  }

  transform(dataset: DataFrame): DataFrame {
    const schema = this.transformSchema(dataset.schema);
    const i = dataset.schema.indexOf(columnName(this));
    const n = this.getOrDefault(this.numFeatures);
    const binary = this.getOrDefault(this.binary);
    const fn = (b: RecordBatch): RecordBatch => {
      const c = b.column(i);
      const out: unknown[] = new Array<unknown>(b.numRows);
      let validity: Uint8Array | null = null;
      for (let r = 0; r < b.numRows; r++) {
        const terms = c.get(r) as unknown[] | null;
        if (terms === null) {
          validity ??= new Uint8Array(b.numRows).fill(1);
          validity[r] = 0;
          out[r] = null;
          continue;
        }
        const counts = new Map<number, number>();
        for (const t of terms) {
          const k = hashingTFIndex(t, n);
          counts.set(k, binary ? 1 : (counts.get(k) ?? 0) + 1);
        }
        const idx = [...counts.keys()].sort((a, b2) => a - b2);
        out[r] = new SparseVector(
          n,
          idx,
          idx.map((k) => counts.get(k)!),
        );
      }
      return new RecordBatch(schema, [...b.columns, new ColumnVector(VectorType, b.numRows, out, validity)], b.numRows);
    };
    return mapBatches(dataset, schema, fn, `HashingTF ${this.uid}`);
  }

  copy(extra?: ParamMap | Record<string, unknown>): HashingTF {
    return this.copyValues(new HashingTF({ uid: this.uid }), extra);
  }

  static readonly load = paramsOnlyLoader('eddy.ml.HashingTF', (uid) => new HashingTF({ uid }));
}

registerStage('eddy.ml.Tokenizer', (p, o) => Tokenizer.load(p, o));
registerStage('eddy.ml.HashingTF', (p, o) => HashingTF.load(p, o));
