import { EddyError } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import type { Evaluator } from '../evaluation/evaluator.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import { buildMetadata, encodeMetadata } from '../persistence/model-metadata.js';
import type { ModelFiles } from '../persistence/model-files.js';
import { loadStageMetadata, writerFor, type StageLoadOptions, type StageSaveOptions } from '../persistence/stage-io.js';
import { loadStage } from '../pipeline/stage-registry.js';
import { Estimator, Model, Transformer, type PipelineStage } from '../pipeline/stage.js';
import { javaStringHash } from '../tree/tree-params.js';

export interface ValidatorOptions {
  uid?: string;
  estimator?: Estimator;
  estimatorParamMaps?: ParamMap[];
  evaluator?: Evaluator;
  seed?: number;
}

/** Fits `estimator` with each param map on `train` and returns the evaluator's metric of each on `validation`. */
async function metricsOf(
  estimator: Estimator,
  maps: readonly ParamMap[],
  evaluator: Evaluator,
  train: DataFrame,
  validation: DataFrame,
): Promise<number[]> {
  const out: number[] = [];
  for (const m of maps) {
    const model = await (estimator.copy(m) as Estimator).fit(train);
    out.push(await evaluator.evaluate((model as Transformer).transform(validation)));
  }
  return out;
}

function bestIndex(metrics: readonly number[], largerBetter: boolean): number {
  let best = 0;
  metrics.forEach((m, i) => {
    if (largerBetter ? m > metrics[best]! : m < metrics[best]!) best = i;
  });
  return best;
}

abstract class ValidatorBase<M extends Model> extends Estimator<M> {
  estimator: Estimator | undefined;
  estimatorParamMaps: ParamMap[] = [];
  evaluator: Evaluator | undefined;
  readonly seed = this.declare<number>('seed', {
    doc: 'random seed',
    kind: 'long',
    validator: V.integer(V.inRange(-(2 ** 53), 2 ** 53)),
    default: javaStringHash(`org.apache.spark.ml.tuning.${this.constructor.name}`),
  });

  protected init(options: ValidatorOptions): void {
    const { estimator, estimatorParamMaps, evaluator, ...params } = options;
    this.estimator = estimator;
    this.estimatorParamMaps = estimatorParamMaps ?? [];
    this.evaluator = evaluator;
    this.applyOptions(params);
  }

  protected parts(): { estimator: Estimator; maps: ParamMap[]; evaluator: Evaluator } {
    if (this.estimator === undefined || this.evaluator === undefined || this.estimatorParamMaps.length === 0) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid}: set estimator, evaluator and a non-empty estimatorParamMaps (new ParamGridBuilder()...build())`,
      );
    }
    return { estimator: this.estimator, maps: this.estimatorParamMaps, evaluator: this.evaluator };
  }

  transformSchema(schema: StructType): StructType {
    const { estimator, maps } = this.parts();
    return estimator.copy(maps[0]).transformSchema(schema);
  }
}

/** The fitted result of a validator: the best model (refitted on all the data) and the metric of every map. */
export class ValidatorModel extends Model {
  constructor(
    uid: string,
    readonly bestModel: Transformer,
    /** TrainValidationSplit's validationMetrics, or CrossValidator's avgMetrics. */
    readonly metrics: readonly number[],
    readonly className: string,
  ) {
    super(uid);
  }
  get validationMetrics(): readonly number[] {
    return this.metrics;
  }
  get avgMetrics(): readonly number[] {
    return this.metrics;
  }
  transformSchema(schema: StructType): StructType {
    return this.bestModel.transformSchema(schema);
  }
  transform(dataset: DataFrame): DataFrame {
    return this.bestModel.transform(dataset);
  }
  copy(extra?: ParamMap | Record<string, unknown>): ValidatorModel {
    return this.copyValues(
      new ValidatorModel(this.uid, this.bestModel.copy() as Transformer, this.metrics, this.className),
      extra,
    );
  }
  override get stageClassName(): string {
    return this.className;
  }
  /** metadata.json with the metrics, and the best model under bestModel/. */
  override async save(path: string, options: StageSaveOptions = {}): Promise<void> {
    const files: ModelFiles = new Map([
      ['metadata.json', encodeMetadata(buildMetadata(this.className, 1, this, { metrics: this.metrics }))],
    ]);
    await this.bestModel.save(`${path}/bestModel`, {
      writer: async (_p, stageFiles) => {
        for (const [name, bytes] of stageFiles) files.set(`bestModel/${name}`, bytes);
      },
    });
    await writerFor(options)(path, files, { overwrite: options.overwrite ?? false });
  }
  static async loadAs(path: string, className: string, options: StageLoadOptions = {}): Promise<ValidatorModel> {
    const { meta } = await loadStageMetadata(path, className, [1], options);
    const metrics = meta.metrics;
    if (!Array.isArray(metrics) || metrics.some((m) => typeof m !== 'number')) {
      throw new EddyError('CORRUPT_DATA', `cannot load the model at ${path}: metadata.json has no "metrics" array`);
    }
    const best: PipelineStage = await loadStage(`${path}/bestModel`, options);
    if (!(best instanceof Transformer)) {
      throw new EddyError('CORRUPT_DATA', `cannot load the model at ${path}: bestModel is not a fitted model`);
    }
    return new ValidatorModel(meta.uid, best, metrics as number[], className);
  }
}

export const TRAIN_VALIDATION_SPLIT_MODEL_CLASS = 'eddy.ml.tuning.TrainValidationSplitModel';
export const CROSS_VALIDATOR_MODEL_CLASS = 'eddy.ml.tuning.CrossValidatorModel';

export interface TrainValidationSplitOptions extends ValidatorOptions {
  trainRatio?: number;
}

/**
 * Spark's TrainValidationSplit: one seeded random split (trainRatio for training), every param map fitted on
 * the training part and evaluated on the rest; the best map is refitted on the whole dataset.
 */
export class TrainValidationSplit extends ValidatorBase<ValidatorModel> {
  readonly trainRatio = this.declare<number>('trainRatio', {
    doc: 'ratio between training set and validation set (>= 0 && <= 1)',
    kind: 'double',
    validator: V.inRange(0, 1),
    default: 0.75,
  });

  constructor(options: TrainValidationSplitOptions = {}) {
    super(options.uid ?? randomUID('TrainValidationSplit'));
    this.init(options);
  }

  async fit(dataset: DataFrame): Promise<ValidatorModel> {
    const { estimator, maps, evaluator } = this.parts();
    this.transformSchema(dataset.schema);
    const ratio = this.getOrDefault(this.trainRatio);
    const [train, validation] = dataset.randomSplit([ratio, 1 - ratio], this.getOrDefault(this.seed));
    const metrics = await metricsOf(estimator, maps, evaluator, train!.cache(), validation!.cache());
    const best = bestIndex(metrics, evaluator.isLargerBetter());
    const bestModel = (await (estimator.copy(maps[best]) as Estimator).fit(dataset)) as Transformer;
    const model = new ValidatorModel(this.uid, bestModel, metrics, TRAIN_VALIDATION_SPLIT_MODEL_CLASS);
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): TrainValidationSplit {
    const c = this.copyValues(new TrainValidationSplit({ uid: this.uid }), extra);
    c.init({ estimator: this.estimator, estimatorParamMaps: this.estimatorParamMaps, evaluator: this.evaluator });
    return c;
  }

  override async save(): Promise<void> {
    throw new EddyError(
      'UNSUPPORTED',
      `${this.uid}: saving an unfitted TrainValidationSplit is not supported; save the fitted model`,
    );
  }
}

export interface CrossValidatorOptions extends ValidatorOptions {
  numFolds?: number;
}

/**
 * Spark's CrossValidator: the rows split at random (seeded) into numFolds folds; each param map is fitted on
 * all folds but one and evaluated on that one, for every fold; the map with the best average metric is refitted
 * on the whole dataset.
 */
export class CrossValidator extends ValidatorBase<ValidatorModel> {
  readonly numFolds = this.declare<number>('numFolds', {
    doc: 'number of folds for cross validation (>= 2)',
    kind: 'int',
    validator: V.integer(V.gtEq(2)),
    default: 3,
  });

  constructor(options: CrossValidatorOptions = {}) {
    super(options.uid ?? randomUID('CrossValidator'));
    this.init(options);
  }

  async fit(dataset: DataFrame): Promise<ValidatorModel> {
    const { estimator, maps, evaluator } = this.parts();
    this.transformSchema(dataset.schema);
    const k = this.getOrDefault(this.numFolds);
    const folds = dataset
      .randomSplit(
        Array.from({ length: k }, () => 1 / k),
        this.getOrDefault(this.seed),
      )
      .map((f) => f.cache());
    const sums = maps.map(() => 0);
    for (let i = 0; i < k; i++) {
      const others = folds.filter((_, j) => j !== i);
      const train = others.slice(1).reduce((a, b) => a.union(b), others[0]!);
      const metrics = await metricsOf(estimator, maps, evaluator, train, folds[i]!);
      metrics.forEach((m, j) => (sums[j]! += m));
    }
    const avg = sums.map((s) => s / k);
    const best = bestIndex(avg, evaluator.isLargerBetter());
    const bestModel = (await (estimator.copy(maps[best]) as Estimator).fit(dataset)) as Transformer;
    const model = new ValidatorModel(this.uid, bestModel, avg, CROSS_VALIDATOR_MODEL_CLASS);
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): CrossValidator {
    const c = this.copyValues(new CrossValidator({ uid: this.uid }), extra);
    c.init({ estimator: this.estimator, estimatorParamMaps: this.estimatorParamMaps, evaluator: this.evaluator });
    return c;
  }

  override async save(): Promise<void> {
    throw new EddyError(
      'UNSUPPORTED',
      `${this.uid}: saving an unfitted CrossValidator is not supported; save the fitted model`,
    );
  }
}
