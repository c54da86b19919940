// Importing a stage module registers its saved class names (see stage-registry.ts); this file imports them all.
import '../feature/vector-assembler.js';
import '../feature/string-indexer.js';
import '../feature/index-to-string.js';
import '../feature/scalers.js';
import '../feature/bucketizer.js';
import '../feature/imputer.js';
import '../feature/one-hot-encoder.js';
import '../feature/text-features.js';
import '../feature/quantile-discretizer.js';
import {
  DECISION_TREE_CLASSIFICATION_MODEL_CLASS,
  DecisionTreeClassificationModel,
} from '../classification/decision-tree-classification-model.js';
import { DecisionTreeClassifier } from '../classification/decision-tree-classifier.js';
import {
  RANDOM_FOREST_CLASSIFICATION_MODEL_CLASS,
  RandomForestClassificationModel,
} from '../classification/random-forest-classification-model.js';
import { RandomForestClassifier } from '../classification/random-forest-classifier.js';
import {
  DECISION_TREE_REGRESSION_MODEL_CLASS,
  DecisionTreeRegressionModel,
} from '../regression/decision-tree-regression-model.js';
import { DecisionTreeRegressor } from '../regression/decision-tree-regressor.js';
import {
  RANDOM_FOREST_REGRESSION_MODEL_CLASS,
  RandomForestRegressionModel,
} from '../regression/random-forest-regression-model.js';
import { RandomForestRegressor } from '../regression/random-forest-regressor.js';
import { LogisticRegression } from '../classification/logistic-regression.js';
import {
  LOGISTIC_REGRESSION_MODEL_CLASS,
  LogisticRegressionModel,
} from '../classification/logistic-regression-model.js';
import { MultilayerPerceptronClassifier } from '../classification/multilayer-perceptron-classifier.js';
import {
  MULTILAYER_PERCEPTRON_CLASSIFICATION_MODEL_CLASS,
  MultilayerPerceptronClassificationModel,
} from '../classification/multilayer-perceptron-classification-model.js';
import { PIPELINE_CLASS, PIPELINE_MODEL_CLASS, Pipeline, PipelineModel } from './pipeline.js';
import {
  CROSS_VALIDATOR_MODEL_CLASS,
  TRAIN_VALIDATION_SPLIT_MODEL_CLASS,
  ValidatorModel,
} from '../tuning/validators.js';
import { paramsOnlyLoader, registerStage } from './stage-registry.js';
import type { PipelineStage } from './stage.js';

registerStage(DECISION_TREE_CLASSIFICATION_MODEL_CLASS, (p, o) => DecisionTreeClassificationModel.load(p, o));
registerStage(RANDOM_FOREST_CLASSIFICATION_MODEL_CLASS, (p, o) => RandomForestClassificationModel.load(p, o));
registerStage(DECISION_TREE_REGRESSION_MODEL_CLASS, (p, o) => DecisionTreeRegressionModel.load(p, o));
registerStage(RANDOM_FOREST_REGRESSION_MODEL_CLASS, (p, o) => RandomForestRegressionModel.load(p, o));
registerStage(LOGISTIC_REGRESSION_MODEL_CLASS, (p, o) => LogisticRegressionModel.load(p, o));
registerStage(MULTILAYER_PERCEPTRON_CLASSIFICATION_MODEL_CLASS, (p, o) =>
  MultilayerPerceptronClassificationModel.load(p, o),
);
const estimators: [string, (uid: string) => PipelineStage][] = [
  ['DecisionTreeClassifier', (uid) => new DecisionTreeClassifier({ uid })],
  ['RandomForestClassifier', (uid) => new RandomForestClassifier({ uid })],
  ['DecisionTreeRegressor', (uid) => new DecisionTreeRegressor({ uid })],
  ['RandomForestRegressor', (uid) => new RandomForestRegressor({ uid })],
  ['LogisticRegression', (uid) => new LogisticRegression({ uid })],
  ['MultilayerPerceptronClassifier', (uid) => new MultilayerPerceptronClassifier({ uid })],
];
for (const [name, create] of estimators) {
  const cls = `eddy.ml.${name}`;
  registerStage(cls, paramsOnlyLoader(cls, create));
}
registerStage(PIPELINE_CLASS, (p, o) => Pipeline.load(p, o));
registerStage(PIPELINE_MODEL_CLASS, (p, o) => PipelineModel.load(p, o));
for (const cls of [TRAIN_VALIDATION_SPLIT_MODEL_CLASS, CROSS_VALIDATOR_MODEL_CLASS]) {
  registerStage(cls, (p, o) => ValidatorModel.loadAs(p, cls, o));
}
