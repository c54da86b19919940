import { EddyError } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import type { ParamMap } from '../param/param.js';
import type { Estimator } from '../pipeline/stage.js';
import { transformWithPredictions } from '../predictor/prediction-transform.js';
import { predictorSchema } from '../predictor/predictor-schema.js';
import type { FlatTree } from '../tree/flat-tree.js';
import { loadTreeModel, saveTreeModel, type LoadOptions, type SaveOptions } from '../tree/tree-model-io.js';
import { TreeRegressorParams } from '../tree/tree-params.js';

export const DECISION_TREE_REGRESSION_MODEL_CLASS = 'eddy.ml.regression.DecisionTreeRegressionModel';

/** A fitted regression tree, as Spark's DecisionTreeRegressionModel: a leaf predicts its weighted mean label. */
export class DecisionTreeRegressionModel extends TreeRegressorParams {
  constructor(
    uid: string,
    readonly tree: FlatTree,
    readonly numFeatures: number,
  ) {
    super(uid, 'org.apache.spark.ml.regression.DecisionTreeRegressor');
  }

  get depth(): number {
    return this.tree.depth;
  }

  get numNodes(): number {
    return this.tree.numNodes;
  }

  private checkRow(features: ArrayLike<number>): void {
    if (features.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} features per row but got ${features.length}`,
      );
    }
  }

  predict(features: ArrayLike<number>): number {
    this.checkRow(features);
    return this.tree.predict(features);
  }

  /** The (biased) variance of the training labels in the row's leaf (Spark's varianceCol). */
  predictVariance(features: ArrayLike<number>): number {
    this.checkRow(features);
    return this.tree.arrays.impurity[this.tree.leafOf(features)]!;
  }

  predictLeaf(features: ArrayLike<number>): number {
    this.checkRow(features);
    return this.tree.leafOrdinal(this.tree.leafOf(features));
  }

  predictColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    if (columns.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} feature columns but got ${columns.length}`,
      );
    }
    return this.tree.predictColumns(columns, numRows);
  }

  /** predictVariance of every row (Spark's varianceCol values). */
  predictVarianceColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    if (columns.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} feature columns but got ${columns.length}`,
      );
    }
    const impurity = this.tree.arrays.impurity;
    return Float64Array.from(this.tree.leavesOfColumns(columns, numRows), (n) => impurity[n]!);
  }

  get featureImportances(): Float64Array {
    return this.tree.featureImportances(this.numFeatures);
  }

  override toString(): string {
    return `DecisionTreeRegressionModel: uid=${this.uid}, depth=${this.depth}, numNodes=${this.numNodes}, numFeatures=${this.numFeatures}`;
  }

  get toDebugString(): string {
    return `${this.toString()}\n${this.tree.subtreeToString(2)}`;
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

  copy(extra?: ParamMap | Record<string, unknown>): DecisionTreeRegressionModel {
    return this.copyValues(new DecisionTreeRegressionModel(this.uid, this.tree, this.numFeatures), extra);
  }

  override async save(path: string, options?: SaveOptions): Promise<void> {
    await saveTreeModel(
      path,
      DECISION_TREE_REGRESSION_MODEL_CLASS,
      this,
      [this.tree],
      { numFeatures: this.numFeatures, numClasses: 0 },
      options,
    );
  }

  static async load(path: string, options?: LoadOptions): Promise<DecisionTreeRegressionModel> {
    const loaded = await loadTreeModel(path, DECISION_TREE_REGRESSION_MODEL_CLASS, options);
    const model = new DecisionTreeRegressionModel(loaded.meta.uid, loaded.trees[0]!, loaded.numFeatures);
    return model.restoreParamMaps(loaded.meta.paramMap, loaded.meta.defaultParamMap);
  }
}
