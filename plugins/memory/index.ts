import type { EddyPlugin } from '../../src/index.js';
import { memorySinkProvider } from './memory-sink.js';
import { memorySourceProvider } from './memory-stream.js';

export { MemoryStream } from './memory-stream.js';

/** The memory source (MemoryStream, for tests) and the memory sink (a queryable table per query). */
export const memoryPlugin: EddyPlugin = {
  name: 'memory',
  sources: [memorySourceProvider],
  sinks: [memorySinkProvider],
};
