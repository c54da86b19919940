import { EddyError, isEddyError, toEddyError } from '../../common/errors.js';
import { FileSystemRegistry } from '../../storage/registry.js';
import type { Params } from '../param/params.js';
import type { ModelFiles, ModelReader, ModelWriter } from './model-files.js';
import { buildMetadata, encodeMetadata, parseMetadata, type ModelMetadata } from './model-metadata.js';

/** Where and how a stage is saved. */
export interface StageSaveOptions {
  /** Replace an existing folder at the path (Spark's write.overwrite()). Default false. */
  overwrite?: boolean;
  /** The file systems the path resolves in (`eddy.fs`); default: the local file system only. */
  fs?: FileSystemRegistry;
  /** Overrides `fs`: where the files go (a PipelineModel collects its stages' files this way). */
  writer?: ModelWriter;
}

export interface StageLoadOptions {
  /** The file systems the path resolves in (`eddy.fs`); default: the local file system only. */
  fs?: FileSystemRegistry;
  /** Overrides `fs`: how one file of the folder is read. */
  reader?: ModelReader;
}

let localRegistry: FileSystemRegistry | undefined;
function defaultRegistry(): FileSystemRegistry {
  // The local file system holds no resources, so one registry serves every call that passes no `fs`.
  localRegistry ??= new FileSystemRegistry();
  return localRegistry;
}

/**
 * Writes a model folder through a FileSystemRegistry: every file goes under a sibling temp folder, which is
 * renamed into place only when complete, so a failure never leaves a half-written model where a model was.
 */
export function registryWriter(registry: FileSystemRegistry = defaultRegistry()): ModelWriter {
  return async (path, files, options = {}) => {
    const { fs, path: target } = registry.resolve(path);
    const where = fs.uri(target);
    const exists = await fs.exists(target);
    if (exists && options.overwrite !== true) {
      throw new EddyError(
        'ALREADY_EXISTS',
        `cannot save the model: ${where} already exists; use write().overwrite().save(path) (or { overwrite: true }) to replace it, or choose another path`,
      );
    }
    const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
    try {
      await fs.mkdirs(tmp);
      for (const [name, bytes] of files) await fs.writeFile(`${tmp}/${name}`, bytes, { createParents: true });
      if (exists) {
        const old = `${tmp}.old`;
        await fs.rename(target, old);
        await fs.rename(tmp, target);
        await fs.delete(old, true);
      } else {
        await fs.rename(tmp, target);
      }
    } catch (e) {
      await fs.delete(tmp, true).catch(() => false);
      throw toEddyError(e, 'IO_ERROR', `cannot save the model to ${where}`);
    }
  };
}

export function registryReader(registry: FileSystemRegistry = defaultRegistry()): ModelReader {
  return async (path, name) => {
    const { fs, path: dir } = registry.resolve(path);
    const file = `${dir === '/' ? '' : dir}/${name}`;
    try {
      return await fs.readFile(file);
    } catch (e) {
      if (isEddyError(e) && e.code === 'NOT_FOUND') {
        const folderExists = await fs.exists(dir);
        throw new EddyError(
          'NOT_FOUND',
          folderExists
            ? `cannot load the model at ${path}: ${fs.uri(file)} is missing; the folder is incomplete or not a saved model`
            : `cannot load the model: ${fs.uri(dir)} does not exist; check the path (models are saved with model.save(path))`,
          { cause: e },
        );
      }
      throw toEddyError(e, 'IO_ERROR', `cannot load the model at ${path}: reading ${fs.uri(file)} failed`);
    }
  };
}

export function writerFor(options: StageSaveOptions = {}): ModelWriter {
  return options.writer ?? registryWriter(options.fs);
}

export function readerFor(options: StageLoadOptions = {}): ModelReader {
  return options.reader ?? registryReader(options.fs);
}

/** Saves metadata.json plus the given data files (names relative to the folder, e.g. "data/labels.json"). */
export async function saveStage(
  path: string,
  className: string,
  formatVersion: number,
  stage: Params,
  extra: Record<string, unknown>,
  data: ModelFiles,
  options: StageSaveOptions = {},
): Promise<void> {
  const files: ModelFiles = new Map([
    ['metadata.json', encodeMetadata(buildMetadata(className, formatVersion, stage, extra))],
  ]);
  for (const [name, bytes] of data) files.set(name, bytes);
  await writerFor(options)(path, files, { overwrite: options.overwrite ?? false });
}

/** Reads and checks metadata.json of a folder expected to hold `className`. */
export async function loadStageMetadata(
  path: string,
  className: string,
  versions: readonly number[],
  options: StageLoadOptions = {},
): Promise<{ meta: ModelMetadata; read: (name: string) => Promise<Uint8Array> }> {
  const read = readerFor(options);
  const meta = parseMetadata(await read(path, 'metadata.json'), path, className, versions);
  return { meta, read: (name) => read(path, name) };
}

/** Parses a JSON data file, naming the path when it is truncated or not JSON. */
export function parseJsonData(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (e) {
    throw new EddyError('CORRUPT_DATA', `cannot load the model: ${where} is not valid JSON (truncated?)`, {
      cause: e,
    });
  }
}

export function encodeJsonData(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value) + '\n');
}

/** Spark's MLWriter: `model.write().overwrite().session(eddy).save(path)`. */
export class MLWriter {
  private shouldOverwrite = false;
  private registry: FileSystemRegistry | undefined;

  constructor(private readonly saveImpl: (path: string, options: StageSaveOptions) => Promise<void>) {}

  overwrite(): this {
    this.shouldOverwrite = true;
    return this;
  }

  /** The session (or any `{ fs }`) whose file systems resolve the path: dfs:// needs `eddy`. */
  session(session: { fs: FileSystemRegistry }): this {
    this.registry = session.fs;
    return this;
  }

  async save(path: string): Promise<void> {
    await this.saveImpl(path, {
      overwrite: this.shouldOverwrite,
      ...(this.registry === undefined ? {} : { fs: this.registry }),
    });
  }
}

/** Saves a fitted stage whose state is small: metadata.json plus `data/model.json`. */
export async function saveJsonModel(
  path: string,
  className: string,
  stage: Params,
  data: unknown,
  options?: StageSaveOptions,
): Promise<void> {
  await saveStage(path, className, 1, stage, {}, new Map([['data/model.json', encodeJsonData(data)]]), options);
}

/** Loads what saveJsonModel wrote; `check` validates the data's shape (returning an error text, or null). */
export async function loadJsonModel<D>(
  path: string,
  className: string,
  check: (data: unknown) => string | null,
  options?: StageLoadOptions,
): Promise<{ meta: ModelMetadata; data: D }> {
  const { meta, read } = await loadStageMetadata(path, className, [1], options);
  const where = `${path}/data/model.json`;
  const data = parseJsonData(await read('data/model.json'), where);
  const problem = check(data);
  if (problem !== null) throw new EddyError('CORRUPT_DATA', `cannot load the model: ${where} ${problem}`);
  return { meta, data: data as D };
}

/** True for an array of finite numbers (or, with `allowNaN`, NaN too, which JSON stores as null). */
export function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}
