import { EddyError } from '../common/errors.js';
import { ColumnVector } from './column-vector.js';
import type { DataType } from './types.js';

const NOTHING = new Uint8Array(0);

function pruned(): never {
  throw new EddyError('INTERNAL', 'a pruned column was read: column pruning left out a column the plan uses');
}

/**
 * The stand-in for a column that no operator above the scan reads (column pruning): it has a length, so a
 * batch keeps its shape and filters/limits can gather and slice it for free, but no values; reading one is a
 * planner bug and fails loudly rather than yielding nulls.
 */
export class PrunedColumn extends ColumnVector {
  constructor(type: DataType, length: number) {
    super(type, length, NOTHING, null);
    Object.defineProperty(this, 'data', { get: pruned });
  }
  override isNull(): boolean {
    return pruned();
  }
  override get(): unknown {
    return pruned();
  }
  override nullCount(): number {
    return pruned();
  }
  override gather(indices: ArrayLike<number>, count = indices.length): ColumnVector {
    return new PrunedColumn(this.type, count);
  }
  override slice(start: number, end: number): ColumnVector {
    return new PrunedColumn(this.type, end - start);
  }
}
