import { EddyError } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import type { ParamMap } from '../param/param.js';
import type { Estimator } from '../pipeline/stage.js';
import { transformWithPredictions } from '../predictor/prediction-transform.js';
import { predictorSchema } from '../predictor/predictor-schema.js';
import type { FlatTree } from '../tree/flat-tree.js';
import { loadTreeModel, saveTreeModel, type LoadOptions, type SaveOptions } from '../tree/tree-model-io.js';
import { TreeClassifierParams } from '../tree/tree-params.js';
import { probabilityToPrediction, rawToProbabilityInPlace } from './probabilities.js';

export const DECISION_TREE_CLASSIFICATION_MODEL_CLASS = 'eddy.ml.classification.DecisionTreeClassificationModel';

/**
 * A fitted decision tree for classification, as Spark's DecisionTreeClassificationModel: predictRaw gives the
 * leaf's class weights, predictProbability normalizes them, predict takes the most likely class (or the largest
 * p/t when `thresholds` is set).
 */
export class DecisionTreeClassificationModel extends TreeClassifierParams {
  constructor(
    uid: string,
    readonly tree: FlatTree,
    readonly numFeatures: number,
    readonly numClasses: number,
  ) {
    super(uid, 'org.apache.spark.ml.classification.DecisionTreeClassifier');
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

  /** Class weights of the leaf the row falls in (Spark's rawPrediction). */
  predictRaw(features: ArrayLike<number>): Float64Array {
    this.checkRow(features);
    return this.tree.statsOf(this.tree.leafOf(features)).slice();
  }

  predictProbability(features: ArrayLike<number>): Float64Array {
    return rawToProbabilityInPlace(this.predictRaw(features));
  }

  predict(features: ArrayLike<number>): number {
    const thresholds = this.get(this.thresholds);
    if (thresholds === undefined) {
      this.checkRow(features);
      return this.tree.predict(features);
    }
    return probabilityToPrediction(this.predictProbability(features), thresholds, this.uid);
  }

  /** The row's leaf, numbered left to right from 0 as Spark's predictLeaf. */
  predictLeaf(features: ArrayLike<number>): number {
    this.checkRow(features);
    return this.tree.leafOrdinal(this.tree.leafOf(features));
  }

  /** Predictions for column-major rows: the fast path a DataFrame transform uses. */
  predictColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    if (columns.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} feature columns but got ${columns.length}`,
      );
    }
    const thresholds = this.get(this.thresholds);
    if (thresholds === undefined) return this.tree.predictColumns(columns, numRows);
    const leaves = this.tree.leavesOfColumns(columns, numRows);
    const out = new Float64Array(numRows);
    for (let r = 0; r < numRows; r++) {
      const p = rawToProbabilityInPlace(this.tree.statsOf(leaves[r]!).slice());
      out[r] = probabilityToPrediction(p, thresholds, this.uid);
    }
    return out;
  }

  /** rawPrediction of every row, row-major (row r's class weights at r * numClasses). */
  predictRawColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    this.checkColumns(columns);
    const C = this.numClasses;
    const leaves = this.tree.leavesOfColumns(columns, numRows);
    const out = new Float64Array(numRows * C);
    const stats = this.tree.arrays.stats;
    for (let r = 0; r < numRows; r++) out.set(stats.subarray(leaves[r]! * C, (leaves[r]! + 1) * C), r * C);
    return out;
  }

  /** probability of every row, row-major like predictRawColumns. */
  predictProbabilityColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    const out = this.predictRawColumns(columns, numRows);
    const C = this.numClasses;
    for (let r = 0; r < numRows; r++) rawToProbabilityInPlace(out.subarray(r * C, (r + 1) * C));
    return out;
  }

  /** predictLeaf of every row (Spark's leafCol values). */
  predictLeafColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    this.checkColumns(columns);
    const leaves = this.tree.leavesOfColumns(columns, numRows);
    return Float64Array.from(leaves, (n) => this.tree.leafOrdinal(n));
  }

  private checkColumns(columns: readonly Float64Array[]): void {
    if (columns.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} feature columns but got ${columns.length}`,
      );
    }
  }

  /** Spark's featureImportances: gain × node weight per feature, normalized to sum 1. */
  get featureImportances(): Float64Array {
    return this.tree.featureImportances(this.numFeatures);
  }

  override toString(): string {
    return (
      `DecisionTreeClassificationModel: uid=${this.uid}, depth=${this.depth}, numNodes=${this.numNodes}, ` +
      `numClasses=${this.numClasses}, numFeatures=${this.numFeatures}`
    );
  }

  /** The whole tree in Spark's text format. */
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

  copy(extra?: ParamMap | Record<string, unknown>): DecisionTreeClassificationModel {
    return this.copyValues(
      new DecisionTreeClassificationModel(this.uid, this.tree, this.numFeatures, this.numClasses),
      extra,
    );
  }

  override async save(path: string, options?: SaveOptions): Promise<void> {
    await saveTreeModel(
      path,
      DECISION_TREE_CLASSIFICATION_MODEL_CLASS,
      this,
      [this.tree],
      { numFeatures: this.numFeatures, numClasses: this.numClasses },
      options,
    );
  }

  static async load(path: string, options?: LoadOptions): Promise<DecisionTreeClassificationModel> {
    const loaded = await loadTreeModel(path, DECISION_TREE_CLASSIFICATION_MODEL_CLASS, options);
    const model = new DecisionTreeClassificationModel(
      loaded.meta.uid,
      loaded.trees[0]!,
      loaded.numFeatures,
      loaded.numClasses,
    );
    return model.restoreParamMaps(loaded.meta.paramMap, loaded.meta.defaultParamMap);
  }
}
