import { EddyError } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import { NUMERIC_KINDS, toDouble } from '../pipeline/schema-utils.js';
import { Evaluator } from './evaluator.js';
import { labelColParam, predictionColParam, weightColParam } from '../param/shared-params.js';

export const MULTICLASS_METRICS = ['f1', 'accuracy', 'weightedPrecision', 'weightedRecall'] as const;

export interface MulticlassClassificationEvaluatorOptions {
  uid?: string;
  metricName?: (typeof MULTICLASS_METRICS)[number];
  labelCol?: string;
  predictionCol?: string;
  weightCol?: string;
}

/**
 * Spark's MulticlassClassificationEvaluator: f1 (default), accuracy, weightedPrecision, weightedRecall from the
 * (weighted) confusion counts. Weighted metrics average per-label values by the label's share of the rows;
 * a label never predicted has precision 0, as in Spark.
 */
export class MulticlassClassificationEvaluator extends Evaluator {
  readonly metricName = this.declare<string>('metricName', {
    doc: 'metric name in evaluation (f1|accuracy|weightedPrecision|weightedRecall)',
    kind: 'string',
    validator: V.inArray<string>([...MULTICLASS_METRICS]),
    default: 'f1',
  });
  readonly labelCol = this.declare<string>('labelCol', labelColParam);
  readonly predictionCol = this.declare<string>('predictionCol', predictionColParam);
  readonly weightCol = this.declare<string>('weightCol', weightColParam);

  constructor(options: MulticlassClassificationEvaluatorOptions = {}) {
    super(options.uid ?? randomUID('MulticlassClassificationEvaluator'));
    this.applyOptions(options);
  }

  getMetricName(): string {
    return this.getOrDefault(this.metricName);
  }
  setMetricName(value: (typeof MULTICLASS_METRICS)[number]): this {
    return this.set(this.metricName, value);
  }

  isLargerBetter(): boolean {
    return true;
  }

  async evaluate(dataset: DataFrame): Promise<number> {
    const w = this.get(this.weightCol) ?? '';
    const cols = [
      { param: 'predictionCol', name: this.getOrDefault(this.predictionCol), kinds: NUMERIC_KINDS },
      { param: 'labelCol', name: this.getOrDefault(this.labelCol), kinds: NUMERIC_KINDS },
      ...(w !== '' ? [{ param: 'weightCol', name: w, kinds: NUMERIC_KINDS }] : []),
    ];
    const byLabel = new Map<number, number>();
    const byPrediction = new Map<number, number>();
    const truePositives = new Map<number, number>();
    let total = 0;
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
        total += wt;
        byLabel.set(y, (byLabel.get(y) ?? 0) + wt);
        byPrediction.set(p, (byPrediction.get(p) ?? 0) + wt);
        if (p === y) truePositives.set(y, (truePositives.get(y) ?? 0) + wt);
      }
    }
    if (total === 0) throw new EddyError('INVALID_ARGUMENT', `${this.uid}: the DataFrame has no rows to evaluate`);
    const metric = this.getMetricName();
    let sum = 0;
    for (const [label, n] of byLabel) {
      const tp = truePositives.get(label) ?? 0;
      const predicted = byPrediction.get(label) ?? 0;
      const precision = predicted === 0 ? 0 : tp / predicted;
      const recall = tp / n;
      const share = n / total;
      if (metric === 'accuracy') sum += tp / total;
      else if (metric === 'weightedPrecision') sum += share * precision;
      else if (metric === 'weightedRecall') sum += share * recall;
      else sum += share * (precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall));
    }
    return sum;
  }

  copy(extra?: ParamMap | Record<string, unknown>): MulticlassClassificationEvaluator {
    return this.copyValues(new MulticlassClassificationEvaluator({ uid: this.uid }), extra);
  }
}
