import { EddyError, isEddyError } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';

/**
 * A folder of numbered files, one per batch (Spark's HDFSMetadataLog): `<dir>/0`, `<dir>/1`, ... Each file starts
 * with a version line (`v1`) followed by the payload. A batch file is created without overwrite, and a
 * FileSystem's created file becomes visible only once closed (local: a temp file linked into place; dfs: one
 * namespace edit), so it appears whole or not at all in one durable step; it is never overwritten, so two
 * queries running on one checkpoint cannot both write batch N — the second one's create fails and it stops with
 * a clear error.
 */
export interface LogCodec<T> {
  /** Highest format version this build reads; also the version it writes. */
  version: number;
  serialize(value: T): string;
  deserialize(body: string, version: number): T;
}

export class MetadataLog<T> {
  constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    private readonly codec: LogCodec<T>,
  ) {}

  private file(batchId: number): string {
    return `${this.dir}/${batchId}`;
  }

  /** Writes batch `batchId`; returns false (and writes nothing) if that batch is already in the log. */
  async add(batchId: number, value: T): Promise<boolean> {
    if (!Number.isSafeInteger(batchId) || batchId < 0) {
      throw new EddyError('INVALID_ARGUMENT', `batch id ${batchId} must be a non-negative integer`);
    }
    if (await this.fs.exists(this.file(batchId))) return false;
    try {
      await this.fs.writeFile(this.file(batchId), `v${this.codec.version}\n${this.codec.serialize(value)}`, {
        overwrite: false,
      });
    } catch (e) {
      if (isEddyError(e, 'ALREADY_EXISTS')) {
        throw new EddyError(
          'ILLEGAL_STATE',
          `${this.file(batchId)} was written by someone else at the same time: is another query running on this ` +
            `checkpoint? Stop it, or give this query its own checkpointLocation`,
          { cause: e },
        );
      }
      throw e;
    }
    return true;
  }

  async get(batchId: number): Promise<T | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await this.fs.readFile(this.file(batchId));
    } catch (e) {
      if (isEddyError(e, 'NOT_FOUND')) return undefined;
      throw e;
    }
    const text = Buffer.from(bytes).toString('utf8');
    const nl = text.indexOf('\n');
    const head = nl < 0 ? text : text.slice(0, nl);
    const m = /^v(\d+)$/.exec(head);
    if (!m) {
      throw new EddyError(
        'CORRUPT_DATA',
        `${this.file(batchId)} does not start with a version line (found ${JSON.stringify(head.slice(0, 40))}); ` +
          `the checkpoint is damaged or not Eddy's — remove it to start the query afresh`,
      );
    }
    const version = Number(m[1]);
    if (version > this.codec.version) {
      throw new EddyError(
        'UNSUPPORTED',
        `${this.file(batchId)} has format v${version}, but this Eddy reads up to v${this.codec.version}; ` +
          `run the Eddy version that wrote the checkpoint, or start from a new checkpointLocation`,
      );
    }
    try {
      return this.codec.deserialize(nl < 0 ? '' : text.slice(nl + 1), version);
    } catch (e) {
      throw new EddyError('CORRUPT_DATA', `${this.file(batchId)} cannot be parsed: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  /** Batch ids in the log, ascending. */
  async batchIds(): Promise<number[]> {
    if (!(await this.fs.exists(this.dir))) return [];
    const ids: number[] = [];
    for (const st of await this.fs.list(this.dir)) {
      if (!st.isDirectory && /^\d+$/.test(st.name)) ids.push(Number(st.name));
    }
    return ids.sort((a, b) => a - b);
  }

  async latest(): Promise<{ batchId: number; value: T } | undefined> {
    const ids = await this.batchIds();
    for (let i = ids.length - 1; i >= 0; i--) {
      const value = await this.get(ids[i]!);
      if (value !== undefined) return { batchId: ids[i]!, value };
    }
    return undefined;
  }

  /** The newest batch before `batchId` in the log (ids may have gaps: async progress tracking logs some batches only). */
  async previous(batchId: number): Promise<{ batchId: number; value: T } | undefined> {
    const ids = (await this.batchIds()).filter((id) => id < batchId);
    for (let i = ids.length - 1; i >= 0; i--) {
      const value = await this.get(ids[i]!);
      if (value !== undefined) return { batchId: ids[i]!, value };
    }
    return undefined;
  }

  /** Removes batches below `minBatchIdToKeep` (Spark keeps the last minBatchesToRetain = 100). */
  async purge(minBatchIdToKeep: number): Promise<void> {
    for (const id of await this.batchIds()) {
      if (id < minBatchIdToKeep) await this.fs.delete(this.file(id));
    }
  }
}

/** A codec for a payload that is one JSON document. */
export function jsonCodec<T>(version = 1): LogCodec<T> {
  return {
    version,
    serialize: (v) => JSON.stringify(v),
    deserialize: (body) => JSON.parse(body) as T,
  };
}
