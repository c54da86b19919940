import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import type { ParamMap } from '../param/param.js';
import { predictorSchema } from '../predictor/predictor-schema.js';
import { trainingPartitions } from '../predictor/training-partitions.js';
import { randomUID } from '../param/identifiable.js';
import type { TrainingPartition } from '../tree/training-data.js';
import { trainTrees, type FitOptions } from '../tree/tree-trainer.js';
import { TreeRegressorParams, type RegressorParamOptions } from '../tree/tree-params.js';
import { DecisionTreeRegressionModel } from './decision-tree-regression-model.js';

export type DecisionTreeRegressorOptions = RegressorParamOptions;

/** Spark's DecisionTreeRegressor (variance impurity) on Eddy's histogram engine. */
export class DecisionTreeRegressor extends TreeRegressorParams {
  constructor(options: DecisionTreeRegressorOptions = {}) {
    super(options.uid ?? randomUID('DecisionTreeRegressor'), 'org.apache.spark.ml.regression.DecisionTreeRegressor');
    this.applyOptions(options);
  }

  async fitPartitions(
    partitions: readonly TrainingPartition[],
    options: FitOptions = {},
  ): Promise<DecisionTreeRegressionModel> {
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
        numTrees: 1,
        featuresPerNode: (n) => n,
        sampling: null,
      },
      options,
    );
    return this.copyValues(new DecisionTreeRegressionModel(this.uid, trained.trees[0]!, trained.numFeatures));
  }

  transformSchema(schema: StructType): StructType {
    return predictorSchema(this, schema, true);
  }

  /**
   * Trains on a DataFrame: featuresCol (vector), labelCol (numeric), optional weightCol. Each DataFrame
   * partition becomes one training partition; only those columns are read.
   */
  async fit(dataset: DataFrame, options: FitOptions = {}): Promise<DecisionTreeRegressionModel> {
    const data = await trainingPartitions(this, dataset);
    const model = await this.fitPartitions(data.partitions, {
      ...(data.categoricalFeatures === undefined ? {} : { categoricalFeatures: data.categoricalFeatures }),
      ...options,
    });
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): DecisionTreeRegressor {
    return this.copyValues(new DecisionTreeRegressor({ uid: this.uid }), extra);
  }
}
