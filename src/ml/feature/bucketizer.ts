import { EddyError, describeValue } from '../../common/errors.js';
import { RecordBatch } from '../../dataframe/batch.js';
import { ColumnVector } from '../../dataframe/column-vector.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { DoubleType, type StructType } from '../../dataframe/types.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V, type ParamValidator } from '../param/validators.js';
import { appendFields, inputField, mlField, NUMERIC_KINDS, toDouble } from '../pipeline/schema-utils.js';
import { paramsOnlyLoader, registerStage } from '../pipeline/stage-registry.js';
import { Transformer } from '../pipeline/stage.js';
import { mapBatches } from '../pipeline/transform-plan.js';
import { inputColParam, outputColParam } from '../param/shared-params.js';

export interface BucketizerOptions {
  uid?: string;
  inputCol?: string;
  outputCol?: string;
  splits?: number[];
  handleInvalid?: 'error' | 'skip' | 'keep';
}

const splitsValidator: ParamValidator<number[]> = Object.assign(
  (v: number[]) =>
    Array.isArray(v) &&
    v.length >= 3 &&
    v.every((x, i) => typeof x === 'number' && !Number.isNaN(x) && (i === 0 || x > v[i - 1]!)),
  { description: 'an array of at least 3 strictly increasing numbers (-Infinity and Infinity allowed at the ends)' },
);

/** Index of the bucket holding x: [s0, s1), [s1, s2), ..., [s(n-1), sn] (the last bucket includes its upper end). */
export function bucketOf(splits: readonly number[], x: number): number {
  const last = splits.length - 1;
  if (x === splits[last]) return last - 1;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x < splits[mid]!) hi = mid;
    else lo = mid;
  }
  return lo;
}

/**
 * Spark's Bucketizer: a continuous column to bucket indices by `splits`. A value outside [s0, sn] is an error;
 * NaN and null follow handleInvalid: "error" (default), "skip" (drop the row) or "keep" (an extra bucket, index
 * numBuckets).
 */
export class Bucketizer extends Transformer {
  readonly inputCol = this.declare<string>('inputCol', inputColParam);
  readonly outputCol = this.declare<string>('outputCol', outputColParam(this.uid));
  readonly splits = this.declare<number[]>('splits', {
    doc:
      'Split points for mapping continuous features into buckets. With n+1 splits, there are n buckets. A bucket defined by ' +
      'splits x,y holds values in the range [x,y) except the last bucket, which also includes y. The splits should be of ' +
      'length >= 3 and strictly increasing. Values at -inf, inf must be explicitly provided to cover all Double values; ' +
      'otherwise, values outside the splits specified will be treated as errors.',
    kind: 'doubleArray',
    validator: splitsValidator,
  });
  readonly handleInvalid = this.declare<string>('handleInvalid', {
    doc:
      "how to handle invalid entries containing NaN values. Values outside the splits will always be treated as errors. Options are 'skip' " +
      "(filter out rows with invalid values), 'error' (throw an error), or 'keep' (keep invalid values in a special additional bucket).",
    kind: 'string',
    validator: V.inArray(['skip', 'error', 'keep']),
    default: 'error',
  });

  constructor(options: BucketizerOptions = {}) {
    super(options.uid ?? randomUID('Bucketizer'));
    this.applyOptions(options);
  }

  transformSchema(schema: StructType): StructType {
    if (!this.isDefined(this.inputCol)) throw new EddyError('INVALID_ARGUMENT', `${this.uid}: inputCol is not set`);
    if (!this.isDefined(this.splits))
      throw new EddyError('INVALID_ARGUMENT', `${this.uid}: splits is not set; give at least 3 split points`);
    inputField(this, schema, 'inputCol', this.getOrDefault(this.inputCol), NUMERIC_KINDS);
    return appendFields(this, schema, [mlField(this.getOrDefault(this.outputCol), DoubleType, false)]);
  }

  transform(dataset: DataFrame): DataFrame {
    const schema = this.transformSchema(dataset.schema);
    const name = this.getOrDefault(this.inputCol);
    const i = dataset.schema.indexOf(name);
    const splits = this.getOrDefault(this.splits);
    const mode = this.getOrDefault(this.handleInvalid);
    const uid = this.uid;
    const fn = (b: RecordBatch): RecordBatch => {
      const c = b.column(i);
      const out = new Float64Array(b.numRows);
      const keep: number[] = [];
      for (let r = 0; r < b.numRows; r++) {
        const x = toDouble(c.get(r));
        if (x === null || Number.isNaN(x)) {
          if (mode === 'error') {
            throw new EddyError(
              'INVALID_ARGUMENT',
              `${uid}: Bucketizer encountered ${x === null ? 'null' : 'NaN'} in column '${name}'; set handleInvalid to "skip" or "keep"`,
            );
          }
          if (mode === 'keep') {
            out[keep.length] = splits.length - 1;
            keep.push(r);
          }
          continue;
        }
        if (x < splits[0]! || x > splits[splits.length - 1]!) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `${uid}: feature value ${describeValue(x)} in column '${name}' is out of the Bucketizer bounds [${splits[0]}, ${splits[splits.length - 1]}]; check your features, or loosen the lower/upper bound (e.g. -Infinity, Infinity)`,
          );
        }
        out[keep.length] = bucketOf(splits, x);
        keep.push(r);
      }
      const kept = keep.length === b.numRows ? b : b.gather(Int32Array.from(keep));
      return new RecordBatch(
        schema,
        [...kept.columns, new ColumnVector(DoubleType, keep.length, out.subarray(0, keep.length), null)],
        keep.length,
      );
    };
    return mapBatches(dataset, schema, fn, `Bucketizer ${uid} ${name}`);
  }

  copy(extra?: ParamMap | Record<string, unknown>): Bucketizer {
    return this.copyValues(new Bucketizer({ uid: this.uid }), extra);
  }

  static readonly load = paramsOnlyLoader('eddy.ml.Bucketizer', (uid) => new Bucketizer({ uid }));
}

registerStage('eddy.ml.Bucketizer', (p, o) => Bucketizer.load(p, o));
