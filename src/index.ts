// The public SDK of Eddy: re-exports only.
export { Eddy, type EddyOptions } from './session.js';
export { EddyError, isEddyError, ERROR_CODES, type ErrorCode } from './common/errors.js';
export { parseDuration, formatDuration } from './common/duration.js';
export { parseSize, formatSize } from './common/size.js';
export { getLogger, setLogLevel, type LogLevel, type Logger } from './common/log.js';
export { crc32c } from './common/checksum.js';
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
