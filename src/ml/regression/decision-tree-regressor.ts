import type { ParamMap } from '../param/param.js';
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

  copy(extra?: ParamMap | Record<string, unknown>): DecisionTreeRegressor {
    return this.copyValues(new DecisionTreeRegressor({ uid: this.uid }), extra);
  }
}
