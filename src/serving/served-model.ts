import { EddyError, describeValue } from '../common/errors.js';
import { loadStage } from '../ml/pipeline/stage-registry.js';
import { Transformer } from '../ml/pipeline/stage.js';
import { parseJsonData, readerFor } from '../ml/persistence/stage-io.js';
import type { Eddy } from '../session.js';
import { AnswerEncoder } from './answer-encoder.js';
import { BatchPredictor } from './batch-predictor.js';
import { BatchDecoder } from './message-batch.js';
import type { MessageFormat } from './message-codec.js';
import { servingSchema, type ServingSchema } from './serving-schema.js';

/** The model answering now, with what serving derives from it once (not per batch). */
export interface Served {
  model: Transformer;
  schema: ServingSchema;
  /** metadata.json's timestamp, for a model loaded from a path. */
  savedAt: number | null;
  /** What identifies the save it was loaded from (see savedVersion); null for a model given in memory. */
  version: string | null;
  predictor: BatchPredictor;
  encoder: AnswerEncoder;
  decoder: BatchDecoder;
}

/** What identifies one save at a path: metadata.json's uid and timestamp (a save in the same ms still differs by uid). */
export async function savedVersion(eddy: Eddy, path: string): Promise<{ key: string; savedAt: number | null }> {
  const meta = parseJsonData(await readerFor({ fs: eddy.fs })(path, 'metadata.json'), `${path}/metadata.json`);
  const { timestamp, uid } = (meta ?? {}) as { timestamp?: unknown; uid?: unknown };
  const savedAt = typeof timestamp === 'number' ? timestamp : null;
  return { key: `${String(uid)}@${String(savedAt)}`, savedAt };
}

function served(
  eddy: Eddy,
  format: MessageFormat,
  model: Transformer,
  savedAt: number | null,
  version: string | null,
): Served {
  const schema = servingSchema(model);
  const encoder = new AnswerEncoder(schema, model.uid, savedAt);
  return {
    model,
    schema,
    savedAt,
    version,
    predictor: new BatchPredictor(model, schema, eddy),
    encoder,
    decoder: new BatchDecoder(format, schema.fields, encoder.fieldNames),
  };
}

/** The model of serve's options: the one given, or the one saved at modelPath. */
export async function resolveModel(
  eddy: Eddy,
  format: MessageFormat,
  o: { model?: Transformer; modelPath?: string },
): Promise<Served> {
  if ((o.model === undefined) === (o.modelPath === undefined)) {
    throw new EddyError('INVALID_ARGUMENT', 'serve needs exactly one of model (a fitted Transformer) and modelPath');
  }
  if (o.model !== undefined) {
    if (!(o.model instanceof Transformer)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `serve: model must be a fitted Transformer, got ${describeValue(o.model)}`,
      );
    }
    return served(eddy, format, o.model, null, null);
  }
  const { key, savedAt } = await savedVersion(eddy, o.modelPath!);
  const stage = await loadStage(o.modelPath!, { fs: eddy.fs });
  if (!(stage instanceof Transformer)) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${o.modelPath} holds ${stage.uid}, an unfitted estimator; save a fitted model`,
    );
  }
  return served(eddy, format, stage, savedAt, key);
}
