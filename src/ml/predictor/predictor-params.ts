import type { Param } from '../param/param.js';
import { featuresColParam, labelColParam, predictionColParam } from '../param/shared-params.js';
import { ParamValidators as V } from '../param/validators.js';
import { PipelineStage } from '../pipeline/stage.js';

/**
 * Spark's PredictorParams: featuresCol, labelCol and predictionCol with their accessors, the base of every
 * predictor's params (estimators and models alike, as in Spark).
 */
export abstract class PredictorParams extends PipelineStage {
  readonly featuresCol: Param<string> = this.declare<string>('featuresCol', featuresColParam);
  readonly labelCol: Param<string> = this.declare<string>('labelCol', labelColParam);
  // An empty name leaves the column out of transform's output, as in Spark.
  readonly predictionCol: Param<string> = this.declare<string>('predictionCol', {
    ...predictionColParam,
    validator: V.string(),
  });

  getFeaturesCol(): string {
    return this.getOrDefault(this.featuresCol);
  }
  setFeaturesCol(value: string): this {
    return this.set(this.featuresCol, value);
  }
  getLabelCol(): string {
    return this.getOrDefault(this.labelCol);
  }
  setLabelCol(value: string): this {
    return this.set(this.labelCol, value);
  }
  getPredictionCol(): string {
    return this.getOrDefault(this.predictionCol);
  }
  setPredictionCol(value: string): this {
    return this.set(this.predictionCol, value);
  }
}
