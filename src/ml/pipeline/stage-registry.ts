import { EddyError, describeValue } from '../../common/errors.js';
import { parseJsonData, loadStageMetadata, readerFor, type StageLoadOptions } from '../persistence/stage-io.js';
import { PARAMS_FORMAT_VERSION, type PipelineStage } from './stage.js';

export type StageLoader = (path: string, options: StageLoadOptions) => Promise<PipelineStage>;

const loaders = new Map<string, StageLoader>();

/** Makes a saved class loadable by PipelineModel.load and loadStage (each stage module registers itself). */
export function registerStage(className: string, loader: StageLoader): void {
  loaders.set(className, loader);
}

/** A loader for a stage saved with its params only: a new instance with the saved uid and params. */
export function paramsOnlyLoader<S extends PipelineStage>(
  className: string,
  create: (uid: string) => S,
): (path: string, options?: StageLoadOptions) => Promise<S> {
  return async (path, options = {}) => {
    const { meta } = await loadStageMetadata(path, className, [PARAMS_FORMAT_VERSION], options);
    return create(meta.uid).restoreParamMaps(meta.paramMap, meta.defaultParamMap);
  };
}

/** Loads any saved stage, choosing the class from its metadata.json. */
export async function loadStage(path: string, options: StageLoadOptions = {}): Promise<PipelineStage> {
  // The stage modules register themselves on import; importing them here (not at the top) avoids a cycle.
  await import('./known-stages.js');
  const meta = parseJsonData(await readerFor(options)(path, 'metadata.json'), `${path}/metadata.json`) as {
    class?: unknown;
  } | null;
  const cls = meta?.class;
  const loader = typeof cls === 'string' ? loaders.get(cls) : undefined;
  if (loader === undefined) {
    throw new EddyError(
      'UNSUPPORTED',
      `cannot load the stage at ${path}: class ${describeValue(cls)} is not one this Eddy knows; known classes: ${[...loaders.keys()].sort().join(', ')}`,
    );
  }
  return loader(path, options);
}
