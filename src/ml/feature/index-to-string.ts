import { EddyError, describeValue } from '../../common/errors.js';
import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnBuilder } from '../../dataframe/column-vector.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { StringType, type StructType } from '../../dataframe/types.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import { appendFields, inputField, mlField, NUMERIC_KINDS, toDouble } from '../pipeline/schema-utils.js';
import { paramsOnlyLoader, registerStage } from '../pipeline/stage-registry.js';
import { Transformer } from '../pipeline/stage.js';
import { mapBatches } from '../pipeline/transform-plan.js';
import { inputColParam, outputColParam } from '../param/shared-params.js';

export interface IndexToStringOptions {
  uid?: string;
  inputCol?: string;
  outputCol?: string;
  labels?: string[];
}

/**
 * Spark's IndexToString: label indices back to labels, taken from the `labels` param or else from the input
 * column's ML metadata (set by StringIndexerModel). An index outside the labels is an error; null stays null.
 */
export class IndexToString extends Transformer {
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly labels = this.declare<string[]>('labels', {
    doc: 'Optional array of labels specifying index-string mapping. If not provided or if empty, then metadata from inputCol is used instead.',
    kind: 'stringArray',
    validator: V.stringArray(false),
  });

  constructor(options: IndexToStringOptions = {}) {
    super(options.uid ?? randomUID('IndexToString'));
    this.applyOptions(options);
  }

  private input(): string {
    if (!this.isDefined(this.inputCol)) {
      throw new EddyError('INVALID_ARGUMENT', `${this.uid}: inputCol is not set; give the column of label indices`);
    }
    return this.getOrDefault(this.inputCol);
  }

  transformSchema(schema: StructType): StructType {
    inputField(this, schema, 'inputCol', this.input(), NUMERIC_KINDS);
    return appendFields(this, schema, [mlField(this.getOrDefault(this.outputCol), StringType, true)]);
  }

  transform(dataset: DataFrame): DataFrame {
    const schema = this.transformSchema(dataset.schema);
    const name = this.input();
    const field = inputField(this, dataset.schema, 'inputCol', name, NUMERIC_KINDS);
    const given = this.get(this.labels);
    const labels = given !== undefined && given.length > 0 ? given : field.metadata?.ml_attr?.vals;
    if (labels === undefined) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${this.uid}: column '${name}' carries no labels (it was not made by a StringIndexerModel in this pipeline); set the labels param, e.g. labels: indexerModel.labels`,
      );
    }
    const i = dataset.schema.indexOf(name);
    const uid = this.uid;
    const fn = (b: RecordBatch): RecordBatch => {
      const c = b.column(i);
      const out = new ColumnBuilder(StringType, b.numRows);
      for (let r = 0; r < b.numRows; r++) {
        const d = toDouble(c.get(r));
        if (d === null) {
          out.appendNull();
          continue;
        }
        if (!Number.isInteger(d) || d < 0 || d >= labels.length) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `${uid}: unseen index ${describeValue(d)} in column '${name}'; there are ${labels.length} labels (indices 0 to ${labels.length - 1})`,
          );
        }
        out.append(labels[d]);
      }
      return new RecordBatch(schema, [...b.columns, out.finish()], b.numRows);
    };
    return mapBatches(dataset, schema, fn, `IndexToString ${uid} ${name} -> ${this.getOrDefault(this.outputCol)}`);
  }

  copy(extra?: ParamMap | Record<string, unknown>): IndexToString {
    return this.copyValues(new IndexToString({ uid: this.uid }), extra);
  }

  static readonly load = paramsOnlyLoader('eddy.ml.IndexToString', (uid) => new IndexToString({ uid }));
}

registerStage('eddy.ml.IndexToString', (p, o) => IndexToString.load(p, o));
