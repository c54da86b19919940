import { EddyError, describeValue } from '../../common/errors.js';
import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { VectorType, type StructType } from '../../dataframe/types.js';
import { SparseVector } from '../../dataframe/vector.js';
import { randomUID } from '../param/identifiable.js';
import type { Param, ParamMap } from '../param/param.js';
import type { ParamDefinition } from '../param/params.js';
import { ParamValidators as V } from '../param/validators.js';
import { loadJsonModel, saveJsonModel, type StageLoadOptions, type StageSaveOptions } from '../persistence/stage-io.js';
import { appendFields, inputField, mlField, NUMERIC_KINDS, toDouble } from '../pipeline/schema-utils.js';
import { paramsOnlyLoader, registerStage } from '../pipeline/stage-registry.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { mapBatches } from '../pipeline/transform-plan.js';

export interface OneHotEncoderOptions {
  uid?: string;
  inputCols?: string[];
  outputCols?: string[];
  dropLast?: boolean;
  handleInvalid?: 'error' | 'keep';
}

interface EncoderParams {
  inputCols: Param<string[]>;
  outputCols: Param<string[]>;
  dropLast: Param<boolean>;
  handleInvalid: Param<string>;
}
type Declare = <T>(name: string, def: ParamDefinition<T>) => Param<T>;

function declareEncoderParams(declare: Declare): EncoderParams {
  return {
    inputCols: declare('inputCols', { doc: 'input column names', kind: 'stringArray', validator: V.stringArray() }),
    outputCols: declare('outputCols', { doc: 'output column names', kind: 'stringArray', validator: V.stringArray() }),
    dropLast: declare('dropLast', {
      doc: 'whether to drop the last category',
      kind: 'boolean',
      validator: V.boolean(),
      default: true,
    }),
    handleInvalid: declare('handleInvalid', {
      doc:
        "How to handle invalid data during transform. Options are 'keep' (invalid data presented as an extra categorical feature) " +
        'or error (throw an error). Note that this Param is only used during transform; during fitting, invalid data will result in an error.',
      kind: 'string',
      validator: V.inArray(['keep', 'error']),
      default: 'error',
    }),
  };
}

function encoderSchema(s: OneHotEncoder | OneHotEncoderModel, schema: StructType): StructType {
  const p = s.encoderParams;
  if (!s.isDefined(p.inputCols) || !s.isDefined(p.outputCols)) {
    throw new EddyError('INVALID_ARGUMENT', `${s.uid}: inputCols and outputCols must both be set`);
  }
  const ins = s.getOrDefault(p.inputCols);
  const outs = s.getOrDefault(p.outputCols);
  if (ins.length !== outs.length) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${s.uid}: ${ins.length} inputCols but ${outs.length} outputCols; give one output per input`,
    );
  }
  for (const c of ins) inputField(s, schema, 'inputCols', c, NUMERIC_KINDS);
  return appendFields(
    s,
    schema,
    outs.map((o) => mlField(o, VectorType, true)),
  );
}

/**
 * Spark's OneHotEncoder: category indices (0, 1, ...) to sparse one-hot vectors. The number of categories of a
 * column is taken from its StringIndexer metadata, else from the largest index seen when fitting. With dropLast
 * (default) the last category is all zeros; handleInvalid "keep" adds one category for unseen indices.
 */
export class OneHotEncoder extends Estimator<OneHotEncoderModel> {
  readonly encoderParams = declareEncoderParams(<T>(n: string, d: ParamDefinition<T>) => this.declare<T>(n, d));

  constructor(options: OneHotEncoderOptions = {}) {
    super(options.uid ?? randomUID('OneHotEncoder'));
    this.applyOptions(options);
  }

  transformSchema(schema: StructType): StructType {
    return encoderSchema(this, schema);
  }

  async fit(dataset: DataFrame): Promise<OneHotEncoderModel> {
    this.transformSchema(dataset.schema);
    const ins = this.getOrDefault(this.encoderParams.inputCols);
    const fields = ins.map((c) => inputField(this, dataset.schema, 'inputCols', c, NUMERIC_KINDS));
    const sizes: number[] = fields.map((f) => f.metadata?.ml_attr?.vals?.length ?? -1);
    const scan = fields.map((f, k) => (sizes[k]! < 0 ? f.name : null));
    const toScan = scan.filter((n): n is string => n !== null);
    if (toScan.length > 0) {
      const max = toScan.map(() => -1);
      for await (const b of dataset.select(...toScan).batches()) {
        toScan.forEach((name, k) => {
          const c = b.column(k);
          for (let r = 0; r < b.numRows; r++) {
            const x = toDouble(c.get(r));
            if (x === null || !Number.isInteger(x) || x < 0) {
              throw new EddyError(
                'INVALID_ARGUMENT',
                `${this.uid}: column '${name}' holds ${describeValue(x)}, not a category index 0, 1, 2, ...; index the column first (StringIndexer)`,
              );
            }
            if (x > max[k]!) max[k] = x;
          }
        });
      }
      let k = 0;
      scan.forEach((n, i) => {
        if (n !== null) sizes[i] = max[k++]! + 1;
      });
    }
    const model = this.copyValues(new OneHotEncoderModel({ uid: this.uid, categorySizes: sizes }));
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): OneHotEncoder {
    return this.copyValues(new OneHotEncoder({ uid: this.uid }), extra);
  }

  static readonly load = paramsOnlyLoader('eddy.ml.OneHotEncoder', (uid) => new OneHotEncoder({ uid }));
}

export const ONE_HOT_ENCODER_MODEL_CLASS = 'eddy.ml.feature.OneHotEncoderModel';

export class OneHotEncoderModel extends Model {
  readonly encoderParams = declareEncoderParams(<T>(n: string, d: ParamDefinition<T>) => this.declare<T>(n, d));
  readonly categorySizes: readonly number[];

  constructor(options: OneHotEncoderOptions & { categorySizes: readonly number[] }) {
    super(options.uid ?? randomUID('OneHotEncoderModel'));
    this.categorySizes = [...options.categorySizes];
    const { categorySizes: _c, ...params } = options;
    void _c;
    this.applyOptions(params);
  }

  transformSchema(schema: StructType): StructType {
    const out = encoderSchema(this, schema);
    const n = this.getOrDefault(this.encoderParams.inputCols).length;
    if (n !== this.categorySizes.length) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid}: ${n} inputCols but the model knows ${this.categorySizes.length} columns`,
      );
    }
    return out;
  }

  transform(dataset: DataFrame): DataFrame {
    const schema = this.transformSchema(dataset.schema);
    const p = this.encoderParams;
    const ins = this.getOrDefault(p.inputCols);
    const idx = ins.map((c) => dataset.schema.indexOf(c));
    const keep = this.getOrDefault(p.handleInvalid) === 'keep';
    const dropLast = this.getOrDefault(p.dropLast);
    const uid = this.uid;
    const sizes = this.categorySizes;
    const fn = (b: RecordBatch): RecordBatch => {
      const added = idx.map((i, k) => {
        const c = b.column(i);
        const size = sizes[k]!;
        const width = size + (keep ? 1 : 0) - (dropLast ? 1 : 0);
        const out: unknown[] = new Array<unknown>(b.numRows);
        for (let r = 0; r < b.numRows; r++) {
          const x = toDouble(c.get(r));
          let at: number;
          if (x !== null && Number.isInteger(x) && x >= 0 && x < size) at = x;
          else if (keep) at = size;
          else {
            throw new EddyError(
              'INVALID_ARGUMENT',
              `${uid}: unseen value ${describeValue(x)} in column '${ins[k]}' (${size} categories, indices 0 to ${size - 1}); set handleInvalid to "keep"`,
            );
          }
          out[r] = at < width ? new SparseVector(width, [at], [1]) : new SparseVector(width, [], []);
        }
        return new ColumnVector(VectorType, b.numRows, out, null);
      });
      return new RecordBatch(schema, [...b.columns, ...added], b.numRows);
    };
    return mapBatches(dataset, schema, fn, `OneHotEncoderModel ${uid}`);
  }

  copy(extra?: ParamMap | Record<string, unknown>): OneHotEncoderModel {
    const m = this.copyValues(new OneHotEncoderModel({ uid: this.uid, categorySizes: this.categorySizes }), extra);
    m.parent = this.parent;
    return m;
  }

  override async save(path: string, options?: StageSaveOptions): Promise<void> {
    await saveJsonModel(path, ONE_HOT_ENCODER_MODEL_CLASS, this, { categorySizes: this.categorySizes }, options);
  }

  static async load(path: string, options?: StageLoadOptions): Promise<OneHotEncoderModel> {
    const { meta, data } = await loadJsonModel<{ categorySizes: number[] }>(
      path,
      ONE_HOT_ENCODER_MODEL_CLASS,
      (d) => {
        const s = (d as { categorySizes?: unknown } | null)?.categorySizes;
        return Array.isArray(s) && s.every((x) => Number.isInteger(x) && (x as number) >= 0)
          ? null
          : 'lacks a "categorySizes" array of counts';
      },
      options,
    );
    return new OneHotEncoderModel({ uid: meta.uid, categorySizes: data.categorySizes }).restoreParamMaps(
      meta.paramMap,
      meta.defaultParamMap,
    );
  }
}

registerStage('eddy.ml.OneHotEncoder', (p, o) => OneHotEncoder.load(p, o));
registerStage(ONE_HOT_ENCODER_MODEL_CLASS, (p, o) => OneHotEncoderModel.load(p, o));
