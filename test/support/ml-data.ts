import { seededRandom } from '../../src/common/random.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledDataset } from '../../src/common/paths.js';

export interface Columns {
  features: Float64Array[];
  labels: Float64Array;
}

/** iris.data parsed: four feature columns, labels 0/1/2 in order of appearance (setosa, versicolor, virginica). */
export function loadIris(): Columns & { classes: string[] } {
  const rows = readFileSync(join(bundledDataset('iris'), 'iris.data'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(','));
  const classes = [...new Set(rows.map((r) => r[4]!))];
  return {
    classes,
    features: [0, 1, 2, 3].map((f) => Float64Array.from(rows, (r) => Number(r[f]))),
    labels: Float64Array.from(rows, (r) => classes.indexOf(r[4]!)),
  };
}

/** A seeded generator for test data. */
export const rng = seededRandom;

/** Row-major copy for libraries that take arrays of rows. */
export function toRows(features: readonly Float64Array[]): number[][] {
  const n = features[0]!.length;
  return Array.from({ length: n }, (_, r) => features.map((c) => c[r]!));
}

export function accuracy(pred: ArrayLike<number>, labels: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
  return ok / labels.length;
}

/** Splits columns into `k` contiguous partitions. */
export function partition(cols: Columns, k: number): Columns[] {
  const n = cols.labels.length;
  const out: Columns[] = [];
  for (let i = 0; i < k; i++) {
    const s = Math.floor((i * n) / k);
    const e = Math.floor(((i + 1) * n) / k);
    out.push({ features: cols.features.map((c) => c.slice(s, e)), labels: cols.labels.slice(s, e) });
  }
  return out;
}
