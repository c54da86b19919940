import { join } from 'node:path';
import { bundledDataset } from '../../src/common/paths.js';
import {
  DecisionTreeClassifier,
  Eddy,
  Pipeline,
  StringIndexer,
  VectorAssembler,
  type DataFrame,
  type PipelineModel,
  type Row,
} from '../../src/index.js';

/* The model the serving tests serve: the bundled iris data through VectorAssembler → StringIndexer → a tree. */

export const IRIS_FEATURES = ['_c0', '_c1', '_c2', '_c3'];

/** The bundled iris dataset (cached): four feature columns _c0.._c3 and the species in _c4. */
export async function irisData(eddy: Eddy): Promise<DataFrame> {
  return (await eddy.read.option('inferSchema', true).csv(bundledDataset('iris'))).cache();
}

/** The iris pipeline fitted on `iris`; maxDepth as DecisionTreeClassifier's (Spark's default 5). */
export function fitIrisPipeline(iris: DataFrame, maxDepth = 5): Promise<PipelineModel> {
  return new Pipeline({
    stages: [
      new VectorAssembler({ inputCols: IRIS_FEATURES, outputCol: 'features' }),
      new StringIndexer({ inputCol: '_c4', outputCol: 'label' }),
      new DecisionTreeClassifier({ featuresCol: 'features', labelCol: 'label', maxDepth }),
    ],
  }).fit(iris);
}

/**
 * For tests that run `eddy serve` on a model folder: fits the iris pipeline with a throw-away session (home
 * `<dir>/home`), saves it at `<dir>/models/iris`, and returns the iris rows.
 */
export async function saveIrisModel(dir: string): Promise<Row[]> {
  const eddy = await Eddy.start({ home: join(dir, 'home'), broker: false, dfs: false });
  try {
    const iris = await irisData(eddy);
    await (await fitIrisPipeline(iris)).save(join(dir, 'models', 'iris'));
    return await iris.collect();
  } finally {
    await eddy.close();
  }
}
