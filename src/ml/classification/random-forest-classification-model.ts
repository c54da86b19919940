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
import { TreeClassifierParams, type ForestParams } from '../tree/tree-params.js';
import { argmax, probabilityToPrediction, rawToProbabilityInPlace } from './probabilities.js';

export const RANDOM_FOREST_CLASSIFICATION_MODEL_CLASS = 'eddy.ml.classification.RandomForestClassificationModel';

/**
 * A fitted random forest for classification, as Spark's RandomForestClassificationModel: rawPrediction sums
 * each tree's leaf class distribution (normalized per tree), probability normalizes that sum.
 */
export class RandomForestClassificationModel extends TreeClassifierParams {
  readonly numTrees: ForestParams['numTrees'];
  readonly featureSubsetStrategy: ForestParams['featureSubsetStrategy'];
  readonly subsamplingRate: ForestParams['subsamplingRate'];
  readonly bootstrap: ForestParams['bootstrap'];

  constructor(
    uid: string,
    readonly trees: readonly FlatTree[],
    readonly numFeatures: number,
    readonly numClasses: number,
  ) {
    super(uid, 'org.apache.spark.ml.classification.RandomForestClassifier');
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

  /** Total number of nodes over all trees. */
  get totalNumNodes(): number {
    return this.trees.reduce((s, t) => s + t.numNodes, 0);
  }

  private checkRow(features: ArrayLike<number>): void {
    if (features.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} features per row but got ${features.length}`,
      );
    }
  }

  private addVotes(votes: Float64Array, tree: FlatTree, leaf: number): void {
    const stats = tree.statsOf(leaf);
    let total = 0;
    for (let c = 0; c < this.numClasses; c++) total += stats[c]!;
    if (total !== 0) for (let c = 0; c < this.numClasses; c++) votes[c]! += stats[c]! / total;
  }

  predictRaw(features: ArrayLike<number>): Float64Array {
    this.checkRow(features);
    const votes = new Float64Array(this.numClasses);
    for (const t of this.trees) this.addVotes(votes, t, t.leafOf(features));
    return votes;
  }

  predictProbability(features: ArrayLike<number>): Float64Array {
    return rawToProbabilityInPlace(this.predictRaw(features));
  }

  predict(features: ArrayLike<number>): number {
    const thresholds = this.get(this.thresholds);
    const raw = this.predictRaw(features);
    return thresholds === undefined
      ? argmax(raw)
      : probabilityToPrediction(rawToProbabilityInPlace(raw), thresholds, this.uid);
  }

  predictColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    if (columns.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} feature columns but got ${columns.length}`,
      );
    }
    const leaves = this.trees.map((t) => t.leavesOfColumns(columns, numRows));
    const thresholds = this.get(this.thresholds);
    const out = new Float64Array(numRows);
    const votes = new Float64Array(this.numClasses);
    for (let r = 0; r < numRows; r++) {
      votes.fill(0);
      this.trees.forEach((t, i) => this.addVotes(votes, t, leaves[i]![r]!));
      out[r] =
        thresholds === undefined
          ? argmax(votes)
          : probabilityToPrediction(rawToProbabilityInPlace(votes.slice()), thresholds, this.uid);
    }
    return out;
  }

  /** rawPrediction of every row, row-major (row r's votes at r * numClasses). */
  predictRawColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    this.checkColumns(columns);
    const C = this.numClasses;
    const out = new Float64Array(numRows * C);
    for (const t of this.trees) {
      const leaves = t.leavesOfColumns(columns, numRows);
      for (let r = 0; r < numRows; r++) this.addVotes(out.subarray(r * C, (r + 1) * C), t, leaves[r]!);
    }
    return out;
  }

  /** probability of every row, row-major like predictRawColumns. */
  predictProbabilityColumns(columns: readonly Float64Array[], numRows = columns[0]?.length ?? 0): Float64Array {
    const out = this.predictRawColumns(columns, numRows);
    const C = this.numClasses;
    for (let r = 0; r < numRows; r++) rawToProbabilityInPlace(out.subarray(r * C, (r + 1) * C));
    return out;
  }

  private checkColumns(columns: readonly Float64Array[]): void {
    if (columns.length !== this.numFeatures) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid} expects ${this.numFeatures} feature columns but got ${columns.length}`,
      );
    }
  }

  get featureImportances(): Float64Array {
    return ensembleFeatureImportances(this.trees, this.numFeatures);
  }

  override toString(): string {
    return (
      `RandomForestClassificationModel: uid=${this.uid}, numTrees=${this.trees.length}, ` +
      `numClasses=${this.numClasses}, numFeatures=${this.numFeatures}`
    );
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

  copy(extra?: ParamMap | Record<string, unknown>): RandomForestClassificationModel {
    return this.copyValues(
      new RandomForestClassificationModel(this.uid, this.trees, this.numFeatures, this.numClasses),
      extra,
    );
  }

  override async save(path: string, options?: SaveOptions): Promise<void> {
    await saveTreeModel(
      path,
      RANDOM_FOREST_CLASSIFICATION_MODEL_CLASS,
      this,
      this.trees,
      { numFeatures: this.numFeatures, numClasses: this.numClasses, treeWeights: this.treeWeights },
      options,
    );
  }

  static async load(path: string, options?: LoadOptions): Promise<RandomForestClassificationModel> {
    const loaded = await loadTreeModel(path, RANDOM_FOREST_CLASSIFICATION_MODEL_CLASS, options);
    const model = new RandomForestClassificationModel(
      loaded.meta.uid,
      loaded.trees,
      loaded.numFeatures,
      loaded.numClasses,
    );
    return model.restoreParamMaps(loaded.meta.paramMap, loaded.meta.defaultParamMap);
  }
}
