import type { EddyPlugin } from '../src/index.js';
import { consolePlugin } from './console/index.js';
import { filePlugin } from './file/index.js';
import { kafkaPlugin } from './kafka/index.js';
import { memoryPlugin } from './memory/index.js';
import { ratePlugin } from './rate/index.js';
import { socketPlugin } from './socket/index.js';

/** The plugins every Eddy session registers at start. */
export const builtinPlugins: EddyPlugin[] = [
  kafkaPlugin,
  consolePlugin,
  memoryPlugin,
  ratePlugin,
  socketPlugin,
  filePlugin,
];
