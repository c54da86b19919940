import { EddyError } from '../../common/errors.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { Vector } from '../../dataframe/vector.js';
import { randomUID } from '../param/identifiable.js';
import type { ParamMap } from '../param/param.js';
import { ParamValidators as V } from '../param/validators.js';
import { NUMERIC_KINDS, toDouble } from '../pipeline/schema-utils.js';
import { Evaluator } from './evaluator.js';
import { labelColParam, weightColParam } from '../param/shared-params.js';

export const BINARY_METRICS = ['areaUnderROC', 'areaUnderPR'] as const;

export interface BinaryClassificationEvaluatorOptions {
  uid?: string;
  metricName?: (typeof BINARY_METRICS)[number];
  labelCol?: string;
  rawPredictionCol?: string;
  weightCol?: string;
}

/**
 * Spark's BinaryClassificationEvaluator: area under the ROC curve (default) or the precision-recall curve, from
 * the score rawPrediction[1] (or a double column) against labels 0/1. Exact curves: one point per distinct score,
 * (Spark down-samples to numBins only for very many distinct scores). The PR curve starts at (0, precision at the
 * highest score), as Spark's.
 */
export class BinaryClassificationEvaluator extends Evaluator {
  readonly metricName = this.declare<string>('metricName', {
    doc: 'metric name in evaluation (areaUnderROC|areaUnderPR)',
    kind: 'string',
    validator: V.inArray<string>([...BINARY_METRICS]),
    default: 'areaUnderROC',
  });
  readonly labelCol = this.declare<string>('labelCol', labelColParam);
  readonly rawPredictionCol = this.declare<string>('rawPredictionCol', {
    doc: 'raw prediction (a.k.a. confidence) column name',
    kind: 'string',
    validator: V.nonEmptyString(),
    default: 'rawPrediction',
  });
  readonly weightCol = this.declare<string>('weightCol', weightColParam);

  constructor(options: BinaryClassificationEvaluatorOptions = {}) {
    super(options.uid ?? randomUID('BinaryClassificationEvaluator'));
    this.applyOptions(options);
  }

  getMetricName(): string {
    return this.getOrDefault(this.metricName);
  }
  setMetricName(value: (typeof BINARY_METRICS)[number]): this {
    return this.set(this.metricName, value);
  }

  isLargerBetter(): boolean {
    return true;
  }

  async evaluate(dataset: DataFrame): Promise<number> {
    const w = this.get(this.weightCol) ?? '';
    const cols = [
      {
        param: 'rawPredictionCol',
        name: this.getOrDefault(this.rawPredictionCol),
        kinds: ['vector', ...NUMERIC_KINDS] as const,
      },
      { param: 'labelCol', name: this.getOrDefault(this.labelCol), kinds: NUMERIC_KINDS },
      ...(w !== '' ? [{ param: 'weightCol', name: w, kinds: NUMERIC_KINDS }] : []),
    ];
    // score → [positive weight, negative weight]
    const byScore = new Map<number, [number, number]>();
    for await (const b of this.columns(dataset, cols)) {
      for (let r = 0; r < b.numRows; r++) {
        const raw = b.column(0).get(r);
        const score = raw instanceof Vector ? raw.get(1) : toDouble(raw);
        const y = toDouble(b.column(1).get(r));
        const wt = cols.length > 2 ? toDouble(b.column(2).get(r)) : 1;
        if (score === null || y === null || wt === null) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `${this.uid}: a null score, label or weight; drop such rows before evaluating`,
          );
        }
        if (y !== 0 && y !== 1) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `${this.uid}: label ${y} is not 0 or 1; binary evaluation needs labels 0/1`,
          );
        }
        const e = byScore.get(score) ?? [0, 0];
        e[y === 1 ? 0 : 1] += wt;
        byScore.set(score, e);
      }
    }
    const scores = [...byScore.keys()].sort((a, b) => b - a);
    let P = 0;
    let N = 0;
    for (const [pos, neg] of byScore.values()) {
      P += pos;
      N += neg;
    }
    if (P + N === 0) throw new EddyError('INVALID_ARGUMENT', `${this.uid}: the DataFrame has no rows to evaluate`);
    let tp = 0;
    let fp = 0;
    let area = 0;
    if (this.getMetricName() === 'areaUnderROC') {
      let x0 = 0;
      let y0 = 0;
      for (const s of scores) {
        const [pos, neg] = byScore.get(s)!;
        tp += pos;
        fp += neg;
        const x1 = N === 0 ? 0 : fp / N;
        const y1 = P === 0 ? 0 : tp / P;
        area += ((x1 - x0) * (y0 + y1)) / 2;
        x0 = x1;
        y0 = y1;
      }
      area += ((1 - x0) * (y0 + 1)) / 2;
      return area;
    }
    let r0 = 0;
    let p0 = -1;
    for (const s of scores) {
      const [pos, neg] = byScore.get(s)!;
      tp += pos;
      fp += neg;
      const r1 = P === 0 ? 0 : tp / P;
      const p1 = tp + fp === 0 ? 1 : tp / (tp + fp);
      if (p0 < 0) p0 = p1;
      area += ((r1 - r0) * (p0 + p1)) / 2;
      r0 = r1;
      p0 = p1;
    }
    return area;
  }

  copy(extra?: ParamMap | Record<string, unknown>): BinaryClassificationEvaluator {
    return this.copyValues(new BinaryClassificationEvaluator({ uid: this.uid }), extra);
  }
}
