import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * A segment's sparse index, kept whole in memory and appended to its file: the offset index maps
 * (offset − baseOffset) → byte position (Kafka's `.index`, 8-byte entries), the time index maps
 * max-timestamp-so-far → (offset − baseOffset) (Kafka's `.timeindex`, 12-byte entries). Both are monotonic, so
 * a lookup is a binary search. Entries are derived from the log, so a damaged index is rebuilt, never trusted
 * over the log.
 */
export class SegmentIndex {
  private keys: number[] = [];
  private values: number[] = [];
  private fd: number;

  constructor(
    readonly path: string,
    private readonly kind: 'offset' | 'time',
  ) {
    this.fd = openSync(path, 'a+');
  }

  private get entrySize(): number {
    return this.kind === 'offset' ? 8 : 12;
  }

  get length(): number {
    return this.keys.length;
  }

  lastKey(): number | undefined {
    return this.keys[this.keys.length - 1];
  }

  lastValue(): number | undefined {
    return this.values[this.values.length - 1];
  }

  /** Loads the entries stored in the file; false if the file is not a whole number of monotonic entries. */
  load(): boolean {
    const size = fstatSync(this.fd).size;
    if (size % this.entrySize !== 0) return false;
    const buf = Buffer.alloc(size);
    if (size > 0) readSync(this.fd, buf, 0, size, 0);
    this.keys = [];
    this.values = [];
    for (let at = 0; at < size; at += this.entrySize) {
      const key = this.kind === 'offset' ? buf.readInt32BE(at) : Number(buf.readBigInt64BE(at));
      const value = this.kind === 'offset' ? buf.readInt32BE(at + 4) : buf.readInt32BE(at + 8);
      if (this.keys.length > 0 && key < this.keys[this.keys.length - 1]!) return false;
      this.keys.push(key);
      this.values.push(value);
    }
    return true;
  }

  append(key: number, value: number): void {
    const b = Buffer.allocUnsafe(this.entrySize);
    if (this.kind === 'offset') {
      b.writeInt32BE(key, 0);
      b.writeInt32BE(value, 4);
    } else {
      b.writeBigInt64BE(BigInt(key), 0);
      b.writeInt32BE(value, 8);
    }
    writeSync(this.fd, b, 0, b.length, this.keys.length * this.entrySize);
    this.keys.push(key);
    this.values.push(value);
  }

  /** The value of the last entry whose key is ≤ key, or undefined if every key is greater. */
  floor(key: number): { key: number; value: number } | undefined {
    let lo = 0;
    let hi = this.keys.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.keys[mid]! <= key) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? undefined : { key: this.keys[found]!, value: this.values[found]! };
  }

  /** The last entry whose key is strictly below `key`. */
  lower(key: number): { key: number; value: number } | undefined {
    return this.floor(key - 1);
  }

  reset(): void {
    ftruncateSync(this.fd, 0);
    this.keys = [];
    this.values = [];
  }

  close(): void {
    closeSync(this.fd);
  }
}
