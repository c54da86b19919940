import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import type { ParamMap } from '../param/param.js';
import { predictorSchema } from '../predictor/predictor-schema.js';
import { trainingPartitions } from '../predictor/training-partitions.js';
import { randomUID } from '../param/identifiable.js';
import type { TrainingPartition } from '../tree/training-data.js';
import { trainTrees, type FitOptions } from '../tree/tree-trainer.js';
import {
  featuresPerNode,
  TreeClassifierParams,
  type ClassifierParamOptions,
  type ForestParamOptions,
  type ForestParams,
} from '../tree/tree-params.js';
import { RandomForestClassificationModel } from './random-forest-classification-model.js';

export type RandomForestClassifierOptions = ClassifierParamOptions & ForestParamOptions;

/**
 * Spark's RandomForestClassifier on the same histogram engine as the decision tree: the data is binned once and
 * stays in the workers; each tree draws its own Poisson(subsamplingRate) bootstrap (or Bernoulli subsample) and
 * tries a random featureSubsetStrategy-sized subset of features at each node. Seeded: same seed, same forest.
 */
export class RandomForestClassifier extends TreeClassifierParams {
  readonly numTrees: ForestParams['numTrees'];
  readonly featureSubsetStrategy: ForestParams['featureSubsetStrategy'];
  readonly subsamplingRate: ForestParams['subsamplingRate'];
  readonly bootstrap: ForestParams['bootstrap'];

  constructor(options: RandomForestClassifierOptions = {}) {
    super(
      options.uid ?? randomUID('RandomForestClassifier'),
      'org.apache.spark.ml.classification.RandomForestClassifier',
    );
    const p = this.declareForestParams();
    this.numTrees = p.numTrees;
    this.featureSubsetStrategy = p.featureSubsetStrategy;
    this.subsamplingRate = p.subsamplingRate;
    this.bootstrap = p.bootstrap;
    this.applyOptions(options);
  }

  getNumTrees(): number {
    return this.getOrDefault(this.numTrees);
  }
  setNumTrees(value: number): this {
    return this.set(this.numTrees, value);
  }
  getFeatureSubsetStrategy(): string {
    return this.getOrDefault(this.featureSubsetStrategy);
  }
  setFeatureSubsetStrategy(value: string): this {
    return this.set(this.featureSubsetStrategy, value);
  }

  async fitPartitions(
    partitions: readonly TrainingPartition[],
    options: FitOptions = {},
  ): Promise<RandomForestClassificationModel> {
    const numTrees = this.getNumTrees();
    const strategy = this.getFeatureSubsetStrategy();
    const trained = await trainTrees(
      partitions,
      {
        task: 'classification',
        impurity: this.getImpurity(),
        maxDepth: this.getMaxDepth(),
        maxBins: this.getMaxBins(),
        minInstancesPerNode: this.getMinInstancesPerNode(),
        minWeightFractionPerNode: this.getMinWeightFractionPerNode(),
        minInfoGain: this.getMinInfoGain(),
        maxMemoryInMB: this.getMaxMemoryInMB(),
        seed: this.getSeed(),
        numTrees,
        featuresPerNode: (n) => featuresPerNode(strategy, n, 'classification', numTrees) ?? n,
        sampling: { rate: this.getOrDefault(this.subsamplingRate), bootstrap: this.getOrDefault(this.bootstrap) },
      },
      options,
    );
    return this.copyValues(
      new RandomForestClassificationModel(this.uid, trained.trees, trained.numFeatures, trained.numClasses),
    );
  }

  transformSchema(schema: StructType): StructType {
    return predictorSchema(this, schema, true);
  }

  /**
   * Trains on a DataFrame: featuresCol (vector), labelCol (class indices 0, 1, ...; the number of classes comes from StringIndexer metadata when present), optional weightCol. Each DataFrame
   * partition becomes one training partition; only those columns are read.
   */
  async fit(dataset: DataFrame, options: FitOptions = {}): Promise<RandomForestClassificationModel> {
    const data = await trainingPartitions(this, dataset);
    const model = await this.fitPartitions(data.partitions, {
      ...(data.numClassesFromMetadata === undefined ? {} : { numClasses: data.numClassesFromMetadata }),
      ...(data.categoricalFeatures === undefined ? {} : { categoricalFeatures: data.categoricalFeatures }),
      ...options,
    });
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): RandomForestClassifier {
    return this.copyValues(new RandomForestClassifier({ uid: this.uid }), extra);
  }
}
