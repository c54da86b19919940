import { EddyError } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { DoubleType, type StructType } from '../../dataframe/types.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import { appendFields, inputField, mlField, NUMERIC_KINDS, toDouble } from '../pipeline/schema-utils.js';
import { paramsOnlyLoader, registerStage } from '../pipeline/stage-registry.js';
import { Estimator } from '../pipeline/stage.js';
import { Bucketizer } from './bucketizer.js';
import { inputColParam, outputColParam } from '../param/shared-params.js';

export interface QuantileDiscretizerOptions {
  uid?: string;
  inputCol?: string;
  outputCol?: string;
  numBuckets?: number;
  relativeError?: number;
  handleInvalid?: 'error' | 'skip' | 'keep';
}

/**
 * Spark's QuantileDiscretizer: fits a Bucketizer whose splits are the column's i/numBuckets quantiles, with
 * -Infinity and Infinity at the ends and duplicates removed (fewer buckets then, as Spark warns). Quantiles are
 * exact here — the value at rank ceil(q·n), which is what Spark's approxQuantile returns when it keeps every
 * sample; relativeError is accepted for compatibility. NaN and null are left out when fitting.
 */
export class QuantileDiscretizer extends Estimator<Bucketizer> {
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly numBuckets = this.declare<number>('numBuckets', {
    doc: 'Number of buckets (quantiles, or categories) into which data points are grouped. Must be >= 2.',
    kind: 'int',
    validator: V.integer(V.gtEq(2)),
    default: 2,
  });
  readonly relativeError = this.declare<number>('relativeError', {
    doc: 'The relative target precision for the approximate quantile algorithm. Must be in the range [0, 1]',
    kind: 'double',
    validator: V.inRange(0, 1),
    default: 0.001,
  });
  readonly handleInvalid = this.declare<string>('handleInvalid', {
    doc: 'how to handle invalid entries. Options are skip (filter out rows with invalid values), error (throw an error), or keep (keep invalid values in a special additional bucket).',
    kind: 'string',
    validator: V.inArray(['skip', 'error', 'keep']),
    default: 'error',
  });

  constructor(options: QuantileDiscretizerOptions = {}) {
    super(options.uid ?? randomUID('QuantileDiscretizer'));
    this.applyOptions(options);
  }

  private input(): string {
    if (!this.isDefined(this.inputCol)) throw new EddyError('INVALID_ARGUMENT', `${this.uid}: inputCol is not set`);
    return this.getOrDefault(this.inputCol);
  }

  transformSchema(schema: StructType): StructType {
    inputField(this, schema, 'inputCol', this.input(), NUMERIC_KINDS);
    return appendFields(this, schema, [mlField(this.getOrDefault(this.outputCol), DoubleType, false)]);
  }

  async fit(dataset: DataFrame): Promise<Bucketizer> {
    this.transformSchema(dataset.schema);
    const field = inputField(this, dataset.schema, 'inputCol', this.input(), NUMERIC_KINDS);
    const values: number[] = [];
    for await (const b of dataset.select(field.name).batches()) {
      const c = b.column(0);
      for (let r = 0; r < b.numRows; r++) {
        const x = toDouble(c.get(r));
        if (x !== null && !Number.isNaN(x)) values.push(x);
      }
    }
    if (values.length === 0) {
      throw new EddyError('INVALID_ARGUMENT', `${this.uid}: column '${field.name}' has no values to take quantiles of`);
    }
    const sorted = Float64Array.from(values).sort();
    const k = this.getOrDefault(this.numBuckets);
    const cuts: number[] = [];
    for (let i = 1; i < k; i++) {
      const v = sorted[Math.max(0, Math.ceil((i / k) * sorted.length) - 1)]!;
      if (cuts.length === 0 || v > cuts[cuts.length - 1]!) cuts.push(v);
    }
    const splits = [-Infinity, ...cuts.filter((v) => Number.isFinite(v)), Infinity];
    if (splits.length - 1 < k) {
      getLogger('ml').warn(`${this.uid}: some quantiles were identical; ${splits.length - 1} buckets instead of ${k}`);
    }
    return new Bucketizer({
      uid: this.uid,
      inputCol: this.input(),
      outputCol: this.getOrDefault(this.outputCol),
      handleInvalid: this.getOrDefault(this.handleInvalid) as 'error',
      splits: splits.length >= 3 ? splits : [-Infinity, sorted[0]!, Infinity],
    });
  }

  copy(extra?: ParamMap | Record<string, unknown>): QuantileDiscretizer {
    return this.copyValues(new QuantileDiscretizer({ uid: this.uid }), extra);
  }

  static readonly load = paramsOnlyLoader('eddy.ml.QuantileDiscretizer', (uid) => new QuantileDiscretizer({ uid }));
}

registerStage('eddy.ml.QuantileDiscretizer', (p, o) => QuantileDiscretizer.load(p, o));
