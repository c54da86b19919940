import { EddyError } from '../../common/errors.js';
import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { DoubleType, type StructType } from '../../dataframe/types.js';
import { randomUID } from '../param/identifiable.js';
import type { Param, ParamMap } from '../param/param.js';
import type { ParamDefinition } from '../param/params.js';
import { ParamValidators as V } from '../param/validators.js';
import { loadJsonModel, saveJsonModel, type StageLoadOptions, type StageSaveOptions } from '../persistence/stage-io.js';
import { appendFields, inputField, mlField, NUMERIC_KINDS, toDouble } from '../pipeline/schema-utils.js';
import { paramsOnlyLoader, registerStage } from '../pipeline/stage-registry.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { mapBatches } from '../pipeline/transform-plan.js';

export interface ImputerOptions {
  uid?: string;
  inputCols?: string[];
  outputCols?: string[];
  strategy?: 'mean' | 'median' | 'mode';
  missingValue?: number;
}

function isMissing(x: number | null, missing: number): boolean {
  return x === null || Number.isNaN(x) || x === missing;
}

interface ImputerParams {
  inputCols: Param<string[]>;
  outputCols: Param<string[]>;
  strategy: Param<string>;
  missingValue: Param<number>;
}
type Declare = <T>(name: string, def: ParamDefinition<T>) => Param<T>;

/** Shared by Imputer and ImputerModel: params and the schema rule. */
function declareImputerParams(declare: Declare): ImputerParams {
  return {
    inputCols: declare<string[]>('inputCols', {
      doc: 'input column names',
      kind: 'stringArray',
      validator: V.stringArray(),
    }),
    outputCols: declare<string[]>('outputCols', {
      doc: 'output column names',
      kind: 'stringArray',
      validator: V.stringArray(),
    }),
    strategy: declare<string>('strategy', {
      doc: 'strategy for imputation. If mean, then replace missing values using the mean value of the feature. If median, then replace missing values using the median value of the feature. If mode, then replace missing using the most frequent value of the feature.',
      kind: 'string',
      validator: V.inArray(['mean', 'median', 'mode']),
      default: 'mean',
    }),
    missingValue: declare<number>('missingValue', {
      doc: 'The placeholder for the missing values. All occurrences of missingValue will be imputed',
      kind: 'double',
      validator: Object.assign((v: number) => typeof v === 'number', { description: 'a number (NaN allowed)' }),
      default: Number.NaN,
    }),
  };
}

function imputerSchema(s: Imputer | ImputerModel, schema: StructType): StructType {
  const p = s.imputerParams;
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
    outs.map((o) => mlField(o, DoubleType, true)),
  );
}

/**
 * Spark's Imputer: fills missing values (null, NaN, or missingValue) of numeric columns with the column's mean,
 * median or mode over the non-missing values. Median is exact (the lower middle value); mode breaks ties with the
 * smallest value, as Spark. Outputs are double columns.
 */
export class Imputer extends Estimator<ImputerModel> {
  readonly imputerParams = declareImputerParams(<T>(n: string, d: ParamDefinition<T>) => this.declare<T>(n, d));

  constructor(options: ImputerOptions = {}) {
    super(options.uid ?? randomUID('Imputer'));
    this.applyOptions(options);
  }

  transformSchema(schema: StructType): StructType {
    return imputerSchema(this, schema);
  }

  async fit(dataset: DataFrame): Promise<ImputerModel> {
    this.transformSchema(dataset.schema);
    const p = this.imputerParams;
    const ins = this.getOrDefault(p.inputCols);
    const missing = this.getOrDefault(p.missingValue);
    const strategy = this.getOrDefault(p.strategy);
    const values: number[][] = ins.map(() => []);
    const names = ins.map((c) => dataset.schema.fields[dataset.schema.indexOf(c)]!.name);
    for await (const b of dataset.select(...names).batches()) {
      for (let k = 0; k < ins.length; k++) {
        const c = b.column(k);
        for (let r = 0; r < b.numRows; r++) {
          const x = toDouble(c.get(r));
          if (!isMissing(x, missing)) values[k]!.push(x!);
        }
      }
    }
    const surrogates = values.map((vs, k) => {
      if (vs.length === 0) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `${this.uid}: surrogate cannot be computed: column '${ins[k]}' has only missing values`,
        );
      }
      if (strategy === 'mean') return vs.reduce((a, b) => a + b, 0) / vs.length;
      const sorted = Float64Array.from(vs).sort();
      if (strategy === 'median') return sorted[Math.max(0, Math.ceil(sorted.length / 2) - 1)]!;
      let best = sorted[0]!;
      let bestCount = 0;
      for (let i = 0; i < sorted.length;) {
        let j = i;
        while (j < sorted.length && sorted[j] === sorted[i]) j++;
        if (j - i > bestCount) {
          best = sorted[i]!;
          bestCount = j - i;
        }
        i = j;
      }
      return best;
    });
    const model = this.copyValues(new ImputerModel({ uid: this.uid, surrogates }));
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): Imputer {
    return this.copyValues(new Imputer({ uid: this.uid }), extra);
  }

  static readonly load = paramsOnlyLoader('eddy.ml.Imputer', (uid) => new Imputer({ uid }));
}

export const IMPUTER_MODEL_CLASS = 'eddy.ml.feature.ImputerModel';

export class ImputerModel extends Model {
  readonly imputerParams = declareImputerParams(<T>(n: string, d: ParamDefinition<T>) => this.declare<T>(n, d));
  /** One fill value per input column. */
  readonly surrogates: readonly number[];

  constructor(options: ImputerOptions & { surrogates: readonly number[] }) {
    super(options.uid ?? randomUID('ImputerModel'));
    this.surrogates = [...options.surrogates];
    const { surrogates: _s, ...params } = options;
    void _s;
    this.applyOptions(params);
  }

  transformSchema(schema: StructType): StructType {
    const out = imputerSchema(this, schema);
    const n = this.getOrDefault(this.imputerParams.inputCols).length;
    if (n !== this.surrogates.length) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid}: ${n} inputCols but the model holds ${this.surrogates.length} surrogates`,
      );
    }
    return out;
  }

  transform(dataset: DataFrame): DataFrame {
    const schema = this.transformSchema(dataset.schema);
    const p = this.imputerParams;
    const idx = this.getOrDefault(p.inputCols).map((c) => dataset.schema.indexOf(c));
    const missing = this.getOrDefault(p.missingValue);
    const surrogates = this.surrogates;
    const fn = (b: RecordBatch): RecordBatch => {
      const added = idx.map((i, k) => {
        const c = b.column(i);
        const out = new Float64Array(b.numRows);
        for (let r = 0; r < b.numRows; r++) {
          const x = toDouble(c.get(r));
          out[r] = isMissing(x, missing) ? surrogates[k]! : x!;
        }
        return new ColumnVector(DoubleType, b.numRows, out, null);
      });
      return new RecordBatch(schema, [...b.columns, ...added], b.numRows);
    };
    return mapBatches(dataset, schema, fn, `ImputerModel ${this.uid}`);
  }

  copy(extra?: ParamMap | Record<string, unknown>): ImputerModel {
    const m = this.copyValues(new ImputerModel({ uid: this.uid, surrogates: this.surrogates }), extra);
    m.parent = this.parent;
    return m;
  }

  override async save(path: string, options?: StageSaveOptions): Promise<void> {
    await saveJsonModel(path, IMPUTER_MODEL_CLASS, this, { surrogates: this.surrogates }, options);
  }

  static async load(path: string, options?: StageLoadOptions): Promise<ImputerModel> {
    const { meta, data } = await loadJsonModel<{ surrogates: number[] }>(
      path,
      IMPUTER_MODEL_CLASS,
      (d) => {
        const s = (d as { surrogates?: unknown } | null)?.surrogates;
        return Array.isArray(s) && s.every((x) => typeof x === 'number')
          ? null
          : 'lacks a "surrogates" array of numbers';
      },
      options,
    );
    return new ImputerModel({ uid: meta.uid, surrogates: data.surrogates }).restoreParamMaps(
      meta.paramMap,
      meta.defaultParamMap,
    );
  }
}

registerStage('eddy.ml.Imputer', (p, o) => Imputer.load(p, o));
registerStage(IMPUTER_MODEL_CLASS, (p, o) => ImputerModel.load(p, o));
