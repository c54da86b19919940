import type { ResolvedPath } from '../storage/registry.js';

/** What DataFrames need from the session: file systems by URI, for readers and writers. */
export interface DataFrameEnv {
  resolvePath(pathOrUri: string): ResolvedPath;
}
