import { EddyError, describeValue } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';
import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { DoubleType, type StructType } from '../../dataframe/types.js';
import { formatJavaDouble } from '../../dataframe/vector.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import {
  encodeJsonData,
  loadStageMetadata,
  parseJsonData,
  saveStage,
  type StageLoadOptions,
  type StageSaveOptions,
} from '../persistence/stage-io.js';
import { appendFields, inputField, mlField, NUMERIC_KINDS } from '../pipeline/schema-utils.js';
import { paramsOnlyLoader, registerStage } from '../pipeline/stage-registry.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { mapBatches } from '../pipeline/transform-plan.js';
import { inputColParam, outputColParam } from '../param/shared-params.js';

export const STRING_ORDER_TYPES = ['frequencyDesc', 'frequencyAsc', 'alphabetDesc', 'alphabetAsc'] as const;
export type StringOrderType = (typeof STRING_ORDER_TYPES)[number];

export interface StringIndexerOptions {
  uid?: string;
  inputCol?: string;
  outputCol?: string;
  handleInvalid?: 'error' | 'skip' | 'keep';
  stringOrderType?: StringOrderType;
}

const INPUT_KINDS = ['string', ...NUMERIC_KINDS] as const;

/** A value of the input column as the string StringIndexer indexes (Spark casts numbers to string). */
function labelOf(v: unknown, kind: string): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (kind === 'double') return formatJavaDouble(v as number);
  return String(v);
}

/**
 * Spark's StringIndexer: maps a string (or numeric) column to label indices 0, 1, ... ordered by
 * stringOrderType — by default the most frequent label gets 0, ties broken alphabetically as Spark does.
 * Nulls are not counted when fitting.
 */
export class StringIndexer extends Estimator<StringIndexerModel> {
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly handleInvalid = this.declare<string>('handleInvalid', {
    doc:
      "How to handle invalid data (unseen labels or NULL values). Options are 'skip' (filter out rows with invalid data), " +
      "error (throw an error), or 'keep' (put invalid data in a special additional bucket, at index numLabels).",
    kind: 'string',
    validator: V.inArray(['skip', 'error', 'keep']),
    default: 'error',
  });
  readonly stringOrderType = this.declare<string>('stringOrderType', {
    doc:
      'How to order labels of string column. The first label after ordering is assigned an index of 0. Supported options: ' +
      'frequencyDesc, frequencyAsc, alphabetDesc, alphabetAsc.',
    kind: 'string',
    validator: V.inArray<string>([...STRING_ORDER_TYPES]),
    default: 'frequencyDesc',
  });

  constructor(options: StringIndexerOptions = {}) {
    super(options.uid ?? randomUID('StringIndexer'));
    this.applyOptions(options);
  }

  getInputCol(): string {
    if (!this.isDefined(this.inputCol)) {
      throw new EddyError('INVALID_ARGUMENT', `${this.uid}: inputCol is not set; give the column to index`);
    }
    return this.getOrDefault(this.inputCol);
  }
  setInputCol(value: string): this {
    return this.set(this.inputCol, value);
  }
  getOutputCol(): string {
    return this.getOrDefault(this.outputCol);
  }
  setOutputCol(value: string): this {
    return this.set(this.outputCol, value);
  }
  setHandleInvalid(value: 'error' | 'skip' | 'keep'): this {
    return this.set(this.handleInvalid, value);
  }
  setStringOrderType(value: StringOrderType): this {
    return this.set(this.stringOrderType, value);
  }

  transformSchema(schema: StructType): StructType {
    inputField(this, schema, 'inputCol', this.getInputCol(), INPUT_KINDS);
    return appendFields(this, schema, [mlField(this.getOutputCol(), DoubleType, false)]);
  }

  async fit(dataset: DataFrame): Promise<StringIndexerModel> {
    this.transformSchema(dataset.schema);
    const i = dataset.schema.indexOf(this.getInputCol());
    const kind = dataset.schema.fields[i]!.dataType.kind;
    const counts = new Map<string, number>();
    for await (const b of dataset.select(dataset.columns[i]!).batches()) {
      const c = b.column(0);
      for (let r = 0; r < b.numRows; r++) {
        const s = labelOf(c.get(r), kind);
        if (s !== null) counts.set(s, (counts.get(s) ?? 0) + 1);
      }
    }
    const labels = sortLabels(counts, this.getOrDefault(this.stringOrderType) as StringOrderType);
    const model = this.copyValues(new StringIndexerModel({ uid: this.uid, labels }));
    model.parent = this;
    return model;
  }

  copy(extra?: ParamMap | Record<string, unknown>): StringIndexer {
    return this.copyValues(new StringIndexer({ uid: this.uid }), extra);
  }

  static readonly load = paramsOnlyLoader('eddy.ml.StringIndexer', (uid) => new StringIndexer({ uid }));
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Labels in index order; frequency orders break ties alphabetically (ascending), as Spark does. */
export function sortLabels(counts: ReadonlyMap<string, number>, order: StringOrderType): string[] {
  const entries = [...counts];
  switch (order) {
    case 'frequencyDesc':
      entries.sort((a, b) => b[1] - a[1] || byString(a[0], b[0]));
      break;
    case 'frequencyAsc':
      entries.sort((a, b) => a[1] - b[1] || byString(a[0], b[0]));
      break;
    case 'alphabetDesc':
      entries.sort((a, b) => byString(b[0], a[0]));
      break;
    case 'alphabetAsc':
      entries.sort((a, b) => byString(a[0], b[0]));
      break;
  }
  return entries.map((e) => e[0]);
}

export const STRING_INDEXER_MODEL_CLASS = 'eddy.ml.feature.StringIndexerModel';
const MODEL_FORMAT = 1;

export interface StringIndexerModelOptions extends StringIndexerOptions {
  labels: readonly string[];
}

/**
 * A fitted StringIndexer. As Spark's, transform skips (returns the data unchanged) when the input column is absent,
 * so a pipeline with a label indexer can predict rows that have no label; the output column carries the labels as
 * ML metadata for IndexToString.
 */
export class StringIndexerModel extends Model {
  readonly labels: readonly string[];
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly handleInvalid = this.declare<string>('handleInvalid', {
    doc:
      "How to handle invalid data (unseen labels or NULL values). Options are 'skip' (filter out rows with invalid data), " +
      "error (throw an error), or 'keep' (put invalid data in a special additional bucket, at index numLabels).",
    kind: 'string',
    validator: V.inArray(['skip', 'error', 'keep']),
    default: 'error',
  });
  readonly stringOrderType = this.declare<string>('stringOrderType', {
    doc:
      'How to order labels of string column. The first label after ordering is assigned an index of 0. Supported options: ' +
      'frequencyDesc, frequencyAsc, alphabetDesc, alphabetAsc.',
    kind: 'string',
    validator: V.inArray<string>([...STRING_ORDER_TYPES]),
    default: 'frequencyDesc',
  });
  private readonly index: Map<string, number>;

  constructor(options: StringIndexerModelOptions) {
    super(options.uid ?? randomUID('StringIndexerModel'));
    if (!Array.isArray(options.labels) || options.labels.some((l) => typeof l !== 'string')) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid}: labels must be an array of strings, got ${describeValue(options.labels)}`,
      );
    }
    this.labels = [...options.labels];
    this.index = new Map(this.labels.map((l, i) => [l, i]));
    const { labels: _labels, ...params } = options;
    void _labels;
    this.applyOptions(params);
  }

  getInputCol(): string {
    if (!this.isDefined(this.inputCol)) {
      throw new EddyError('INVALID_ARGUMENT', `${this.uid}: inputCol is not set; give the column to index`);
    }
    return this.getOrDefault(this.inputCol);
  }
  getOutputCol(): string {
    return this.getOrDefault(this.outputCol);
  }
  setHandleInvalid(value: 'error' | 'skip' | 'keep'): this {
    return this.set(this.handleInvalid, value);
  }

  transformSchema(schema: StructType): StructType {
    const name = this.getInputCol();
    if (schema.indexOf(name) < 0) return schema;
    inputField(this, schema, 'inputCol', name, INPUT_KINDS);
    const keep = this.getOrDefault(this.handleInvalid) === 'keep';
    const vals = keep ? [...this.labels, '__unknown'] : this.labels;
    return appendFields(this, schema, [mlField(this.getOutputCol(), DoubleType, false, { vals })]);
  }

  transform(dataset: DataFrame): DataFrame {
    const name = this.getInputCol();
    const i = dataset.schema.indexOf(name);
    if (i < 0) {
      // Spark warns here; predicting on unlabeled rows is the normal case in serving, where a warning for every
      // micro-batch would drown real ones, so it is an info line.
      getLogger('ml').info(
        `${this.uid}: input column ${name} does not exist during transformation; skipping StringIndexerModel`,
      );
      return dataset;
    }
    const schema = this.transformSchema(dataset.schema);
    const kind = dataset.schema.fields[i]!.dataType.kind;
    const mode = this.getOrDefault(this.handleInvalid);
    const index = this.index;
    const unknown = this.labels.length;
    const uid = this.uid;
    const fn = (b: RecordBatch): RecordBatch => {
      const c = b.column(i);
      const out = new Float64Array(b.numRows);
      const keep: number[] = [];
      for (let r = 0; r < b.numRows; r++) {
        const s = labelOf(c.get(r), kind);
        const k = s === null ? undefined : index.get(s);
        if (k !== undefined) {
          out[keep.length] = k;
          keep.push(r);
          continue;
        }
        if (mode === 'error') {
          throw new EddyError(
            'INVALID_ARGUMENT',
            s === null
              ? `${uid}: StringIndexer encountered a null in column '${name}'; set handleInvalid to "skip" or "keep" to handle nulls`
              : `${uid}: unseen label ${describeValue(s)} in column '${name}' (known labels: ${this.labels.slice(0, 10).join(', ')}${this.labels.length > 10 ? ', ...' : ''}); set handleInvalid to "skip" or "keep" to handle it`,
          );
        }
        if (mode === 'keep') {
          out[keep.length] = unknown;
          keep.push(r);
        }
      }
      const kept = keep.length === b.numRows ? b : b.gather(Int32Array.from(keep));
      const col = new ColumnVector(DoubleType, keep.length, out.subarray(0, keep.length), null);
      return new RecordBatch(schema, [...kept.columns, col], keep.length);
    };
    return mapBatches(dataset, schema, fn, `StringIndexerModel ${uid} ${name} -> ${this.getOutputCol()}`);
  }

  copy(extra?: ParamMap | Record<string, unknown>): StringIndexerModel {
    const m = this.copyValues(new StringIndexerModel({ uid: this.uid, labels: this.labels }), extra);
    m.parent = this.parent;
    return m;
  }

  override async save(path: string, options?: StageSaveOptions): Promise<void> {
    const data = new Map([['data/labels.json', encodeJsonData({ labels: this.labels })]]);
    await saveStage(path, STRING_INDEXER_MODEL_CLASS, MODEL_FORMAT, this, {}, data, options);
  }

  static async load(path: string, options?: StageLoadOptions): Promise<StringIndexerModel> {
    const { meta, read } = await loadStageMetadata(path, STRING_INDEXER_MODEL_CLASS, [MODEL_FORMAT], options);
    const where = `${path}/data/labels.json`;
    const data = parseJsonData(await read('data/labels.json'), where) as { labels?: unknown } | null;
    const labels = data?.labels;
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) {
      throw new EddyError('CORRUPT_DATA', `cannot load the model: ${where} has no "labels" array of strings`);
    }
    const m = new StringIndexerModel({ uid: meta.uid, labels: labels as string[] });
    return m.restoreParamMaps(meta.paramMap, meta.defaultParamMap);
  }
}

registerStage(STRING_INDEXER_MODEL_CLASS, (p, o) => StringIndexerModel.load(p, o));
registerStage('eddy.ml.StringIndexer', (p, o) => StringIndexer.load(p, o));
