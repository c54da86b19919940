import { EddyError } from '../../common/errors.js';
import type { Params } from '../param/params.js';
import { readerFor, writerFor, type StageLoadOptions, type StageSaveOptions } from '../persistence/stage-io.js';
import { buildMetadata, encodeMetadata, parseMetadata, type ModelMetadata } from '../persistence/model-metadata.js';
import type { FlatTree } from './flat-tree.js';
import { decodeTrees, encodeTrees } from './tree-codec.js';

export const TREE_FORMAT_VERSION = 1;
const DATA_FILE = 'data/trees.bin';

/** Paths resolve through `fs` (pass `eddy.fs` for dfs://); without it, plain paths and file:// only. */
export type SaveOptions = StageSaveOptions;
export type LoadOptions = StageLoadOptions;

export async function saveTreeModel(
  path: string,
  className: string,
  stage: Params,
  trees: readonly FlatTree[],
  extra: { numFeatures: number; numClasses: number } & Record<string, unknown>,
  options: SaveOptions = {},
): Promise<void> {
  const files = new Map<string, Uint8Array>([
    [
      'metadata.json',
      encodeMetadata(buildMetadata(className, TREE_FORMAT_VERSION, stage, { ...extra, numTrees: trees.length })),
    ],
    [DATA_FILE, encodeTrees(trees, extra.numClasses)],
  ]);
  await writerFor(options)(path, files, { overwrite: options.overwrite ?? false });
}

export interface LoadedTrees {
  meta: ModelMetadata;
  trees: FlatTree[];
  numFeatures: number;
  numClasses: number;
}

export async function loadTreeModel(path: string, className: string, options: LoadOptions = {}): Promise<LoadedTrees> {
  const read = readerFor(options);
  const meta = parseMetadata(await read(path, 'metadata.json'), path, className, [TREE_FORMAT_VERSION]);
  const numFeatures = meta.numFeatures;
  const numClasses = meta.numClasses;
  if (typeof numFeatures !== 'number' || typeof numClasses !== 'number') {
    throw new EddyError('CORRUPT_DATA', `cannot load the model at ${path}: metadata.json lacks numFeatures/numClasses`);
  }
  const where = `${path}/${DATA_FILE}`;
  const decoded = decodeTrees(await read(path, DATA_FILE), where);
  if (decoded.numClasses !== numClasses || decoded.trees.length !== meta.numTrees) {
    throw new EddyError(
      'CORRUPT_DATA',
      `cannot load the model: ${where} does not match metadata.json (classes or tree count)`,
    );
  }
  for (const t of decoded.trees) t.validate(numFeatures, where);
  return { meta, trees: decoded.trees, numFeatures, numClasses };
}
