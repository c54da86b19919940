// The public SDK of Eddy: re-exports only.
export { Eddy, type EddyOptions } from './session.js';
export { EddyError, isEddyError, ERROR_CODES, type ErrorCode } from './common/errors.js';
export { parseDuration, formatDuration } from './common/duration.js';
export { parseSize, formatSize } from './common/size.js';
export { getLogger, setLogLevel, type LogLevel, type Logger } from './common/log.js';
export { crc32c } from './common/checksum.js';
export { startBroker, type Broker, type BrokerOptions } from './broker/broker.js';
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
