import { randomUUID } from 'node:crypto';
import { EddyError, isEddyError } from '../../common/errors.js';
import type { FileSystem } from '../../storage/filesystem.js';
import { MetadataLog, jsonCodec, type LogCodec } from './metadata-log.js';

/**
 * A streaming query's checkpoint, laid out as Spark lays it out so that a reader of Spark's docs recognises it:
 *
 *   metadata        v1 + {"id": "<query id>", "eddy": {...the query's shape...}}
 *   offsets/<N>     v1 + batch metadata (watermark, timestamp) + one line per source: its end offset, or "-"
 *   commits/<N>     v1 + {"nextBatchWatermarkMs": ...}
 *   state/<op>/<partition>/...   the state stores' files
 *
 * offsets/N is written before batch N runs and commits/N after its output is committed, so a restart finds the
 * batch to re-run (offsets without a commit) with exactly the same source ranges.
 */

export interface BatchMetadata {
  batchWatermarkMs: number;
  batchTimestampMs: number;
  conf: Record<string, string>;
}

export interface OffsetSeq {
  metadata: BatchMetadata;
  /** Per source, in the query's source order: the serialized end offset, or null when the source had none yet. */
  offsets: (string | null)[];
}

export interface CommitMetadata {
  nextBatchWatermarkMs: number;
}

export interface QueryMetadata {
  id: string;
  /** What makes a checkpoint belong to a query: checked on restart so an incompatible query is refused. */
  shape?: QueryShape;
}

export interface QueryShape {
  sources: string[];
  statefulOperators: string[];
  outputMode: string;
}

const offsetSeqCodec: LogCodec<OffsetSeq> = {
  version: 1,
  serialize: (v) => [JSON.stringify(v.metadata), ...v.offsets.map((o) => (o === null ? '-' : o))].join('\n'),
  deserialize(body) {
    const lines = body.split('\n');
    const metadata = JSON.parse(lines[0] ?? '') as BatchMetadata;
    return { metadata, offsets: lines.slice(1).map((l) => (l === '-' ? null : l)) };
  },
};

export class Checkpoint {
  readonly offsets: MetadataLog<OffsetSeq>;
  readonly commits: MetadataLog<CommitMetadata>;

  private constructor(
    readonly fs: FileSystem,
    readonly root: string,
    readonly metadata: QueryMetadata,
  ) {
    this.offsets = new MetadataLog(fs, `${root}/offsets`, offsetSeqCodec);
    this.commits = new MetadataLog(fs, `${root}/commits`, jsonCodec<CommitMetadata>());
  }

  /** Folder of one stateful operator's partition. */
  stateDir(operatorId: number, partition: number): string {
    return `${this.root}/state/${operatorId}/${partition}`;
  }

  /**
   * Opens the checkpoint at `root`, creating it for a new query. An existing checkpoint whose recorded shape
   * differs from `shape` (other sources, other stateful operators, other output mode) is refused: resuming it would
   * read offsets and state that mean something else.
   */
  static async open(fs: FileSystem, root: string, shape: QueryShape): Promise<Checkpoint> {
    const metaPath = `${root}/metadata`;
    let metadata: QueryMetadata;
    try {
      const text = Buffer.from(await fs.readFile(metaPath)).toString('utf8');
      const nl = text.indexOf('\n');
      if (!text.startsWith('v1\n') && text.trim() !== '') {
        throw new EddyError(
          'UNSUPPORTED',
          `${fs.uri(metaPath)} has an unknown format version (${JSON.stringify(text.slice(0, Math.max(nl, 0)))})`,
        );
      }
      metadata = JSON.parse(text.slice(nl + 1)) as QueryMetadata;
    } catch (e) {
      if (!isEddyError(e, 'NOT_FOUND')) throw e;
      metadata = { id: randomUUID(), shape };
      await fs.mkdirs(root);
      await fs.writeFile(metaPath, `v1\n${JSON.stringify(metadata)}`, { overwrite: false });
    }
    if (metadata.shape !== undefined) checkCompatible(fs.uri(root), metadata.shape, shape);
    return new Checkpoint(fs, root, metadata);
  }
}

function checkCompatible(where: string, stored: QueryShape, now: QueryShape): void {
  const diffs: string[] = [];
  if (stored.sources.join('|') !== now.sources.join('|')) {
    diffs.push(`sources were [${stored.sources.join(', ')}], now [${now.sources.join(', ')}]`);
  }
  if (stored.statefulOperators.join('|') !== now.statefulOperators.join('|')) {
    diffs.push(
      `stateful operators were [${stored.statefulOperators.join(', ')}], now [${now.statefulOperators.join(', ')}]`,
    );
  }
  if (stored.outputMode !== now.outputMode) diffs.push(`output mode was ${stored.outputMode}, now ${now.outputMode}`);
  if (diffs.length > 0) {
    throw new EddyError(
      'ILLEGAL_STATE',
      `the checkpoint at ${where} belongs to an incompatible query: ${diffs.join('; ')}. ` +
        `Use a new checkpointLocation for the changed query, or delete the old checkpoint to start over`,
    );
  }
}
