import { EddyError } from '../../common/errors.js';
import type { ColumnVector } from '../../dataframe/column-vector.js';
import type { DataFrame } from '../../dataframe/dataframe.js';
import { Vector } from '../../dataframe/vector.js';
import type { TrainingPartition } from '../tree/training-data.js';
import { categoricalFeaturesOf, type MLField } from '../pipeline/schema-utils.js';
import { toDouble } from '../pipeline/schema-utils.js';
import { colName, predictorSchema, type PredictorColumns } from './predictor-schema.js';

export interface TrainingData {
  partitions: TrainingPartition[];
  /** Classes named by the label column's metadata (StringIndexer labels), if it has any. */
  numClassesFromMetadata?: number;
  /** Categorical features named by the features column's metadata (index → number of categories), if any. */
  categoricalFeatures?: Map<number, number>;
}

/**
 * Copies vector values into column-major Float64Arrays: row r's feature f at columns[f][offset + r]. A null or
 * wrongly sized vector is an error naming the column.
 */
export function unpackFeatures(
  col: ColumnVector,
  numRows: number,
  columns: Float64Array[],
  offset: number,
  name: string,
  owner: string,
): void {
  const n = columns.length;
  for (let r = 0; r < numRows; r++) {
    const v = col.get(r);
    if (!(v instanceof Vector)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${owner}: features column '${name}' has a null vector; drop or fill such rows first (e.g. VectorAssembler handleInvalid "skip")`,
      );
    }
    if (v.size !== n) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${owner}: features column '${name}' has a vector of size ${v.size} where ${n} features were expected; all feature vectors must have the same size`,
      );
    }
    const arr = v.toArray();
    for (let f = 0; f < n; f++) columns[f]![offset + r] = arr[f]!;
  }
}

function firstVectorSize(col: ColumnVector, numRows: number): number | undefined {
  for (let r = 0; r < numRows; r++) {
    const v = col.get(r);
    if (v instanceof Vector) return v.size;
  }
  return undefined;
}

/**
 * One TrainingPartition per DataFrame partition: only the features, label and weight columns are read, one
 * partition at a time, and each partition's vectors are unpacked into Float64Array feature columns.
 */
export async function trainingPartitions(stage: PredictorColumns, dataset: DataFrame): Promise<TrainingData> {
  predictorSchema(stage, dataset.schema, true);
  const featuresName = stage.getOrDefault(stage.featuresCol);
  const labelName = stage.getOrDefault(stage.labelCol);
  const weightName = colName(stage, stage.weightCol);
  const names = [featuresName, labelName, ...(weightName !== '' ? [weightName] : [])];
  const pruned = dataset.select(...names.map((n) => dataset.schema.fields[dataset.schema.indexOf(n)]!.name));
  const labelField = dataset.schema.fields[dataset.schema.indexOf(labelName)] as MLField;
  const vals = labelField.metadata?.ml_attr?.vals;
  let numFeatures: number | undefined;
  const out: TrainingPartition[] = [];
  for (const part of await pruned.plan.partitions()) {
    const batches = [];
    let rows = 0;
    for await (const b of part()) {
      if (b.numRows === 0) continue;
      batches.push(b);
      rows += b.numRows;
      numFeatures ??= firstVectorSize(b.column(0), b.numRows);
    }
    if (rows === 0) continue;
    const features = Array.from({ length: numFeatures ?? 0 }, () => new Float64Array(rows));
    const labels = new Float64Array(rows);
    const weights = weightName !== '' ? new Float64Array(rows) : undefined;
    let offset = 0;
    for (const b of batches) {
      unpackFeatures(b.column(0), b.numRows, features, offset, featuresName, stage.uid);
      for (const [k, target, name] of [
        [1, labels, labelName],
        [2, weights, weightName],
      ] as const) {
        if (target === undefined) continue;
        const c = b.column(k);
        for (let r = 0; r < b.numRows; r++) {
          const d = toDouble(c.get(r));
          if (d === null) {
            throw new EddyError(
              'INVALID_ARGUMENT',
              `${stage.uid}: column '${name}' has a null value; drop or fill such rows before fitting`,
            );
          }
          target[offset + r] = d;
        }
      }
      offset += b.numRows;
    }
    out.push(weights === undefined ? { features, labels } : { features, labels, weights });
  }
  if (out.length === 0) {
    throw new EddyError('INVALID_ARGUMENT', `${stage.uid}: the training DataFrame has no rows; nothing to fit`);
  }
  const data: TrainingData = { partitions: out };
  if (vals !== undefined) data.numClassesFromMetadata = vals.length;
  const featuresField = dataset.schema.fields[dataset.schema.indexOf(featuresName)] as MLField;
  const categorical = categoricalFeaturesOf(featuresField);
  if (categorical.size > 0) data.categoricalFeatures = categorical;
  return data;
}
