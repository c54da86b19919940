import { EddyError, describeValue } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import { DenseVector } from '../../dataframe/vector.js';
import type { ParamMap } from '../param/param.js';
import { loadJsonModel, saveJsonModel, type StageLoadOptions, type StageSaveOptions } from '../persistence/stage-io.js';
import type { Estimator } from '../pipeline/stage.js';
import { transformWithPredictions } from '../predictor/prediction-transform.js';
import { predictorSchema } from '../predictor/predictor-schema.js';
import { softmaxInPlace } from './logistic-regression-model.js';
import { forwardRaw, numWeights } from './mlp-network.js';
import { MultilayerPerceptronParams } from './multilayer-perceptron-params.js';
import { argmax, probabilityToPrediction } from './probabilities.js';

export const MULTILAYER_PERCEPTRON_CLASSIFICATION_MODEL_CLASS =
  'eddy.ml.classification.MultilayerPerceptronClassificationModel';

/** What fitting reported (Spark's MultilayerPerceptronClassificationTrainingSummary, the optimizer's part). */
export interface MultilayerPerceptronTrainingSummary {
  objectiveHistory: number[];
  totalIterations: number;
}

/**
 * A fitted network, as Spark's MultilayerPerceptronClassificationModel: rawPrediction is the output layer before
 * the softmax, probability its softmax, prediction the most likely class (or the largest p/t with thresholds).
 * Prediction runs in double precision in plain JavaScript: a loaded model predicts exactly as the saved one.
 */
export class MultilayerPerceptronClassificationModel extends MultilayerPerceptronParams {
  readonly numFeatures: number;
  readonly numClasses: number;
  private readonly flat: Float64Array;
  private readonly trainingSummary: MultilayerPerceptronTrainingSummary | undefined;
  /** The estimator that fitted this model (Spark's Model.parent); unset for a loaded model. */
  parent: Estimator | undefined = undefined;

  constructor(uid: string, layers: number[], weights: Float64Array, summary?: MultilayerPerceptronTrainingSummary) {
    super(uid);
    if (weights.length !== numWeights(layers)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${uid}: layers ${describeValue(layers)} need ${numWeights(layers)} weights but got ${weights.length}`,
      );
    }
    this.set(this.layers, layers);
    this.numFeatures = layers[0]!;
    this.numClasses = layers.at(-1)!;
    this.flat = weights;
    this.trainingSummary = summary;
  }

  /** All weights in Spark's order (per layer: the numOut × numIn matrix column-major, then the biases). */
  get weights(): DenseVector {
    return new DenseVector(this.flat.slice());
  }

  get hasSummary(): boolean {
    return this.trainingSummary !== undefined;
  }

  get summary(): MultilayerPerceptronTrainingSummary {
    if (this.trainingSummary === undefined) {
      throw new EddyError(
        'ILLEGAL_STATE',
        `${this.uid}: no training summary available for this model (it was loaded, not fitted)`,
      );
    }
    return this.trainingSummary;
  }

  predictRawColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    if (columns.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} feature columns but got ${columns.length}`,
      );
    }
    const d = this.numFeatures;
    const input = new Float64Array(numRows * d);
    for (let j = 0; j < d; j++) {
      const col = columns[j]!;
      for (let r = 0; r < numRows; r++) input[r * d + j] = col[r]!;
    }
    return forwardRaw(this.getLayers(), this.flat, input, numRows);
  }

  rawToProbabilityRows(raw: Float64Array, numRows: number): void {
    const C = this.numClasses;
    for (let r = 0; r < numRows; r++) softmaxInPlace(raw.subarray(r * C, (r + 1) * C));
  }

  predictProbabilityColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    const raw = this.predictRawColumns(columns, numRows);
    this.rawToProbabilityRows(raw, numRows);
    return raw;
  }

  predictColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    const thresholds = this.thresholdsFor(this.numClasses);
    const C = this.numClasses;
    const out = new Float64Array(numRows);
    const v =
      thresholds === undefined
        ? this.predictRawColumns(columns, numRows)
        : this.predictProbabilityColumns(columns, numRows);
    for (let r = 0; r < numRows; r++) {
      const row = v.subarray(r * C, (r + 1) * C);
      out[r] = thresholds === undefined ? argmax(row) : probabilityToPrediction(row, thresholds, this.uid);
    }
    return out;
  }

  predict(features: ArrayLike<number>): number {
    return this.predictColumns(
      Array.from({ length: features.length }, (_, j) => Float64Array.of(features[j]!)),
      1,
    )[0]!;
  }

  transformSchema(schema: StructType): StructType {
    return predictorSchema(this, schema, false);
  }

  transform(dataset: DataFrame): DataFrame {
    this.thresholdsFor(this.numClasses);
    return transformWithPredictions(this, dataset);
  }

  copy(extra?: ParamMap | Record<string, unknown>): MultilayerPerceptronClassificationModel {
    const m = this.copyValues(
      new MultilayerPerceptronClassificationModel(this.uid, this.getLayers(), this.flat, this.trainingSummary),
      extra,
    );
    m.parent = this.parent;
    return m;
  }

  override toString(): string {
    return `MultilayerPerceptronClassificationModel: uid=${this.uid}, numLayers=${this.getLayers().length}, numClasses=${this.numClasses}, numFeatures=${this.numFeatures}`;
  }

  override async save(path: string, options?: StageSaveOptions): Promise<void> {
    await saveJsonModel(
      path,
      MULTILAYER_PERCEPTRON_CLASSIFICATION_MODEL_CLASS,
      this,
      { layers: this.getLayers(), weights: Array.from(this.flat) },
      options,
    );
  }

  static async load(path: string, options?: StageLoadOptions): Promise<MultilayerPerceptronClassificationModel> {
    const { meta, data } = await loadJsonModel<{ layers: number[]; weights: number[] }>(
      path,
      MULTILAYER_PERCEPTRON_CLASSIFICATION_MODEL_CLASS,
      (d) => {
        const x = d as { layers?: unknown; weights?: unknown } | null;
        const layers = x?.layers;
        if (!Array.isArray(layers) || layers.length < 2 || !layers.every((v) => Number.isInteger(v) && v > 0)) {
          return `has layers ${describeValue(layers)}; expected an array of at least 2 integers > 0`;
        }
        const want = numWeights(layers as number[]);
        const w = x?.weights;
        if (!Array.isArray(w) || w.length !== want || !w.every((v) => typeof v === 'number' && Number.isFinite(v))) {
          return `lacks "weights": ${want} finite numbers for layers ${describeValue(layers)}`;
        }
        return null;
      },
      options,
    );
    const model = new MultilayerPerceptronClassificationModel(meta.uid, data.layers, Float64Array.from(data.weights));
    model.restoreParamMaps(meta.paramMap, meta.defaultParamMap);
    if (model.getLayers().join() !== data.layers.join()) {
      throw new EddyError(
        'CORRUPT_DATA',
        `cannot load the model at ${path}: metadata.json has layers ${describeValue(model.getLayers())} but data/model.json has ${describeValue(data.layers)}`,
      );
    }
    return model;
  }
}
