import { EddyError } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import { NUMERIC_KINDS, toDouble } from '../pipeline/schema-utils.js';
import { Evaluator } from './evaluator.js';
import { labelColParam, predictionColParam, weightColParam } from '../param/shared-params.js';

export const REGRESSION_METRICS = ['rmse', 'mse', 'mae', 'r2'] as const;

export interface RegressionEvaluatorOptions {
  uid?: string;
  metricName?: (typeof REGRESSION_METRICS)[number];
  labelCol?: string;
  predictionCol?: string;
  weightCol?: string;
}

/** Spark's RegressionEvaluator: rmse (default), mse, mae, r2 — optionally weighted. */
export class RegressionEvaluator extends Evaluator {
  readonly metricName = this.declare<string>('metricName', {
    doc: 'metric name in evaluation (mse|rmse|r2|mae)',
    kind: 'string',
    validator: V.inArray<string>([...REGRESSION_METRICS]),
    default: 'rmse',
  });
  readonly labelCol = this.declare<string>('labelCol', labelColParam);
  readonly predictionCol = this.declare<string>('predictionCol', predictionColParam);
  readonly weightCol = this.declare<string>('weightCol', weightColParam);

  constructor(options: RegressionEvaluatorOptions = {}) {
    super(options.uid ?? randomUID('RegressionEvaluator'));
    this.applyOptions(options);
  }

  getMetricName(): string {
    return this.getOrDefault(this.metricName);
  }
  setMetricName(value: (typeof REGRESSION_METRICS)[number]): this {
    return this.set(this.metricName, value);
  }

  isLargerBetter(): boolean {
    return this.getMetricName() === 'r2';
  }

  async evaluate(dataset: DataFrame): Promise<number> {
    const w = this.get(this.weightCol) ?? '';
    const cols = [
      { param: 'predictionCol', name: this.getOrDefault(this.predictionCol), kinds: NUMERIC_KINDS },
      { param: 'labelCol', name: this.getOrDefault(this.labelCol), kinds: NUMERIC_KINDS },
      ...(w !== '' ? [{ param: 'weightCol', name: w, kinds: NUMERIC_KINDS }] : []),
    ];
    let n = 0;
    let sumY = 0;
    let sumY2 = 0;
    let sse = 0;
    let sae = 0;
    for await (const b of this.columns(dataset, cols)) {
      for (let r = 0; r < b.numRows; r++) {
        const p = toDouble(b.column(0).get(r));
        const y = toDouble(b.column(1).get(r));
        const wt = cols.length > 2 ? toDouble(b.column(2).get(r)) : 1;
        if (p === null || y === null || wt === null) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `${this.uid}: a null prediction, label or weight; drop such rows before evaluating`,
          );
        }
        n += wt;
        sumY += wt * y;
        sumY2 += wt * y * y;
        sse += wt * (p - y) * (p - y);
        sae += wt * Math.abs(p - y);
      }
    }
    if (n === 0) throw new EddyError('INVALID_ARGUMENT', `${this.uid}: the DataFrame has no rows to evaluate`);
    switch (this.getMetricName()) {
      case 'mse':
        return sse / n;
      case 'mae':
        return sae / n;
      case 'r2': {
        const sst = sumY2 - (sumY * sumY) / n;
        return 1 - sse / sst;
      }
      default:
        return Math.sqrt(sse / n);
    }
  }

  copy(extra?: ParamMap | Record<string, unknown>): RegressionEvaluator {
    return this.copyValues(new RegressionEvaluator({ uid: this.uid }), extra);
  }
}
