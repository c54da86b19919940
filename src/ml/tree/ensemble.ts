import { formatJavaDouble } from '../param/java-double.js';
import { normalizeInPlace, type FlatTree } from './flat-tree.js';

/** Spark's TreeEnsembleModel.featureImportances: each tree's vector normalized, summed, normalized again. */
export function ensembleFeatureImportances(trees: readonly FlatTree[], numFeatures: number): Float64Array {
  const total = new Float64Array(numFeatures);
  for (const t of trees) {
    const imp = t.featureImportances(numFeatures);
    for (let f = 0; f < numFeatures; f++) total[f]! += imp[f]!;
  }
  normalizeInPlace(total);
  return total;
}

/** Spark's TreeEnsembleModel.toDebugString: the header, then "  Tree i (weight w):" and each tree at indent 4. */
export function ensembleDebugString(header: string, trees: readonly FlatTree[], weights: readonly number[]): string {
  let out = `${header}\n`;
  trees.forEach((t, i) => {
    out += `  Tree ${i} (weight ${formatJavaDouble(weights[i] ?? 1)}):\n${t.subtreeToString(4)}`;
  });
  return out;
}
