import { EddyError } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import type { ParamMap } from '../param/param.js';
import { randomUID } from '../param/identifiable.js';
import { minimizeGradientDescent } from '../optim/gradient-descent.js';
import { minimizeLbfgs } from '../optim/lbfgs.js';
import { predictorSchema } from '../predictor/predictor-schema.js';
import { FLOAT32_RELATIVE_NOISE, tfReady } from '../tf/backend.js';
import { classifierRows } from './classifier-training-data.js';
import { checkLayers, initialWeights, mlpLoss, numWeights } from './mlp-network.js';
import { MultilayerPerceptronClassificationModel } from './multilayer-perceptron-classification-model.js';
import {
  MultilayerPerceptronParams,
  type MultilayerPerceptronClassifierOptions,
} from './multilayer-perceptron-params.js';

export type { MultilayerPerceptronClassifierOptions } from './multilayer-perceptron-params.js';

const log = getLogger('ml.MultilayerPerceptronClassifier');

/**
 * Spark's MultilayerPerceptronClassifier: a feed-forward network (sigmoid hidden layers, softmax output) trained
 * on cross-entropy with L-BFGS (default) or gradient descent; forward and backward passes run on TensorFlow.js.
 * The same seed (or the same initialWeights) gives the same model.
 */
export class MultilayerPerceptronClassifier extends MultilayerPerceptronParams {
  constructor(options: MultilayerPerceptronClassifierOptions = {}) {
    super(options.uid ?? randomUID('MultilayerPerceptronClassifier'));
    this.applyOptions(options);
  }

  transformSchema(schema: StructType): StructType {
    return predictorSchema(this, schema, true);
  }

  async fit(dataset: DataFrame): Promise<MultilayerPerceptronClassificationModel> {
    if (!this.isDefined(this.layers)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid}: layers is not set; set it to [numFeatures, hidden sizes..., numClasses], e.g. { layers: [4, 5, 3] }`,
      );
    }
    const layers = this.getLayers();
    const rows = await classifierRows(this, dataset);
    checkLayers(this.uid, layers, rows.numFeatures, rows.numClasses);
    const total = numWeights(layers);
    let x0: Float64Array;
    const given = this.get(this.initialWeights);
    if (given !== undefined) {
      if (given.length !== total) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `${this.uid}: initialWeights has ${given.length} values but layers [${layers.join(', ')}] have ${total} weights`,
        );
      }
      x0 = Float64Array.from(given);
    } else {
      x0 = initialWeights(layers, this.getSeed());
    }
    const n = rows.numRows;
    const d = rows.numFeatures;
    const x = new Float32Array(n * d);
    for (let j = 0; j < d; j++) {
      const col = rows.features[j]!;
      for (let i = 0; i < n; i++) x[i * d + j] = col[i]!;
    }
    const tf = await tfReady();
    const loss = mlpLoss(tf, layers, x, rows.labels, n, this.getBlockSize());
    let result: { x: Float64Array; objectiveHistory: number[]; iterations: number };
    try {
      result =
        this.getSolver() === 'gd'
          ? minimizeGradientDescent(loss.f, x0, {
              maxIter: this.getMaxIter(),
              stepSize: this.getStepSize(),
              tol: this.getTol(),
            })
          : minimizeLbfgs(loss.f, x0, {
              maxIter: this.getMaxIter(),
              tol: this.getTol(),
              relativeNoise: FLOAT32_RELATIVE_NOISE,
            });
    } finally {
      loss.dispose();
    }
    log.debug(`${this.getSolver()} stopped after ${result.iterations} iterations`);
    const model = new MultilayerPerceptronClassificationModel(this.uid, layers, result.x, {
      objectiveHistory: result.objectiveHistory,
      totalIterations: result.iterations,
    });
    this.copyValues(model);
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): MultilayerPerceptronClassifier {
    return this.copyValues(new MultilayerPerceptronClassifier({ uid: this.uid }), extra);
  }
}
