import { EddyError } from '../../common/errors.js';
import { formatJavaDouble } from '../param/java-double.js';

/** The fields of a tree as parallel arrays, nodes in preorder (root 0, then the left subtree, then the right). */
export interface FlatTreeArrays {
  /** Split feature, -1 for a leaf. */
  feature: Int32Array;
  /** A row goes left when value <= threshold (NaN goes right). */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  prediction: Float64Array;
  impurity: Float64Array;
  /** Information gain of the split; 0 for leaves. */
  gain: Float64Array;
  /** Rows (with bootstrap multiplicity) that reached the node during training. */
  rawCount: Float64Array;
  /** Per node `statsSize` values: class weights (classification) or [w, w·y, w·y²] (regression). */
  stats: Float64Array;
  /** Present when some node splits on a categorical feature. */
  categorical?: CategoricalSplits;
}

/**
 * Categorical splits, per node: `arity` (0 for a continuous split or a leaf) and `offset` (-1 likewise) into
 * `mask`, which holds arity bytes per categorical node, 1 for a category that goes left. A value that is not one
 * of the categories 0 .. arity-1 goes right, as in Spark (`categories.contains(value)`).
 */
export interface CategoricalSplits {
  arity: Int32Array;
  offset: Int32Array;
  mask: Uint8Array;
}

/**
 * A trained tree in flat arrays: prediction is a tight loop of array reads, and the arrays are what gets saved.
 * numClasses is 0 for regression trees.
 */
export class FlatTree {
  readonly statsSize: number;

  constructor(
    readonly arrays: FlatTreeArrays,
    readonly numClasses: number,
  ) {
    this.statsSize = numClasses > 0 ? numClasses : 3;
  }

  get numNodes(): number {
    return this.arrays.feature.length;
  }

  /** Depth of the deepest leaf; a single leaf has depth 0. */
  get depth(): number {
    const { feature, left, right } = this.arrays;
    const depthOf = new Int32Array(this.numNodes);
    let max = 0;
    // Preorder: parents come before children, so one forward sweep suffices.
    for (let i = 0; i < this.numNodes; i++) {
      if (feature[i]! >= 0) {
        depthOf[left[i]!] = depthOf[i]! + 1;
        depthOf[right[i]!] = depthOf[i]! + 1;
      } else if (depthOf[i]! > max) max = depthOf[i]!;
    }
    return max;
  }

  /** Index of the leaf a row falls into. */
  leafOf(row: ArrayLike<number>): number {
    const { feature, threshold, left, right } = this.arrays;
    let n = 0;
    for (;;) {
      const f = feature[n]!;
      if (f < 0) return n;
      n = this.goesLeft(n, row[f]!, threshold) ? left[n]! : right[n]!;
    }
  }

  private goesLeft(n: number, v: number, threshold: Float64Array): boolean {
    const cat = this.arrays.categorical;
    if (cat === undefined || cat.offset[n]! < 0) return v <= threshold[n]!;
    return v >= 0 && v < cat.arity[n]! && Number.isInteger(v) && cat.mask[cat.offset[n]! + v] === 1;
  }

  private ordinals: Int32Array | null = null;

  /**
   * Spark's predictLeaf numbering: leaves counted left to right from 0 (a leaf's rank among the leaves in
   * preorder), not the node index.
   */
  leafOrdinal(node: number): number {
    if (this.ordinals === null) {
      const ord = new Int32Array(this.numNodes).fill(-1);
      let k = 0;
      for (let i = 0; i < this.numNodes; i++) if (this.arrays.feature[i]! < 0) ord[i] = k++;
      this.ordinals = ord;
    }
    return this.ordinals[node]!;
  }

  /** Number of leaves. */
  get numLeaves(): number {
    let k = 0;
    for (const f of this.arrays.feature) if (f < 0) k++;
    return k;
  }

  predict(row: ArrayLike<number>): number {
    return this.arrays.prediction[this.leafOf(row)]!;
  }

  /** Each node's split column (leaves get column 0): saves one indirection per step in batch prediction. */
  private nodeColumns(columns: readonly Float64Array[]): Float64Array[] {
    // Array.from gives a packed array; a holey one (new Array(n)) would add a hole check to every step.
    return Array.from(this.arrays.feature, (f) => columns[Math.max(0, f)]!);
  }

  /** Leaf index of every row of column-major data. */
  leavesOfColumns(columns: readonly Float64Array[], numRows: number, out = new Int32Array(numRows)): Int32Array {
    const { feature, threshold, left, right } = this.arrays;
    const col = this.nodeColumns(columns);
    if (this.arrays.categorical !== undefined) {
      for (let r = 0; r < numRows; r++) {
        let n = 0;
        while (feature[n]! >= 0) n = this.goesLeft(n, col[n]![r]!, threshold) ? left[n]! : right[n]!;
        out[r] = n;
      }
      return out;
    }
    for (let r = 0; r < numRows; r++) {
      let n = 0;
      while (feature[n]! >= 0) n = col[n]![r]! <= threshold[n]! ? left[n]! : right[n]!;
      out[r] = n;
    }
    return out;
  }

  predictColumns(columns: readonly Float64Array[], numRows: number, out = new Float64Array(numRows)): Float64Array {
    const { feature, threshold, left, right, prediction } = this.arrays;
    if (this.arrays.categorical !== undefined) {
      this.leavesOfColumns(columns, numRows).forEach((leaf, r) => (out[r] = prediction[leaf]!));
      return out;
    }
    const col = this.nodeColumns(columns);
    for (let r = 0; r < numRows; r++) {
      let n = 0;
      while (feature[n]! >= 0) n = col[n]![r]! <= threshold[n]! ? left[n]! : right[n]!;
      out[r] = prediction[n]!;
    }
    return out;
  }

  /** Stats of a node (a view, not a copy). */
  statsOf(node: number): Float64Array {
    return this.arrays.stats.subarray(node * this.statsSize, (node + 1) * this.statsSize);
  }

  /**
   * Spark's featureImportances for one tree: each split adds gain × (weighted) node count to its feature, then
   * the vector is normalized to sum 1 (all zeros for a single leaf).
   */
  featureImportances(numFeatures: number): Float64Array {
    const imp = new Float64Array(numFeatures);
    const { feature, gain } = this.arrays;
    for (let i = 0; i < this.numNodes; i++) {
      const f = feature[i]!;
      if (f < 0) continue;
      imp[f]! += gain[i]! * this.nodeWeight(i);
    }
    normalizeInPlace(imp);
    return imp;
  }

  private nodeWeight(node: number): number {
    const s = this.statsOf(node);
    if (this.numClasses === 0) return s[0]!;
    let t = 0;
    for (let c = 0; c < this.numClasses; c++) t += s[c]!;
    return t;
  }

  /**
   * Spark's subtreeToString: "If (feature f <= t)" / "Else (feature f > t)", for categorical splits
   * "If (feature f in {0.0,2.0})" / "Else (feature f not in {0.0,2.0})", and "Predict: p", one space per level.
   */
  subtreeToString(indent: number): string {
    const { feature, threshold, left, right, prediction, categorical: cat } = this.arrays;
    const lines: string[] = [];
    const visit = (n: number, depth: number): void => {
      const prefix = ' '.repeat(depth);
      const f = feature[n]!;
      if (f < 0) {
        lines.push(`${prefix}Predict: ${formatJavaDouble(prediction[n]!)}`);
        return;
      }
      if (cat !== undefined && cat.offset[n]! >= 0) {
        const set: string[] = [];
        for (let c = 0; c < cat.arity[n]!; c++) if (cat.mask[cat.offset[n]! + c] === 1) set.push(formatJavaDouble(c));
        const list = `{${set.join(',')}}`;
        lines.push(`${prefix}If (feature ${f} in ${list})`);
        visit(left[n]!, depth + 1);
        lines.push(`${prefix}Else (feature ${f} not in ${list})`);
        visit(right[n]!, depth + 1);
        return;
      }
      const t = formatJavaDouble(threshold[n]!);
      lines.push(`${prefix}If (feature ${f} <= ${t})`);
      visit(left[n]!, depth + 1);
      lines.push(`${prefix}Else (feature ${f} > ${t})`);
      visit(right[n]!, depth + 1);
    };
    visit(0, indent);
    return lines.join('\n') + '\n';
  }

  /** Checks the arrays form one tree in preorder with in-range features; used after loading. */
  validate(numFeatures: number, where: string): void {
    const { feature, left, right } = this.arrays;
    const n = this.numNodes;
    const fail = (why: string): never => {
      throw new EddyError('CORRUPT_DATA', `${where}: tree nodes are inconsistent (${why}); re-save the model`);
    };
    if (n === 0) fail('no nodes');
    for (let i = 0; i < n; i++) {
      const f = feature[i]!;
      if (f >= numFeatures) fail(`node ${i} splits on feature ${f} of ${numFeatures}`);
      if (f >= 0 && !(left[i]! > i && left[i]! < n && right[i]! > left[i]! && right[i]! < n)) {
        fail(`node ${i} has children ${left[i]}, ${right[i]}`);
      }
    }
    const cat = this.arrays.categorical;
    if (cat !== undefined) {
      if (cat.arity.length !== n || cat.offset.length !== n) fail('categorical split arrays of the wrong length');
      for (let i = 0; i < n; i++) {
        if (cat.offset[i]! < 0) continue;
        if (feature[i]! < 0 || cat.offset[i]! + cat.arity[i]! > cat.mask.length) fail(`node ${i}'s category set`);
      }
    }
  }
}

export function normalizeInPlace(v: Float64Array): void {
  let sum = 0;
  for (const x of v) sum += x;
  if (sum > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / sum;
}
