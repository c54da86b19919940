// The public SDK of Eddy: re-exports only.
export { Eddy, type EddyOptions } from './session.js';
export { EddyError, isEddyError, ERROR_CODES, type ErrorCode } from './common/errors.js';
export { parseDuration, formatDuration } from './common/duration.js';
export { parseSize, formatSize } from './common/size.js';
export { getLogger, setLogLevel, type LogLevel, type Logger } from './common/log.js';
export { crc32c } from './common/checksum.js';
export { startBroker, type Broker, type BrokerOptions } from './broker/broker.js';
export type { ServerStats as BrokerStats } from './broker/server.js';
export type { ConnectionStats, PauseReason } from './broker/connection.js';
export type {
  Handler,
  HandlerContext,
  HandlerRegistry,
  BrokerServices,
  BrokerExtension,
  BrokerExtensionInstance,
} from './broker/handler.js';
export { groupCoordinatorExtension, type GroupExtensionOptions } from './broker/group/extension.js';
export { type GroupCoordinatorConfig, DEFAULT_GROUP_CONFIG } from './broker/group/config.js';
export type {
  FileSystem,
  FileStatus,
  BlockLocation,
  ReadableFile,
  WritableFile,
  CreateOptions,
} from './storage/filesystem.js';
export { LocalFileSystem } from './storage/local.js';
export { FileSystemRegistry, type ResolvedPath, type FileSystemRegistryOptions } from './storage/registry.js';
export { normalizePath } from './storage/fs-path.js';
export { listDatasetFiles, isHiddenName } from './storage/dataset.js';
export { computeSplits, type InputSplit, type SplitOptions } from './storage/splits.js';
export { lineBatches, readSplitLines } from './storage/line-reader.js';
export { DataFrame, type Row } from './dataframe/dataframe.js';
export { GroupedData } from './dataframe/grouped-data.js';
export { DataFrameNaFunctions } from './dataframe/na-functions.js';
export { Column, type ColumnOrName, type Literal } from './dataframe/column.js';
export * from './dataframe/functions.js';
export {
  StructType,
  ArrayType,
  StringType,
  BooleanType,
  IntegerType,
  LongType,
  DoubleType,
  TimestampType,
  BinaryType,
  VectorType,
  NullType,
  field,
  parseDataType,
  parseSchema,
  simpleString,
  typeName,
  type DataType,
  type StructField,
} from './dataframe/types.js';
export { Vector, DenseVector, SparseVector, Vectors } from './dataframe/vector.js';
export { RecordBatch } from './dataframe/batch.js';
export { ColumnVector, ColumnBuilder } from './dataframe/column-vector.js';
export { DataFrameReader } from './dataframe/io/reader.js';
export { DataFrameWriter, type SaveMode } from './dataframe/io/writer.js';
export { createDataFrame, type RowInput, type CreateDataFrameOptions } from './dataframe/create.js';
export type { DataFrameEnv } from './dataframe/env.js';
export { DistributedFileSystem, type DfsOpenOptions } from './storage/dfs/distributed-file-system.js';
export type { FormatOptions, StoreConfig } from './storage/dfs/store-config.js';
export type { FsckOptions, FsckReport, ReplicaIssue, BlockIssue } from './storage/dfs/fsck.js';
export type { BlockRecord } from './storage/dfs/namespace.js';
export { Param, ParamMap, type ParamPair, type ParamKind } from './ml/param/param.js';
export { Params, type ParamDefinition } from './ml/param/params.js';
export { ParamValidators, type ParamValidator } from './ml/param/validators.js';
export { randomUID } from './ml/param/identifiable.js';
export {
  DecisionTreeClassifier,
  type DecisionTreeClassifierOptions,
} from './ml/classification/decision-tree-classifier.js';
export { DecisionTreeClassificationModel } from './ml/classification/decision-tree-classification-model.js';
export { DecisionTreeRegressor, type DecisionTreeRegressorOptions } from './ml/regression/decision-tree-regressor.js';
export { DecisionTreeRegressionModel } from './ml/regression/decision-tree-regression-model.js';
export type { TrainingPartition } from './ml/tree/training-data.js';
export type { FitOptions } from './ml/tree/tree-trainer.js';
export { FlatTree, type FlatTreeArrays } from './ml/tree/flat-tree.js';
export type { SaveOptions, LoadOptions } from './ml/tree/tree-model-io.js';
export {
  writeLocalModelFiles,
  readLocalModelFile,
  type ModelFiles,
  type ModelReader,
  type ModelWriter,
  type ModelWriteOptions,
} from './ml/persistence/model-files.js';
export {
  RandomForestClassifier,
  type RandomForestClassifierOptions,
} from './ml/classification/random-forest-classifier.js';
export { RandomForestClassificationModel } from './ml/classification/random-forest-classification-model.js';
export { RandomForestRegressor, type RandomForestRegressorOptions } from './ml/regression/random-forest-regressor.js';
export { RandomForestRegressionModel } from './ml/regression/random-forest-regression-model.js';
export { PipelineStage, Transformer, Estimator, Model } from './ml/pipeline/stage.js';
export { LogisticRegression, type LogisticRegressionOptions } from './ml/classification/logistic-regression.js';
export {
  LogisticRegressionModel,
  type LogisticRegressionTrainingSummary,
} from './ml/classification/logistic-regression-model.js';
export { DenseMatrix } from './ml/classification/dense-matrix.js';
export {
  MultilayerPerceptronClassifier,
  type MultilayerPerceptronClassifierOptions,
} from './ml/classification/multilayer-perceptron-classifier.js';
export {
  MultilayerPerceptronClassificationModel,
  type MultilayerPerceptronTrainingSummary,
} from './ml/classification/multilayer-perceptron-classification-model.js';
export { tfReady, setTfBackend, tfBackendName, TF_BACKENDS, type TfBackendName } from './ml/tf/backend.js';
export { Pipeline, PipelineModel, type PipelineOptions } from './ml/pipeline/pipeline.js';
export { loadStage } from './ml/pipeline/stage-registry.js';
export { MLWriter, type StageSaveOptions, type StageLoadOptions } from './ml/persistence/stage-io.js';
export { VectorAssembler, type VectorAssemblerOptions } from './ml/feature/vector-assembler.js';
export {
  StringIndexer,
  StringIndexerModel,
  type StringIndexerOptions,
  type StringIndexerModelOptions,
  type StringOrderType,
} from './ml/feature/string-indexer.js';
export { IndexToString, type IndexToStringOptions } from './ml/feature/index-to-string.js';
export { Evaluator } from './ml/evaluation/evaluator.js';
export {
  MulticlassClassificationEvaluator,
  type MulticlassClassificationEvaluatorOptions,
} from './ml/evaluation/multiclass-classification-evaluator.js';
export {
  BinaryClassificationEvaluator,
  type BinaryClassificationEvaluatorOptions,
} from './ml/evaluation/binary-classification-evaluator.js';
export { RegressionEvaluator, type RegressionEvaluatorOptions } from './ml/evaluation/regression-evaluator.js';
export {
  StandardScaler,
  StandardScalerModel,
  MinMaxScaler,
  MinMaxScalerModel,
  type StandardScalerOptions,
  type MinMaxScalerOptions,
} from './ml/feature/scalers.js';
export { Bucketizer, type BucketizerOptions } from './ml/feature/bucketizer.js';
export { Imputer, ImputerModel, type ImputerOptions } from './ml/feature/imputer.js';
export { OneHotEncoder, OneHotEncoderModel, type OneHotEncoderOptions } from './ml/feature/one-hot-encoder.js';
export { pipelineFromSpec, PIPELINE_SPEC_STAGES } from './ml/pipeline/pipeline-spec.js';
export { ParamGridBuilder } from './ml/tuning/param-grid-builder.js';
export {
  TrainValidationSplit,
  CrossValidator,
  ValidatorModel,
  type TrainValidationSplitOptions,
  type CrossValidatorOptions,
} from './ml/tuning/validators.js';
export { Tokenizer, HashingTF, type HashingTFOptions } from './ml/feature/text-features.js';
export { QuantileDiscretizer, type QuantileDiscretizerOptions } from './ml/feature/quantile-discretizer.js';
export { PluginRegistry } from './plugins/registry.js';
export { loadPlugin, type PluginSpec } from './plugins/loader.js';
export {
  getOption,
  type EddyPlugin,
  type SourceProvider,
  type SinkProvider,
  type PluginSource,
  type PluginOptions,
  type SourceContext as PluginSourceContext,
  type SinkContext as PluginSinkContext,
} from './plugins/types.js';
export type {
  StreamSource,
  StreamSink,
  SourceContext as StreamSourceContext,
  BatchContext,
  BatchResult,
  StreamPlan,
} from './streaming/contracts.js';
export { StreamingQuery, type QueryListener } from './streaming/query.js';
export { StreamingQueryManager } from './streaming/manager.js';
export type {
  StreamingQueryProgress,
  StreamingQueryStatus,
  SourceProgress,
  SinkProgress,
  StateOperatorProgress,
  EventTimeStats,
} from './streaming/progress.js';
export type { TriggerSpec } from './streaming/trigger.js';
export { DataStreamReader, type OptionValue } from './streaming/sql/stream-reader.js';
export { DataStreamWriter, type ForeachBatchFunction } from './streaming/sql/stream-writer.js';
export type { OutputMode } from './streaming/sql/output-mode.js';
import './streaming/sql/dataframe-streaming.js';
export {
  FILE_SINK_LOG_DIR,
  loggedBatches,
  readFileSinkLog,
  writeFileSinkLog,
  type SinkFileStatus,
} from './dataframe/io/sink-log.js';
export {
  checkSourceContract,
  checkSinkContract,
  type SourceContractOptions,
  type SourceContractReport,
  type SinkContractOptions,
} from './plugins/contract-kit.js';
export { serve } from './serving/serve.js';
export { ModelServer, formatProgress, type ServeOptions } from './serving/model-server.js';
export type { ServingProgress } from './serving/serving-progress.js';
export { servingSchema, type ServingSchema, type ServingField } from './serving/serving-schema.js';
export { decodeMessage, parseMessageFormat, type MessageFormat, type Decoded } from './serving/message-codec.js';
export {
  KafkaClient,
  KafkaResponseError,
  kafkaErrorName,
  murmur2,
  partitionForKey,
  decodeRecordBatches,
  encodeRecordBatches,
  parseCompressionType,
  type KafkaClientOptions,
  type ListOffsetsRequest,
  type ListOffsetsResult,
  type FetchRequest as KafkaFetchRequest,
  type FetchOptions as KafkaFetchOptions,
  type FetchResult as KafkaFetchResult,
  type ProduceOptions as KafkaProduceOptions,
  type ProduceResult as KafkaProduceResult,
  type KeyedRecord,
  type ProducerRecord,
  type RecordColumns,
  type DecodedRecords,
  type RecordHeader,
  type CompressionType,
  type ClusterInfo,
  type TopicInfo,
  type PartitionInfo,
  type BrokerInfo,
} from './broker/client/index.js';
export { GroupConsumer, type GroupConsumerOptions, type GroupBatch } from './broker/client/group-consumer.js';
