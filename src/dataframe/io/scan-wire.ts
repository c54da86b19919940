import { RecordBatch } from '../batch.js';
import { ColumnVector } from '../column-vector.js';
import { PrunedColumn } from '../pruned-column.js';
import { dictionaryOf } from './csv-sink.js';
import type { StructType } from '../types.js';

/**
 * A batch as it crosses between threads: typed arrays move (their buffers are transferred, not copied),
 * string columns travel dictionary-encoded (distinct strings + Int32 codes), which is far cheaper to clone
 * than one string per row when values repeat.
 */
export type WireColumn =
  | { kind: 'typed'; data: Float64Array | Int32Array | BigInt64Array | Uint8Array; validity: Uint8Array | null }
  | { kind: 'dict'; dict: (string | null)[]; codes: Int32Array; validity: Uint8Array | null }
  | { kind: 'values'; values: unknown[]; validity: Uint8Array | null }
  | { kind: 'pruned' };

export interface WireBatch {
  numRows: number;
  columns: WireColumn[];
}

/** Encodes a batch for postMessage; the batch must not be used afterwards (its buffers are transferred). */
export function encodeBatch(b: RecordBatch): { batch: WireBatch; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const columns = b.columns.map((c): WireColumn => {
    if (c instanceof PrunedColumn) return { kind: 'pruned' };
    // Scan batches own their buffers (sinks start fresh arrays per batch), so they move without a copy.
    const validity = c.validity;
    if (validity) transfer.add(validity.buffer as ArrayBuffer);
    if (!Array.isArray(c.data)) {
      const data = c.data as Float64Array;
      transfer.add(data.buffer as ArrayBuffer);
      return { kind: 'typed', data, validity };
    }
    const coded = dictionaryOf(c);
    if (coded) {
      // The scan's intern table already numbered the values: no hashing per row here.
      transfer.add(coded.codes.buffer as ArrayBuffer);
      return { kind: 'dict', dict: coded.dict, codes: coded.codes, validity };
    }
    if (c.type.kind === 'string') {
      const index = new Map<string | null, number>();
      const dict: (string | null)[] = [];
      const codes = new Int32Array(c.length);
      const src = c.data as (string | null)[];
      for (let i = 0; i < c.length; i++) {
        const v = src[i] ?? null;
        let k = index.get(v);
        if (k === undefined) {
          k = dict.length;
          dict.push(v);
          index.set(v, k);
        }
        codes[i] = k;
      }
      transfer.add(codes.buffer);
      return { kind: 'dict', dict, codes, validity };
    }
    return { kind: 'values', values: c.data as unknown[], validity };
  });
  return { batch: { numRows: b.numRows, columns }, transfer: [...transfer] };
}

export function decodeBatch(schema: StructType, w: WireBatch): RecordBatch {
  const cols = w.columns.map((c, j) => {
    const t = schema.fields[j]!.dataType;
    if (c.kind === 'pruned') return new PrunedColumn(t, w.numRows);
    if (c.kind === 'typed') return new ColumnVector(t, w.numRows, c.data, c.validity);
    if (c.kind === 'values') return new ColumnVector(t, w.numRows, c.values, c.validity);
    const out = new Array<string | null>(w.numRows);
    for (let i = 0; i < w.numRows; i++) out[i] = c.dict[c.codes[i]!] ?? null;
    return new ColumnVector(t, w.numRows, out, c.validity);
  });
  return new RecordBatch(schema, cols, w.numRows);
}
