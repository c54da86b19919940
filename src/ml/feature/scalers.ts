import { EddyError } from '../../common/errors.js';
import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { VectorType, type StructType } from '../../dataframe/types.js';
import { DenseVector, Vector } from '../../dataframe/vector.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import {
  isNumberArray,
  loadJsonModel,
  saveJsonModel,
  type StageLoadOptions,
  type StageSaveOptions,
} from '../persistence/stage-io.js';
import { appendFields, inputField, mlField } from '../pipeline/schema-utils.js';
import { paramsOnlyLoader, registerStage } from '../pipeline/stage-registry.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { mapBatches } from '../pipeline/transform-plan.js';
import { inputColParam, outputColParam } from '../param/shared-params.js';

export interface ScalerColumnOptions {
  uid?: string;
  inputCol?: string;
  outputCol?: string;
}

function vectorInput(
  stage: { uid: string; inputName(): string; outputName(): string },
  schema: StructType,
): StructType {
  inputField(stage, schema, 'inputCol', stage.inputName(), ['vector']);
  return appendFields(stage, schema, [mlField(stage.outputName(), VectorType, true)]);
}

/** Streams every vector of a column (nulls are an error: a scaler has no place to put them). */
async function forEachVector(
  stage: { uid: string },
  dataset: DataFrame,
  name: string,
  fn: (v: Float64Array) => void,
): Promise<void> {
  const field = dataset.schema.fields[dataset.schema.indexOf(name)]!;
  for await (const b of dataset.select(field.name).batches()) {
    const c = b.column(0);
    for (let r = 0; r < b.numRows; r++) {
      const v = c.get(r);
      if (!(v instanceof Vector)) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `${stage.uid}: column '${name}' has a null vector; drop or fill such rows first`,
        );
      }
      fn(v.toArray());
    }
  }
}

function mapVectors(
  stage: { uid: string; inputName(): string; outputName(): string },
  dataset: DataFrame,
  schema: StructType,
  size: number,
  fn: (v: Float64Array) => Float64Array,
): DataFrame {
  const i = dataset.schema.indexOf(stage.inputName());
  return mapBatches(
    dataset,
    schema,
    (b: RecordBatch) => {
      const c = b.column(i);
      const out: unknown[] = new Array<unknown>(b.numRows);
      for (let r = 0; r < b.numRows; r++) {
        const v = c.get(r);
        if (v === null) {
          out[r] = null;
          continue;
        }
        const a = (v as Vector).toArray();
        if (a.length !== size) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `${stage.uid}: a vector of size ${a.length} in column '${stage.inputName()}' where the model was fitted on size ${size}`,
          );
        }
        out[r] = new DenseVector(fn(a));
      }
      const validity = out.some((v) => v === null) ? Uint8Array.from(out, (v) => (v === null ? 0 : 1)) : null;
      return new RecordBatch(schema, [...b.columns, new ColumnVector(VectorType, b.numRows, out, validity)], b.numRows);
    },
    `${stage.constructor.name} ${stage.uid} ${stage.inputName()} -> ${stage.outputName()}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// StandardScaler

export interface StandardScalerOptions extends ScalerColumnOptions {
  withMean?: boolean;
  withStd?: boolean;
}

/**
 * Spark's StandardScaler: scales each feature to unit (sample, n − 1) standard deviation and, with withMean,
 * centers it. A feature of zero deviation scales to 0.0, as in Spark.
 */
export class StandardScaler extends Estimator<StandardScalerModel> {
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly withMean = this.declare<boolean>('withMean', {
    doc: 'Whether to center data with mean',
    kind: 'boolean',
    validator: V.boolean(),
    default: false,
  });
  readonly withStd = this.declare<boolean>('withStd', {
    doc: 'Whether to scale the data to unit standard deviation',
    kind: 'boolean',
    validator: V.boolean(),
    default: true,
  });

  constructor(options: StandardScalerOptions = {}) {
    super(options.uid ?? randomUID('StandardScaler'));
    this.applyOptions(options);
  }
  inputName(): string {
    if (!this.isDefined(this.inputCol)) throw new EddyError('INVALID_ARGUMENT', `${this.uid}: inputCol is not set`);
    return this.getOrDefault(this.inputCol);
  }
  outputName(): string {
    return this.getOrDefault(this.outputCol);
  }
  transformSchema(schema: StructType): StructType {
    return vectorInput(this, schema);
  }
  async fit(dataset: DataFrame): Promise<StandardScalerModel> {
    this.transformSchema(dataset.schema);
    let n = 0;
    let sum: Float64Array | undefined;
    let sumSq: Float64Array | undefined;
    // Welford's update keeps the variance accurate when the mean is large against the spread.
    await forEachVector(this, dataset, this.inputName(), (v) => {
      sum ??= new Float64Array(v.length);
      sumSq ??= new Float64Array(v.length);
      if (v.length !== sum.length) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `${this.uid}: vectors of sizes ${sum.length} and ${v.length} in column '${this.inputName()}'`,
        );
      }
      n++;
      for (let j = 0; j < v.length; j++) {
        const delta = v[j]! - sum[j]!;
        sum[j]! += delta / n;
        sumSq[j]! += delta * (v[j]! - sum[j]!);
      }
    });
    if (n === 0 || sum === undefined || sumSq === undefined) {
      throw new EddyError('INVALID_ARGUMENT', `${this.uid}: the DataFrame has no rows; nothing to fit`);
    }
    const std = Array.from(sumSq, (s) => (n > 1 ? Math.sqrt(s / (n - 1)) : 0));
    const model = this.copyValues(new StandardScalerModel({ uid: this.uid, mean: Array.from(sum), std }));
    model.parent = this;
    return model;
  }
  copy(extra?: ParamMap | Record<string, unknown>): StandardScaler {
    return this.copyValues(new StandardScaler({ uid: this.uid }), extra);
  }
  static readonly load = paramsOnlyLoader('eddy.ml.StandardScaler', (uid) => new StandardScaler({ uid }));
}

export const STANDARD_SCALER_MODEL_CLASS = 'eddy.ml.feature.StandardScalerModel';

export class StandardScalerModel extends Model {
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly withMean = this.declare<boolean>('withMean', {
    doc: 'Whether to center data with mean',
    kind: 'boolean',
    validator: V.boolean(),
    default: false,
  });
  readonly withStd = this.declare<boolean>('withStd', {
    doc: 'Whether to scale the data to unit standard deviation',
    kind: 'boolean',
    validator: V.boolean(),
    default: true,
  });
  readonly mean: readonly number[];
  readonly std: readonly number[];

  constructor(options: StandardScalerOptions & { mean: readonly number[]; std: readonly number[] }) {
    super(options.uid ?? randomUID('StandardScalerModel'));
    this.mean = [...options.mean];
    this.std = [...options.std];
    const { mean: _m, std: _s, ...params } = options;
    void _m;
    void _s;
    this.applyOptions(params);
  }
  inputName(): string {
    if (!this.isDefined(this.inputCol)) throw new EddyError('INVALID_ARGUMENT', `${this.uid}: inputCol is not set`);
    return this.getOrDefault(this.inputCol);
  }
  outputName(): string {
    return this.getOrDefault(this.outputCol);
  }
  transformSchema(schema: StructType): StructType {
    return vectorInput(this, schema);
  }
  transform(dataset: DataFrame): DataFrame {
    const schema = this.transformSchema(dataset.schema);
    const center = this.getOrDefault(this.withMean);
    const scale = this.getOrDefault(this.withStd);
    const { mean, std } = this;
    return mapVectors(this, dataset, schema, mean.length, (v) => {
      const out = new Float64Array(v.length);
      for (let j = 0; j < v.length; j++) {
        const x = center ? v[j]! - mean[j]! : v[j]!;
        out[j] = scale ? (std[j]! === 0 ? 0 : x / std[j]!) : x;
      }
      return out;
    });
  }
  copy(extra?: ParamMap | Record<string, unknown>): StandardScalerModel {
    const m = this.copyValues(new StandardScalerModel({ uid: this.uid, mean: this.mean, std: this.std }), extra);
    m.parent = this.parent;
    return m;
  }
  override async save(path: string, options?: StageSaveOptions): Promise<void> {
    await saveJsonModel(path, STANDARD_SCALER_MODEL_CLASS, this, { mean: this.mean, std: this.std }, options);
  }
  static async load(path: string, options?: StageLoadOptions): Promise<StandardScalerModel> {
    const { meta, data } = await loadJsonModel<{ mean: number[]; std: number[] }>(
      path,
      STANDARD_SCALER_MODEL_CLASS,
      (d) => {
        const x = d as { mean?: unknown; std?: unknown } | null;
        return isNumberArray(x?.mean) && isNumberArray(x?.std) && x.mean.length === x.std.length
          ? null
          : 'lacks equal-length "mean" and "std" arrays';
      },
      options,
    );
    return new StandardScalerModel({ uid: meta.uid, ...data }).restoreParamMaps(meta.paramMap, meta.defaultParamMap);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// MinMaxScaler

export interface MinMaxScalerOptions extends ScalerColumnOptions {
  min?: number;
  max?: number;
}

/**
 * Spark's MinMaxScaler: each feature rescaled linearly from [E_min, E_max] (seen when fitting) to [min, max];
 * a constant feature maps to (min + max) / 2.
 */
export class MinMaxScaler extends Estimator<MinMaxScalerModel> {
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly min = this.declare<number>('min', {
    doc: 'lower bound of the output feature range',
    kind: 'double',
    validator: V.inRange(-Infinity, Infinity),
    default: 0,
  });
  readonly max = this.declare<number>('max', {
    doc: 'upper bound of the output feature range',
    kind: 'double',
    validator: V.inRange(-Infinity, Infinity),
    default: 1,
  });

  constructor(options: MinMaxScalerOptions = {}) {
    super(options.uid ?? randomUID('MinMaxScaler'));
    this.applyOptions(options);
  }
  inputName(): string {
    if (!this.isDefined(this.inputCol)) throw new EddyError('INVALID_ARGUMENT', `${this.uid}: inputCol is not set`);
    return this.getOrDefault(this.inputCol);
  }
  outputName(): string {
    return this.getOrDefault(this.outputCol);
  }
  transformSchema(schema: StructType): StructType {
    checkMinMax(this, this.getOrDefault(this.min), this.getOrDefault(this.max));
    return vectorInput(this, schema);
  }
  async fit(dataset: DataFrame): Promise<MinMaxScalerModel> {
    this.transformSchema(dataset.schema);
    let lo: Float64Array | undefined;
    let hi: Float64Array | undefined;
    await forEachVector(this, dataset, this.inputName(), (v) => {
      lo ??= new Float64Array(v.length).fill(Infinity);
      hi ??= new Float64Array(v.length).fill(-Infinity);
      for (let j = 0; j < v.length; j++) {
        if (v[j]! < lo[j]!) lo[j] = v[j]!;
        if (v[j]! > hi[j]!) hi[j] = v[j]!;
      }
    });
    if (lo === undefined || hi === undefined) {
      throw new EddyError('INVALID_ARGUMENT', `${this.uid}: the DataFrame has no rows; nothing to fit`);
    }
    const model = this.copyValues(
      new MinMaxScalerModel({ uid: this.uid, originalMin: Array.from(lo), originalMax: Array.from(hi) }),
    );
    model.parent = this;
    return model;
  }
  copy(extra?: ParamMap | Record<string, unknown>): MinMaxScaler {
    return this.copyValues(new MinMaxScaler({ uid: this.uid }), extra);
  }
  static readonly load = paramsOnlyLoader('eddy.ml.MinMaxScaler', (uid) => new MinMaxScaler({ uid }));
}

function checkMinMax(stage: { uid: string }, min: number, max: number): void {
  if (!(min < max)) {
    throw new EddyError('INVALID_ARGUMENT', `${stage.uid}: min ${min} must be less than max ${max}`);
  }
}

export const MIN_MAX_SCALER_MODEL_CLASS = 'eddy.ml.feature.MinMaxScalerModel';

export class MinMaxScalerModel extends Model {
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly min = this.declare<number>('min', {
    doc: 'lower bound of the output feature range',
    kind: 'double',
    validator: V.inRange(-Infinity, Infinity),
    default: 0,
  });
  readonly max = this.declare<number>('max', {
    doc: 'upper bound of the output feature range',
    kind: 'double',
    validator: V.inRange(-Infinity, Infinity),
    default: 1,
  });
  readonly originalMin: readonly number[];
  readonly originalMax: readonly number[];

  constructor(options: MinMaxScalerOptions & { originalMin: readonly number[]; originalMax: readonly number[] }) {
    super(options.uid ?? randomUID('MinMaxScalerModel'));
    this.originalMin = [...options.originalMin];
    this.originalMax = [...options.originalMax];
    const { originalMin: _a, originalMax: _b, ...params } = options;
    void _a;
    void _b;
    this.applyOptions(params);
  }
  inputName(): string {
    if (!this.isDefined(this.inputCol)) throw new EddyError('INVALID_ARGUMENT', `${this.uid}: inputCol is not set`);
    return this.getOrDefault(this.inputCol);
  }
  outputName(): string {
    return this.getOrDefault(this.outputCol);
  }
  transformSchema(schema: StructType): StructType {
    checkMinMax(this, this.getOrDefault(this.min), this.getOrDefault(this.max));
    return vectorInput(this, schema);
  }
  transform(dataset: DataFrame): DataFrame {
    const schema = this.transformSchema(dataset.schema);
    const min = this.getOrDefault(this.min);
    const max = this.getOrDefault(this.max);
    const { originalMin: lo, originalMax: hi } = this;
    return mapVectors(this, dataset, schema, lo.length, (v) =>
      v.map((x, j) => {
        const range = hi[j]! - lo[j]!;
        return range === 0 ? 0.5 * (max + min) : ((x - lo[j]!) / range) * (max - min) + min;
      }),
    );
  }
  copy(extra?: ParamMap | Record<string, unknown>): MinMaxScalerModel {
    const m = this.copyValues(
      new MinMaxScalerModel({ uid: this.uid, originalMin: this.originalMin, originalMax: this.originalMax }),
      extra,
    );
    m.parent = this.parent;
    return m;
  }
  override async save(path: string, options?: StageSaveOptions): Promise<void> {
    await saveJsonModel(
      path,
      MIN_MAX_SCALER_MODEL_CLASS,
      this,
      { originalMin: this.originalMin, originalMax: this.originalMax },
      options,
    );
  }
  static async load(path: string, options?: StageLoadOptions): Promise<MinMaxScalerModel> {
    const { meta, data } = await loadJsonModel<{ originalMin: number[]; originalMax: number[] }>(
      path,
      MIN_MAX_SCALER_MODEL_CLASS,
      (d) => {
        const x = d as { originalMin?: unknown; originalMax?: unknown } | null;
        return isNumberArray(x?.originalMin) &&
          isNumberArray(x?.originalMax) &&
          x.originalMin.length === x.originalMax.length
          ? null
          : 'lacks equal-length "originalMin" and "originalMax" arrays';
      },
      options,
    );
    return new MinMaxScalerModel({ uid: meta.uid, ...data }).restoreParamMaps(meta.paramMap, meta.defaultParamMap);
  }
}

registerStage('eddy.ml.StandardScaler', (p, o) => StandardScaler.load(p, o));
registerStage(STANDARD_SCALER_MODEL_CLASS, (p, o) => StandardScalerModel.load(p, o));
registerStage('eddy.ml.MinMaxScaler', (p, o) => MinMaxScaler.load(p, o));
registerStage(MIN_MAX_SCALER_MODEL_CLASS, (p, o) => MinMaxScalerModel.load(p, o));
