import { maxIterParam, tolParam } from '../param/shared-params.js';
import { ParamValidators as V } from '../param/validators.js';
import { javaStringHash } from '../tree/tree-params.js';
import {
  ProbabilisticClassifierParams,
  type ProbabilisticClassifierOptions,
} from './probabilistic-classifier-params.js';

export interface MultilayerPerceptronClassifierOptions extends ProbabilisticClassifierOptions {
  layers?: number[];
  blockSize?: number;
  maxIter?: number;
  tol?: number;
  seed?: number;
  stepSize?: number;
  solver?: string;
  initialWeights?: number[];
}

export const MLP_SOLVERS = ['l-bfgs', 'gd'] as const;

/** Spark's MultilayerPerceptronParams with its names, docs and defaults; shared by the estimator and its model. */
export abstract class MultilayerPerceptronParams extends ProbabilisticClassifierParams {
  readonly layers = this.declare<number[]>('layers', {
    doc: 'Sizes of layers from input layer to output layer. E.g., Array(780, 100, 10) means 780 inputs, one hidden layer with 100 neurons and output layer of 10 neurons.',
    kind: 'intArray',
    validator: Object.assign(
      (v: number[]) => Array.isArray(v) && v.length > 1 && v.every((x) => Number.isInteger(x) && x > 0),
      { description: 'an array of at least 2 integers > 0 (input size, hidden sizes..., number of classes)' },
    ),
  });
  readonly blockSize = this.declare<number>('blockSize', {
    doc: 'Block size for stacking input data in matrices. Data is stacked within partitions. If block size is more than remaining data in a partition then it is adjusted to the size of this data. Recommended size is between 10 and 1000',
    kind: 'int',
    validator: V.integer(V.gt(0)),
    default: 128,
  });
  readonly maxIter = this.declare<number>('maxIter', maxIterParam);
  readonly tol = this.declare<number>('tol', tolParam);
  readonly seed = this.declare<number>('seed', {
    doc: 'random seed',
    kind: 'long',
    validator: V.integer(V.alwaysTrue<number>()),
    default: javaStringHash('org.apache.spark.ml.classification.MultilayerPerceptronClassifier'),
  });
  readonly stepSize = this.declare<number>('stepSize', {
    doc: 'Step size to be used for each iteration of optimization (> 0)',
    kind: 'double',
    validator: V.gt(0),
    default: 0.03,
  });
  readonly solver = this.declare<string>('solver', {
    doc: 'The solver algorithm for optimization. Supported options: l-bfgs, gd. (Default l-bfgs)',
    kind: 'string',
    validator: V.inArray<string>(MLP_SOLVERS),
    default: 'l-bfgs',
  });
  readonly initialWeights = this.declare<number[]>('initialWeights', {
    doc: 'The initial weights of the model',
    kind: 'doubleArray',
    validator: Object.assign(
      (v: number[]) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x)),
      { description: 'a non-empty array of finite numbers (one per weight of the network)' },
    ),
  });

  getLayers(): number[] {
    return this.getOrDefault(this.layers);
  }
  setLayers(value: number[]): this {
    return this.set(this.layers, value);
  }
  getBlockSize(): number {
    return this.getOrDefault(this.blockSize);
  }
  setBlockSize(value: number): this {
    return this.set(this.blockSize, value);
  }
  getMaxIter(): number {
    return this.getOrDefault(this.maxIter);
  }
  setMaxIter(value: number): this {
    return this.set(this.maxIter, value);
  }
  getTol(): number {
    return this.getOrDefault(this.tol);
  }
  setTol(value: number): this {
    return this.set(this.tol, value);
  }
  getSeed(): number {
    return this.getOrDefault(this.seed);
  }
  setSeed(value: number): this {
    return this.set(this.seed, value);
  }
  getStepSize(): number {
    return this.getOrDefault(this.stepSize);
  }
  setStepSize(value: number): this {
    return this.set(this.stepSize, value);
  }
  getSolver(): string {
    return this.getOrDefault(this.solver);
  }
  setSolver(value: string): this {
    return this.set(this.solver, value);
  }
  setInitialWeights(value: number[]): this {
    return this.set(this.initialWeights, value);
  }
}
