import type { DataFrame } from '../../dataframe/dataframe.js';
import type { StructType } from '../../dataframe/types.js';
import type { ParamMap } from '../param/param.js';
import { Params } from '../param/params.js';
import { MLWriter, saveStage, type StageLoadOptions, type StageSaveOptions } from '../persistence/stage-io.js';

/** Format of a stage saved with its params only (Spark's DefaultParamsWriter). */
export const PARAMS_FORMAT_VERSION = 1;

/**
 * Spark's PipelineStage: a set of params plus `transformSchema`, which derives the output schema from the
 * input schema and throws on a missing or mistyped input column — so a pipeline is checked end to end before
 * any data flows.
 */
export abstract class PipelineStage extends Params {
  abstract transformSchema(schema: StructType): StructType;

  abstract override copy(extra?: ParamMap | Record<string, unknown>): PipelineStage;

  /** The `class` written into metadata.json and checked on load. */
  get stageClassName(): string {
    return `eddy.ml.${this.constructor.name}`;
  }

  /**
   * Saves the stage as a folder (metadata.json, and data/ for fitted state) on any registered file system. This
   * default writes the params only, as Spark's DefaultParamsWriter; stages with fitted state override it.
   */
  async save(path: string, options?: StageSaveOptions): Promise<void> {
    await saveStage(path, this.stageClassName, PARAMS_FORMAT_VERSION, this, {}, new Map(), options);
  }

  /** Spark's `write`: `stage.write().overwrite().save(path)`. */
  write(): MLWriter {
    return new MLWriter((path, options) => this.save(path, options));
  }
}

/** Spark's Transformer: DataFrame in, DataFrame out (lazily: the work happens when the result runs). */
export abstract class Transformer extends PipelineStage {
  abstract transform(dataset: DataFrame): DataFrame;

  /**
   * The tree models extend the tree params rather than this class (one base class only in TypeScript); a
   * stage counts as a Transformer when it is a PipelineStage with a transform method.
   */
  static [Symbol.hasInstance](x: unknown): boolean {
    if (this !== Transformer) return Function.prototype[Symbol.hasInstance].call(this, x);
    return x instanceof PipelineStage && typeof (x as { transform?: unknown }).transform === 'function';
  }
}

/** Spark's Model: a Transformer produced by an Estimator, which it remembers as `parent`. */
export abstract class Model extends Transformer {
  parent: Estimator | undefined;

  static [Symbol.hasInstance](x: unknown): boolean {
    if (this !== Model) return Function.prototype[Symbol.hasInstance].call(this, x);
    return x instanceof Transformer && 'parent' in (x as object);
  }
}

/** Spark's Estimator: `fit(dataset)` learns a Model. */
export abstract class Estimator<M extends Transformer = Transformer> extends PipelineStage {
  abstract fit(dataset: DataFrame): Promise<M>;

  static [Symbol.hasInstance](x: unknown): boolean {
    if (this !== Estimator) return Function.prototype[Symbol.hasInstance].call(this, x);
    return x instanceof PipelineStage && typeof (x as { fit?: unknown }).fit === 'function';
  }
}

export type { StageLoadOptions, StageSaveOptions };
