import type { EddyPlugin } from '../../src/index.js';
import { kafkaSinkProvider } from './kafka-sink.js';
import { kafkaSourceProvider } from './kafka-source.js';

/** Spark's kafka source and sink, on Eddy's own Kafka client: the built-in broker or any Kafka cluster. */
export const kafkaPlugin: EddyPlugin = {
  name: 'kafka',
  sources: [kafkaSourceProvider],
  sinks: [kafkaSinkProvider],
};
