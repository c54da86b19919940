import { EddyError, describeValue } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import { randomUID } from '../param/identifiable.js';
import { ParamMap } from '../param/param.js';
import type { ModelFiles } from '../persistence/model-files.js';
import { loadStageMetadata, writerFor, type StageLoadOptions, type StageSaveOptions } from '../persistence/stage-io.js';
import { buildMetadata, encodeMetadata } from '../persistence/model-metadata.js';
import { loadStage } from './stage-registry.js';
import { Estimator, Model, PipelineStage, Transformer } from './stage.js';

export const PIPELINE_CLASS = 'eddy.ml.Pipeline';
export const PIPELINE_MODEL_CLASS = 'eddy.ml.PipelineModel';
const FORMAT_VERSION = 1;

export interface PipelineOptions {
  uid?: string;
  stages?: readonly PipelineStage[];
}

function checkStages(owner: string, stages: unknown): readonly PipelineStage[] {
  if (!Array.isArray(stages)) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${owner}: stages must be an array of pipeline stages, got ${describeValue(stages)}`,
    );
  }
  stages.forEach((s, i) => {
    if (!(s instanceof PipelineStage) || (!(s instanceof Estimator) && !(s instanceof Transformer))) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${owner}: stage ${i} (${describeValue(s)}) is neither an Estimator nor a Transformer`,
      );
    }
  });
  const uids = new Set<string>();
  for (const s of stages as PipelineStage[]) {
    if (uids.has(s.uid)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${owner}: stage ${s.uid} appears twice; a pipeline's stages must be distinct`,
      );
    }
    uids.add(s.uid);
  }
  return stages as readonly PipelineStage[];
}

/** Saves a list of stages under `stages/<index>_<uid>/` beside a metadata.json, in one atomic write. */
async function saveWithStages(
  path: string,
  className: string,
  owner: PipelineStage,
  stages: readonly PipelineStage[],
  options: StageSaveOptions,
): Promise<void> {
  const files: ModelFiles = new Map();
  files.set(
    'metadata.json',
    encodeMetadata(buildMetadata(className, FORMAT_VERSION, owner, { stageUids: stages.map((s) => s.uid) })),
  );
  for (const [i, stage] of stages.entries()) {
    const prefix = `stages/${i}_${stage.uid}/`;
    await stage.save(`${path}/${prefix}`, {
      writer: async (_p, stageFiles) => {
        for (const [name, bytes] of stageFiles) files.set(prefix + name, bytes);
      },
    });
  }
  await writerFor(options)(path, files, { overwrite: options.overwrite ?? false });
}

async function loadStages(
  path: string,
  className: string,
  options: StageLoadOptions,
): Promise<{ uid: string; stages: PipelineStage[] }> {
  const { meta } = await loadStageMetadata(path, className, [FORMAT_VERSION], options);
  const uids = meta.stageUids;
  if (!Array.isArray(uids) || uids.some((u) => typeof u !== 'string')) {
    throw new EddyError('CORRUPT_DATA', `cannot load the pipeline at ${path}: metadata.json lacks the stageUids list`);
  }
  const stages: PipelineStage[] = [];
  for (const [i, uid] of (uids as string[]).entries()) {
    const stage = await loadStage(`${path}/stages/${i}_${uid}`, options);
    if (stage.uid !== uid) {
      throw new EddyError(
        'CORRUPT_DATA',
        `cannot load the pipeline at ${path}: stage ${i} holds ${stage.uid} but metadata.json names ${uid}`,
      );
    }
    stages.push(stage);
  }
  return { uid: meta.uid, stages };
}

/** The pairs of a ParamMap whose params belong to `uid`. */
export function forParent(map: ParamMap, uid: string): ParamMap {
  const out = new ParamMap();
  for (const { param, value } of map.toSeq()) if (param.parent === uid) out.put(param, value);
  return out;
}

/**
 * Spark's Pipeline: stages run in order; fit() fits each Estimator on the data transformed by the stages before
 * it and returns a PipelineModel of Transformers. The whole chain's schema is checked before any data flows.
 */
export class Pipeline extends Estimator<PipelineModel> {
  private stageList: readonly PipelineStage[] = [];

  constructor(options: PipelineOptions = {}) {
    super(options.uid ?? randomUID('Pipeline'));
    if (options.stages !== undefined) this.setStages(options.stages);
    const unknown = Object.keys(options).filter((k) => k !== 'uid' && k !== 'stages');
    if (unknown.length > 0) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `Pipeline has no option ${unknown.join(', ')}; its options are: uid, stages`,
      );
    }
  }

  getStages(): readonly PipelineStage[] {
    return this.stageList;
  }

  setStages(stages: readonly PipelineStage[]): this {
    this.stageList = [...checkStages(this.uid, stages)];
    return this;
  }

  transformSchema(schema: StructType): StructType {
    return this.stageList.reduce((s, stage) => stage.transformSchema(s), schema);
  }

  async fit(dataset: DataFrame): Promise<PipelineModel> {
    this.transformSchema(dataset.schema);
    let lastEstimator = -1;
    this.stageList.forEach((s, i) => {
      if (s instanceof Estimator) lastEstimator = i;
    });
    const fitted: Transformer[] = [];
    let current = dataset;
    for (const [i, stage] of this.stageList.entries()) {
      let t: Transformer;
      if (stage instanceof Estimator) t = await stage.fit(current);
      else t = stage as Transformer;
      fitted.push(t);
      if (i < lastEstimator) current = t.transform(current);
    }
    const model = new PipelineModel(this.uid, fitted);
    model.parent = this;
    return model;
  }

  /**
   * A copy whose stages are copies too; a ParamMap may hold params of the stages (as a ParamGridBuilder's maps
   * do): each goes to the stage it belongs to, as Spark's Pipeline.copy.
   */
  copy(extra?: ParamMap | Record<string, unknown>): Pipeline {
    if (!(extra instanceof ParamMap)) {
      return this.copyValues(new Pipeline({ uid: this.uid }), extra).setStages(this.stageList.map((s) => s.copy()));
    }
    const p = this.copyValues(new Pipeline({ uid: this.uid }), forParent(extra, this.uid));
    const known = new Set([this.uid, ...this.stageList.map((s) => s.uid)]);
    const stray = extra.toSeq().find(({ param }) => !known.has(param.parent));
    if (stray !== undefined) {
      throw new EddyError('INVALID_ARGUMENT', `param ${stray.param.toString()} belongs to no stage of ${this.uid}`);
    }
    return p.setStages(this.stageList.map((s) => s.copy(forParent(extra, s.uid))));
  }

  override async save(path: string, options: StageSaveOptions = {}): Promise<void> {
    await saveWithStages(path, PIPELINE_CLASS, this, this.stageList, options);
  }

  static async load(path: string, options: StageLoadOptions = {}): Promise<Pipeline> {
    const { uid, stages } = await loadStages(path, PIPELINE_CLASS, options);
    return new Pipeline({ uid, stages });
  }
}

/** Spark's PipelineModel: the fitted stages, applied in order. */
export class PipelineModel extends Model {
  constructor(
    uid: string,
    readonly stages: readonly Transformer[],
  ) {
    super(uid);
    checkStages(uid, stages);
  }

  transformSchema(schema: StructType): StructType {
    return this.stages.reduce((s, stage) => stage.transformSchema(s), schema);
  }

  transform(dataset: DataFrame): DataFrame {
    this.transformSchema(dataset.schema);
    return this.stages.reduce((df, stage) => stage.transform(df), dataset);
  }

  copy(extra?: ParamMap | Record<string, unknown>): PipelineModel {
    const m = this.copyValues(
      new PipelineModel(
        this.uid,
        this.stages.map((s) => s.copy() as Transformer),
      ),
      extra,
    );
    m.parent = this.parent;
    return m;
  }

  override async save(path: string, options: StageSaveOptions = {}): Promise<void> {
    await saveWithStages(path, PIPELINE_MODEL_CLASS, this, this.stages, options);
  }

  static async load(path: string, options: StageLoadOptions = {}): Promise<PipelineModel> {
    const { uid, stages } = await loadStages(path, PIPELINE_MODEL_CLASS, options);
    stages.forEach((s, i) => {
      if (!(s instanceof Transformer)) {
        throw new EddyError(
          'CORRUPT_DATA',
          `cannot load the pipeline model at ${path}: stage ${i} (${s.uid}) is an unfitted estimator`,
        );
      }
    });
    return new PipelineModel(uid, stages as Transformer[]);
  }
}
