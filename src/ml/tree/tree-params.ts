import { PredictorParams } from '../predictor/predictor-params.js';
import { probabilityColParam, rawPredictionColParam, thresholdsParam } from '../param/shared-params.js';
import type { Param } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import type { Impurity } from './impurity.js';

/** Java's String.hashCode, which Spark uses for a stage's default seed (class name → seed). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Options every tree stage accepts: Spark's DecisionTreeParams plus the shared column params. */
export interface TreeParamOptions {
  uid?: string;
  featuresCol?: string;
  labelCol?: string;
  predictionCol?: string;
  weightCol?: string;
  leafCol?: string;
  maxDepth?: number;
  maxBins?: number;
  minInstancesPerNode?: number;
  minWeightFractionPerNode?: number;
  minInfoGain?: number;
  maxMemoryInMB?: number;
  cacheNodeIds?: boolean;
  checkpointInterval?: number;
  seed?: number;
  impurity?: string;
}

const int = (inner: Parameters<typeof V.integer>[0]) => V.integer(inner);

/**
 * Spark's DecisionTreeParams (+ HasFeaturesCol, HasLabelCol, HasPredictionCol, HasWeightCol, HasSeed, impurity)
 * with Spark's names, docs and defaults. Shared by estimators and their models, as in Spark.
 */
export abstract class TreeParams extends PredictorParams {
  readonly weightCol = this.declare<string>('weightCol', {
    doc: 'weight column name. If this is not set or empty, we treat all instance weights as 1.0',
    kind: 'string',
    validator: V.string(),
  });
  readonly leafCol = this.declare<string>('leafCol', {
    doc: 'Leaf indices column name. Predicted leaf index of each instance in each tree by preorder',
    kind: 'string',
    validator: V.string(),
    default: '',
  });
  readonly maxDepth = this.declare<number>('maxDepth', {
    doc:
      'Maximum depth of the tree. (Nonnegative) E.g., depth 0 means 1 leaf node; depth 1 means 1 internal node + 2 leaf nodes. ' +
      'Must be in range [0, 30].',
    kind: 'int',
    validator: int(V.inRange(0, 30)),
    default: 5,
  });
  readonly maxBins = this.declare<number>('maxBins', {
    doc:
      'Max number of bins for discretizing continuous features.  Must be at least 2 and at least number of categories for any ' +
      'categorical feature. At most 256 in Eddy (one byte per binned value).',
    kind: 'int',
    validator: int(V.inRange(2, 256)),
    default: 32,
  });
  readonly minInstancesPerNode = this.declare<number>('minInstancesPerNode', {
    doc:
      'Minimum number of instances each child must have after split.  If a split causes the left or right child to have fewer ' +
      'than minInstancesPerNode, the split will be discarded as invalid. Must be at least 1.',
    kind: 'int',
    validator: int(V.gtEq(1)),
    default: 1,
  });
  readonly minWeightFractionPerNode = this.declare<number>('minWeightFractionPerNode', {
    doc:
      'Minimum fraction of the weighted sample count that each child must have after split. If a split causes the fraction of ' +
      'the total weight in the left or right child to be less than minWeightFractionPerNode, the split will be discarded as ' +
      'invalid. Should be in interval [0.0, 0.5)',
    kind: 'double',
    validator: V.inRange(0, 0.5, true, false),
    default: 0,
  });
  readonly minInfoGain = this.declare<number>('minInfoGain', {
    doc: 'Minimum information gain for a split to be considered at a tree node.',
    kind: 'double',
    validator: V.gtEq(0),
    default: 0,
  });
  readonly maxMemoryInMB = this.declare<number>('maxMemoryInMB', {
    doc:
      'Maximum memory in MB allocated to histogram aggregation. If too small, then 1 node will be split per iteration, and ' +
      'its aggregates may exceed this size.',
    kind: 'int',
    validator: int(V.gtEq(0)),
    default: 256,
  });
  readonly cacheNodeIds = this.declare<boolean>('cacheNodeIds', {
    doc:
      'If false, the algorithm will pass trees to executors to match instances with nodes. If true, the algorithm will cache ' +
      'node IDs for each instance. Caching can speed up training of deeper trees. (Eddy always keeps node ids beside the data.)',
    kind: 'boolean',
    validator: V.boolean(),
    default: false,
  });
  readonly checkpointInterval = this.declare<number>('checkpointInterval', {
    doc:
      'set checkpoint interval (>= 1) or disable checkpoint (-1). E.g. 10 means that the cache will get checkpointed every 10 ' +
      'iterations. Note: this setting will be ignored if the checkpoint directory is not set in the SparkContext.',
    kind: 'int',
    validator: V.checkpointInterval(),
    default: 10,
  });
  readonly seed = this.declare<number>('seed', {
    doc: 'random seed',
    kind: 'long',
    validator: V.integer(V.alwaysTrue<number>()),
  });
  readonly impurity: Param<string>;

  protected constructor(uid: string, sparkClassName: string, impurities: readonly Impurity[]) {
    super(uid);
    this.setDefault(this.seed, javaStringHash(sparkClassName));
    this.impurity = this.declare<string>('impurity', {
      doc: `Criterion used for information gain calculation (case-insensitive). Supported options: ${impurities.join(', ')}`,
      kind: 'string',
      validator: V.inArray<string>(impurities),
      default: impurities.includes('gini') ? 'gini' : impurities[0]!,
    });
  }

  protected override normalize<T>(param: Param<T>, value: T): T {
    // Spark lower-cases case-insensitive string params when they are set.
    if ((param.name === 'impurity' || param.name === 'featureSubsetStrategy') && typeof value === 'string') {
      return value.toLowerCase() as T;
    }
    return value;
  }

  /** Spark's RandomForestParams (numTrees, featureSubsetStrategy, subsamplingRate, bootstrap), for forests. */
  protected declareForestParams(): ForestParams {
    return {
      numTrees: this.declare<number>('numTrees', {
        doc: 'Number of trees to train (at least 1)',
        kind: 'int',
        validator: int(V.gtEq(1)),
        default: 20,
      }),
      featureSubsetStrategy: this.declare<string>('featureSubsetStrategy', {
        doc:
          'The number of features to consider for splits at each tree node. Supported options: auto, all, onethird, sqrt, ' +
          'log2, (0.0-1.0], [1-n].',
        kind: 'string',
        validator: Object.assign((v: string) => featuresPerNode(v, 1, 'classification', 2) !== null, {
          description: '"auto", "all", "onethird", "sqrt", "log2", a fraction in (0.0-1.0] or an integer >= 1',
        }),
        default: 'auto',
      }),
      subsamplingRate: this.declare<number>('subsamplingRate', {
        doc: 'Fraction of the training data used for learning each decision tree, in range (0, 1].',
        kind: 'double',
        validator: V.inRange(0, 1, false, true),
        default: 1,
      }),
      bootstrap: this.declare<boolean>('bootstrap', {
        doc: 'Whether bootstrap samples are used when building trees.',
        kind: 'boolean',
        validator: V.boolean(),
        default: true,
      }),
    };
  }

  getMaxDepth(): number {
    return this.getOrDefault(this.maxDepth);
  }
  setMaxDepth(value: number): this {
    return this.set(this.maxDepth, value);
  }
  getMaxBins(): number {
    return this.getOrDefault(this.maxBins);
  }
  setMaxBins(value: number): this {
    return this.set(this.maxBins, value);
  }
  getMinInstancesPerNode(): number {
    return this.getOrDefault(this.minInstancesPerNode);
  }
  setMinInstancesPerNode(value: number): this {
    return this.set(this.minInstancesPerNode, value);
  }
  getMinWeightFractionPerNode(): number {
    return this.getOrDefault(this.minWeightFractionPerNode);
  }
  setMinWeightFractionPerNode(value: number): this {
    return this.set(this.minWeightFractionPerNode, value);
  }
  getMinInfoGain(): number {
    return this.getOrDefault(this.minInfoGain);
  }
  setMinInfoGain(value: number): this {
    return this.set(this.minInfoGain, value);
  }
  getImpurity(): Impurity {
    return this.getOrDefault(this.impurity) as Impurity;
  }
  setImpurity(value: string): this {
    return this.set(this.impurity, value);
  }
  getMaxMemoryInMB(): number {
    return this.getOrDefault(this.maxMemoryInMB);
  }
  getSeed(): number {
    return this.getOrDefault(this.seed);
  }
  setSeed(value: number): this {
    return this.set(this.seed, value);
  }
  setWeightCol(value: string): this {
    return this.set(this.weightCol, value);
  }
}

/** Adds Spark's classifier columns (rawPredictionCol, probabilityCol, thresholds). */
export interface ClassifierParamOptions extends TreeParamOptions {
  rawPredictionCol?: string;
  probabilityCol?: string;
  thresholds?: number[];
}

export abstract class TreeClassifierParams extends TreeParams {
  readonly rawPredictionCol = this.declare<string>('rawPredictionCol', rawPredictionColParam);
  readonly probabilityCol = this.declare<string>('probabilityCol', probabilityColParam);
  readonly thresholds = this.declare<number[]>('thresholds', thresholdsParam);

  protected constructor(uid: string, sparkClassName: string) {
    super(uid, sparkClassName, ['entropy', 'gini']);
  }
}

export interface RegressorParamOptions extends TreeParamOptions {
  varianceCol?: string;
}

export abstract class TreeRegressorParams extends TreeParams {
  readonly varianceCol = this.declare<string>('varianceCol', {
    doc: 'Column name for the biased sample variance of prediction',
    kind: 'string',
    validator: V.string(),
  });

  protected constructor(uid: string, sparkClassName: string) {
    super(uid, sparkClassName, ['variance']);
  }
}

export interface ForestParams {
  numTrees: Param<number>;
  featureSubsetStrategy: Param<string>;
  subsamplingRate: Param<number>;
  bootstrap: Param<boolean>;
}

export interface ForestParamOptions {
  numTrees?: number;
  featureSubsetStrategy?: string;
  subsamplingRate?: number;
  bootstrap?: boolean;
}

/**
 * Features tried per node for a featureSubsetStrategy, as Spark's RandomForest: auto is all features for one
 * tree, sqrt for classification forests, onethird for regression forests; null when the strategy is invalid.
 */
export function featuresPerNode(
  strategy: string,
  numFeatures: number,
  task: 'classification' | 'regression',
  numTrees: number,
): number | null {
  const s = typeof strategy === 'string' ? strategy.toLowerCase() : '';
  switch (s) {
    case 'auto':
      if (numTrees === 1) return numFeatures;
      return featuresPerNode(task === 'classification' ? 'sqrt' : 'onethird', numFeatures, task, numTrees);
    case 'all':
      return numFeatures;
    case 'sqrt':
      return Math.ceil(Math.sqrt(numFeatures));
    case 'log2':
      return Math.max(1, Math.ceil(Math.log2(numFeatures)));
    case 'onethird':
      return Math.ceil(numFeatures / 3);
  }
  if (/^\d+$/.test(s)) {
    const k = Number(s);
    return k >= 1 ? Math.min(k, numFeatures) : null;
  }
  if (/^(\d+\.?\d*|\.\d+)(e-?\d+)?$/.test(s)) {
    const x = Number(s);
    return x > 0 && x <= 1 ? Math.ceil(x * numFeatures) : null;
  }
  return null;
}
