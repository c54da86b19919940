/**
 * The FileSystem interface: every part of Eddy that reads or writes files (datasets, checkpoints, models,
 * outputs) goes through it, chosen by URI scheme, so a plugin can add `webhdfs://` or `s3://` without touching
 * callers. Paths given to a FileSystem are absolute paths within that file system ("/datasets/iris"), already
 * stripped of the scheme by the registry; FileStatus.uri gives the full form back ("dfs:///datasets/iris"), and
 * every method also accepts a URI of the file system's own scheme.
 */

export interface FileStatus {
  /** Full URI: "dfs:///a/b" or "file:///abs/a/b". */
  uri: string;
  /** Absolute path within the file system: "/a/b". */
  path: string;
  /** Last path component. */
  name: string;
  isDirectory: boolean;
  /** Bytes; 0 for directories. */
  length: number;
  /** Milliseconds since the epoch. */
  modificationTime: number;
  /** Block size used for splits (the store's block size; a local file reports the dfs default). */
  blockSize: number;
  /** Replication factor (1 for local files). */
  replication: number;
}

/** Where a byte range of a file lives, as HDFS reports it for input splits. */
export interface BlockLocation {
  offset: number;
  length: number;
  /** Volume (datanode) names holding a replica. */
  hosts: string[];
}

export interface ReadableFile {
  readonly length: number;
  /** Reads up to `length` bytes from `position`; fewer only at end of file. */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Streams bytes [start, end) in chunks (end defaults to the file's length); callers may keep the chunks. */
  stream(start?: number, end?: number): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

export interface WritableFile {
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the file visible (atomically, for create) once everything is durable. */
  close(): Promise<void>;
  /** Discards what was written; a created file never becomes visible. */
  abort(): Promise<void>;
}

export interface CreateOptions {
  /** Replace an existing file (default false: ALREADY_EXISTS). */
  overwrite?: boolean;
  /** Create missing parent folders (default true). */
  createParents?: boolean;
  blockSize?: number;
  replication?: number;
}

export interface FileSystem {
  /** "file", "dfs", ... */
  readonly scheme: string;
  /** Full URI of an absolute path in this file system. */
  uri(path: string): string;
  stat(path: string): Promise<FileStatus>;
  exists(path: string): Promise<boolean>;
  /** Entries of a directory sorted by name; a file lists itself. NOT_FOUND if missing. */
  list(path: string): Promise<FileStatus[]>;
  /** Matches `*`, `?`, `[abc]` and `{a,b}` per path component, as Hadoop's globStatus does. */
  glob(pattern: string): Promise<FileStatus[]>;
  mkdirs(path: string): Promise<void>;
  open(path: string): Promise<ReadableFile>;
  readFile(path: string): Promise<Uint8Array>;
  /** Opens a file for writing; it becomes visible only when close() succeeds. */
  create(path: string, options?: CreateOptions): Promise<WritableFile>;
  writeFile(path: string, data: Uint8Array | string, options?: CreateOptions): Promise<void>;
  /** Appends to an existing file; UNSUPPORTED where the scheme cannot. */
  append(path: string): Promise<WritableFile>;
  /** Atomic rename; fails with ALREADY_EXISTS if `to` exists. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes a file, or a directory (non-empty only with recursive). Returns false if nothing was there. */
  delete(path: string, recursive?: boolean): Promise<boolean>;
  /** Block boundaries and replicas of [start, start+length): input splits follow them. */
  blockLocations(path: string, start: number, length: number): Promise<BlockLocation[]>;
  close(): Promise<void>;
}
