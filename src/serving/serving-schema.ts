import { EddyError } from '../common/errors.js';
import { PipelineModel } from '../ml/pipeline/pipeline.js';
import type { Transformer } from '../ml/pipeline/stage.js';
import { StringIndexerModel } from '../ml/feature/string-indexer.js';

/** One column a message must (or may) carry. */
export interface ServingField {
  name: string;
  type: 'double' | 'string';
  /** Only a StringIndexerModel reads it, and that stage is skipped when the column is absent (a label). */
  optional: boolean;
}

/** What serving needs to know about a model: the message fields it reads and the columns it answers with. */
export interface ServingSchema {
  fields: ServingField[];
  /** Columns added to each output message, when the model makes them. */
  predictionCol: string | null;
  probabilityCol: string | null;
  /** The labels of the StringIndexerModel that indexed the label column the predictor was trained on. */
  labels: readonly string[] | null;
}

const STRING_INPUT_STAGES = new Set(['StringIndexerModel', 'Tokenizer', 'RegexTokenizer']);

function param(stage: Transformer, name: string): unknown {
  if (!stage.hasParam(name)) return undefined;
  const p = stage.getParam(name);
  return stage.isDefined(p) ? stage.getOrDefault(p) : undefined;
}

function names(stage: Transformer, single: string, multi: string): string[] {
  const one = param(stage, single);
  const many = param(stage, multi);
  const out: string[] = [];
  if (typeof one === 'string' && one !== '') out.push(one);
  if (Array.isArray(many)) out.push(...many.filter((c): c is string => typeof c === 'string' && c !== ''));
  return out;
}

/**
 * The raw columns a model reads (inputs no earlier stage produces), typed by the stage that reads them, and its
 * prediction outputs. Derived from the stages' column params, so it holds for every stage class.
 */
export function servingSchema(model: Transformer): ServingSchema {
  const stages: readonly Transformer[] = model instanceof PipelineModel ? model.stages : [model];
  const produced = new Set<string>();
  const fields = new Map<string, ServingField>();
  let predictionCol: string | null = null;
  let probabilityCol: string | null = null;
  let labelCol: string | null = null;
  for (const stage of stages) {
    const kind = STRING_INPUT_STAGES.has(stage.constructor.name) ? 'string' : 'double';
    const optional = stage instanceof StringIndexerModel;
    for (const c of names(stage, 'inputCol', 'inputCols').concat(names(stage, 'featuresCol', 'featuresCols'))) {
      if (produced.has(c)) continue;
      const seen = fields.get(c);
      if (seen === undefined) fields.set(c, { name: c, type: kind, optional });
      else if (seen.optional && !optional) seen.optional = false;
    }
    for (const c of names(stage, 'outputCol', 'outputCols')) produced.add(c);
    const pred = param(stage, 'predictionCol');
    if (typeof pred === 'string' && pred !== '') {
      predictionCol = pred;
      produced.add(pred);
      const prob = param(stage, 'probabilityCol');
      probabilityCol = typeof prob === 'string' && prob !== '' ? prob : null;
      if (probabilityCol) produced.add(probabilityCol);
      const raw = param(stage, 'rawPredictionCol');
      if (typeof raw === 'string' && raw !== '') produced.add(raw);
      const label = param(stage, 'labelCol');
      labelCol = typeof label === 'string' ? label : null;
    }
  }
  if (fields.size === 0) {
    throw new EddyError('INVALID_ARGUMENT', `model ${model.uid} reads no input columns; there is nothing to serve`);
  }
  const indexer = stages.find(
    (s): s is StringIndexerModel => s instanceof StringIndexerModel && param(s, 'outputCol') === labelCol,
  );
  return { fields: [...fields.values()], predictionCol, probabilityCol, labels: indexer ? indexer.labels : null };
}
