import type { Eddy } from '../session.js';
import { ModelServer, type ServeOptions } from './model-server.js';

/**
 * Serves a model on a topic: kafka source → decode → model.transform → output topic (and dead letters), as a
 * checkpointed streaming query. Input offsets are committed (in the checkpoint) only after the batch's answers
 * are written, so a crash replays at most the uncommitted tail.
 */
export function serve(eddy: Eddy, options: ServeOptions): Promise<ModelServer> {
  return ModelServer.start(eddy, options);
}
