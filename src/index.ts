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
