import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import type { ParamMap } from '../param/param.js';
import { predictorSchema } from '../predictor/predictor-schema.js';
import { trainingPartitions } from '../predictor/training-partitions.js';
import { randomUID } from '../param/identifiable.js';
import type { TrainingPartition } from '../tree/training-data.js';
import { trainTrees, type FitOptions } from '../tree/tree-trainer.js';
import { TreeClassifierParams, type ClassifierParamOptions } from '../tree/tree-params.js';
import { DecisionTreeClassificationModel } from './decision-tree-classification-model.js';

export type DecisionTreeClassifierOptions = ClassifierParamOptions;

/**
 * Spark's DecisionTreeClassifier on Eddy's histogram engine: features binned once into at most maxBins bins,
 * the tree grown level by level with one pass over the data per level (in worker threads for large data).
 * Categorical features come from the features column's metadata (nominal attributes, e.g. a StringIndexer
 * output assembled by VectorAssembler), as Spark reads them.
 */
export class DecisionTreeClassifier extends TreeClassifierParams {
  constructor(options: DecisionTreeClassifierOptions = {}) {
    super(
      options.uid ?? randomUID('DecisionTreeClassifier'),
      'org.apache.spark.ml.classification.DecisionTreeClassifier',
    );
    this.applyOptions(options);
  }

  /**
   * Trains on partitions of column-major rows (labels are class indices 0, 1, ...). The DataFrame-facing
   * fit(dataset) will extract the features/label/weight columns and call this.
   */
  async fitPartitions(
    partitions: readonly TrainingPartition[],
    options: FitOptions = {},
  ): Promise<DecisionTreeClassificationModel> {
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
        numTrees: 1,
        featuresPerNode: (n) => n,
        sampling: null,
      },
      options,
    );
    const model = new DecisionTreeClassificationModel(
      this.uid,
      trained.trees[0]!,
      trained.numFeatures,
      trained.numClasses,
    );
    return this.copyValues(model);
  }

  transformSchema(schema: StructType): StructType {
    return predictorSchema(this, schema, true);
  }

  /**
   * Trains on a DataFrame: featuresCol (vector), labelCol (class indices 0, 1, ...; the number of classes comes from StringIndexer metadata when present), optional weightCol. Each DataFrame
   * partition becomes one training partition; only those columns are read.
   */
  async fit(dataset: DataFrame, options: FitOptions = {}): Promise<DecisionTreeClassificationModel> {
    const data = await trainingPartitions(this, dataset);
    const model = await this.fitPartitions(data.partitions, {
      ...(data.numClassesFromMetadata === undefined ? {} : { numClasses: data.numClassesFromMetadata }),
      ...(data.categoricalFeatures === undefined ? {} : { categoricalFeatures: data.categoricalFeatures }),
      ...options,
    });
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): DecisionTreeClassifier {
    return this.copyValues(new DecisionTreeClassifier({ uid: this.uid }), extra);
  }
}
