import { EddyError, describeValue } from '../../common/errors.js';
import { DecisionTreeClassifier } from '../classification/decision-tree-classifier.js';
import { RandomForestClassifier } from '../classification/random-forest-classifier.js';
import { LogisticRegression } from '../classification/logistic-regression.js';
import { MultilayerPerceptronClassifier } from '../classification/multilayer-perceptron-classifier.js';
import { Bucketizer } from '../feature/bucketizer.js';
import { Imputer } from '../feature/imputer.js';
import { IndexToString } from '../feature/index-to-string.js';
import { OneHotEncoder } from '../feature/one-hot-encoder.js';
import { QuantileDiscretizer } from '../feature/quantile-discretizer.js';
import { MinMaxScaler, StandardScaler } from '../feature/scalers.js';
import { HashingTF, Tokenizer } from '../feature/text-features.js';
import { StringIndexer } from '../feature/string-indexer.js';
import { VectorAssembler } from '../feature/vector-assembler.js';
import { DecisionTreeRegressor } from '../regression/decision-tree-regressor.js';
import { RandomForestRegressor } from '../regression/random-forest-regressor.js';
import { Pipeline } from './pipeline.js';
import type { PipelineStage } from './stage.js';

/** The stages a JSON pipeline description may name, by Spark's short class name. */
const STAGES: Record<string, (params: Record<string, unknown>) => PipelineStage> = {
  VectorAssembler: (p) => new VectorAssembler(p),
  StringIndexer: (p) => new StringIndexer(p),
  IndexToString: (p) => new IndexToString(p),
  OneHotEncoder: (p) => new OneHotEncoder(p),
  StandardScaler: (p) => new StandardScaler(p),
  MinMaxScaler: (p) => new MinMaxScaler(p),
  Bucketizer: (p) => new Bucketizer(p),
  QuantileDiscretizer: (p) => new QuantileDiscretizer(p),
  Imputer: (p) => new Imputer(p),
  Tokenizer: (p) => new Tokenizer(p),
  HashingTF: (p) => new HashingTF(p),
  DecisionTreeClassifier: (p) => new DecisionTreeClassifier(p),
  RandomForestClassifier: (p) => new RandomForestClassifier(p),
  DecisionTreeRegressor: (p) => new DecisionTreeRegressor(p),
  RandomForestRegressor: (p) => new RandomForestRegressor(p),
  LogisticRegression: (p) => new LogisticRegression(p),
  MultilayerPerceptronClassifier: (p) => new MultilayerPerceptronClassifier(p),
};

export const PIPELINE_SPEC_STAGES = Object.keys(STAGES);

/**
 * A Pipeline from its JSON description: `{ "stages": [ { "class": "VectorAssembler", "params": { ... } }, ... ] }`.
 * Class names are Spark's short names (a leading package such as `org.apache.spark.ml.feature.` is accepted);
 * params are the stages' params by name, checked as when set in code. Errors name the stage index.
 */
export function pipelineFromSpec(spec: unknown, where = 'the pipeline description'): Pipeline {
  const stages = (spec as { stages?: unknown } | null)?.stages;
  if (spec === null || typeof spec !== 'object' || !Array.isArray(stages)) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${where} must be an object with a "stages" array, e.g. {"stages": [{"class": "VectorAssembler", "params": {...}}]}`,
    );
  }
  return new Pipeline({
    stages: stages.map((s: unknown, i) => {
      const entry = s as { class?: unknown; params?: unknown } | null;
      const cls = typeof entry?.class === 'string' ? entry.class.slice(entry.class.lastIndexOf('.') + 1) : undefined;
      const make = cls === undefined ? undefined : STAGES[cls];
      if (make === undefined) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `${where}: stage ${i} has class ${describeValue(entry?.class)}; use one of ${PIPELINE_SPEC_STAGES.join(', ')}`,
        );
      }
      const params = entry?.params ?? {};
      if (params === null || typeof params !== 'object' || Array.isArray(params)) {
        throw new EddyError('INVALID_ARGUMENT', `${where}: stage ${i} (${cls}) has "params" that is not an object`);
      }
      try {
        return make(params as Record<string, unknown>);
      } catch (e) {
        throw new EddyError('INVALID_ARGUMENT', `${where}: stage ${i} (${cls}): ${(e as Error).message}`, { cause: e });
      }
    }),
  });
}
