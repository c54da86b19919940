import { EddyError } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import type { ParamMap } from '../param/param.js';
import type { Estimator } from '../pipeline/stage.js';
import { transformWithPredictions } from '../predictor/prediction-transform.js';
import { predictorSchema } from '../predictor/predictor-schema.js';
import { ensembleDebugString, ensembleFeatureImportances } from '../tree/ensemble.js';
import type { FlatTree } from '../tree/flat-tree.js';
import { loadTreeModel, saveTreeModel, type LoadOptions, type SaveOptions } from '../tree/tree-model-io.js';
import { TreeRegressorParams, type ForestParams } from '../tree/tree-params.js';

export const RANDOM_FOREST_REGRESSION_MODEL_CLASS = 'eddy.ml.regression.RandomForestRegressionModel';

/** A fitted random forest for regression, as Spark's RandomForestRegressionModel: the mean of the trees. */
export class RandomForestRegressionModel extends TreeRegressorParams {
  readonly numTrees: ForestParams['numTrees'];
  readonly featureSubsetStrategy: ForestParams['featureSubsetStrategy'];
  readonly subsamplingRate: ForestParams['subsamplingRate'];
  readonly bootstrap: ForestParams['bootstrap'];

  constructor(
    uid: string,
    readonly trees: readonly FlatTree[],
    readonly numFeatures: number,
  ) {
    super(uid, 'org.apache.spark.ml.regression.RandomForestRegressor');
    const p = this.declareForestParams();
    this.numTrees = p.numTrees;
    this.featureSubsetStrategy = p.featureSubsetStrategy;
    this.subsamplingRate = p.subsamplingRate;
    this.bootstrap = p.bootstrap;
  }

  /** Number of trees in the forest (Spark's getNumTrees on a model). */
  getNumTrees(): number {
    return this.trees.length;
  }

  get treeWeights(): number[] {
    return this.trees.map(() => 1);
  }

  get totalNumNodes(): number {
    return this.trees.reduce((s, t) => s + t.numNodes, 0);
  }

  predict(features: ArrayLike<number>): number {
    if (features.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} features per row but got ${features.length}`,
      );
    }
    let sum = 0;
    for (const t of this.trees) sum += t.predict(features);
    return sum / this.trees.length;
  }

  predictColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    if (columns.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} feature columns but got ${columns.length}`,
      );
    }
    const out = new Float64Array(numRows);
    const one = new Float64Array(numRows);
    for (const t of this.trees) {
      t.predictColumns(columns, numRows, one);
      for (let r = 0; r < numRows; r++) out[r]! += one[r]!;
    }
    for (let r = 0; r < numRows; r++) out[r] = out[r]! / this.trees.length;
    return out;
  }

  get featureImportances(): Float64Array {
    return ensembleFeatureImportances(this.trees, this.numFeatures);
  }

  override toString(): string {
    return `RandomForestRegressionModel: uid=${this.uid}, numTrees=${this.trees.length}, numFeatures=${this.numFeatures}`;
  }

  get toDebugString(): string {
    return ensembleDebugString(this.toString(), this.trees, this.treeWeights);
  }

  /** The estimator that fitted this model (Spark's Model.parent); unset for a loaded model. */
  parent: Estimator | undefined = undefined;

  transformSchema(schema: StructType): StructType {
    return predictorSchema(this, schema, false);
  }

  /** Appends the prediction columns (names from the *Col params; an empty name leaves a column out). */
  transform(dataset: DataFrame): DataFrame {
    return transformWithPredictions(this, dataset);
  }

  copy(extra?: ParamMap | Record<string, unknown>): RandomForestRegressionModel {
    return this.copyValues(new RandomForestRegressionModel(this.uid, this.trees, this.numFeatures), extra);
  }

  override async save(path: string, options?: SaveOptions): Promise<void> {
    await saveTreeModel(
      path,
      RANDOM_FOREST_REGRESSION_MODEL_CLASS,
      this,
      this.trees,
      { numFeatures: this.numFeatures, numClasses: 0, treeWeights: this.treeWeights },
      options,
    );
  }

  static async load(path: string, options?: LoadOptions): Promise<RandomForestRegressionModel> {
    const loaded = await loadTreeModel(path, RANDOM_FOREST_REGRESSION_MODEL_CLASS, options);
    const model = new RandomForestRegressionModel(loaded.meta.uid, loaded.trees, loaded.numFeatures);
    return model.restoreParamMaps(loaded.meta.paramMap, loaded.meta.defaultParamMap);
  }
}
