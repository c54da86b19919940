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
  TreeRegressorParams,
  type ForestParamOptions,
  type ForestParams,
  type RegressorParamOptions,
} from '../tree/tree-params.js';
import { RandomForestRegressionModel } from './random-forest-regression-model.js';

export type RandomForestRegressorOptions = RegressorParamOptions & ForestParamOptions;

/** Spark's RandomForestRegressor (variance impurity, featureSubsetStrategy auto = onethird) on the tree engine. */
export class RandomForestRegressor extends TreeRegressorParams {
  readonly numTrees: ForestParams['numTrees'];
  readonly featureSubsetStrategy: ForestParams['featureSubsetStrategy'];
  readonly subsamplingRate: ForestParams['subsamplingRate'];
  readonly bootstrap: ForestParams['bootstrap'];

  constructor(options: RandomForestRegressorOptions = {}) {
    super(options.uid ?? randomUID('RandomForestRegressor'), 'org.apache.spark.ml.regression.RandomForestRegressor');
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

  async fitPartitions(
    partitions: readonly TrainingPartition[],
    options: FitOptions = {},
  ): Promise<RandomForestRegressionModel> {
    const numTrees = this.getNumTrees();
    const strategy = this.getOrDefault(this.featureSubsetStrategy);
    const trained = await trainTrees(
      partitions,
      {
        task: 'regression',
        impurity: 'variance',
        maxDepth: this.getMaxDepth(),
        maxBins: this.getMaxBins(),
        minInstancesPerNode: this.getMinInstancesPerNode(),
        minWeightFractionPerNode: this.getMinWeightFractionPerNode(),
        minInfoGain: this.getMinInfoGain(),
        maxMemoryInMB: this.getMaxMemoryInMB(),
        seed: this.getSeed(),
        numTrees,
        featuresPerNode: (n) => featuresPerNode(strategy, n, 'regression', numTrees) ?? n,
        sampling: { rate: this.getOrDefault(this.subsamplingRate), bootstrap: this.getOrDefault(this.bootstrap) },
      },
      options,
    );
    return this.copyValues(new RandomForestRegressionModel(this.uid, trained.trees, trained.numFeatures));
  }

  transformSchema(schema: StructType): StructType {
    return predictorSchema(this, schema, true);
  }

  /**
   * Trains on a DataFrame: featuresCol (vector), labelCol (numeric), optional weightCol. Each DataFrame
   * partition becomes one training partition; only those columns are read.
   */
  async fit(dataset: DataFrame, options: FitOptions = {}): Promise<RandomForestRegressionModel> {
    const data = await trainingPartitions(this, dataset);
    const model = await this.fitPartitions(data.partitions, {
      ...(data.categoricalFeatures === undefined ? {} : { categoricalFeatures: data.categoricalFeatures }),
      ...options,
    });
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): RandomForestRegressor {
    return this.copyValues(new RandomForestRegressor({ uid: this.uid }), extra);
  }
}
