import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '../../common/checksum.js';
import { EddyError, describeValue, toEddyError } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';

/**
 * The durable part of the coordinator: committed offsets and each group's last protocol type and generation,
 * kept in `<dataDir>/__group_state/state.log` — Eddy's counterpart of Kafka's `__consumer_offsets` topic.
 *
 * The file is a sequence of frames `[u32 length][u32 crc32c(payload)][payload: UTF-8 JSON]`, appended in commit
 * order. On open the frames are replayed; a torn tail (a frame running past the end of the file, or a bad frame
 * followed only by zero bytes, as a crash mid-write leaves it) is cut off, while damage followed by more data is
 * refused as CORRUPT_DATA rather than silently dropping the commits after it. The replayed state is then written
 * to a fresh file that atomically replaces the old one, so the log holds one frame per live key after each start.
 */

export interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
  commitTimestamp: number;
  /** Explicit expiry from an OffsetCommit v2-4 retention time; null means the broker's retention applies. */
  expireTimestamp: number | null;
}

export interface PersistedGroup {
  protocolType: string;
  generationId: number;
}

export type StateRecord =
  | { type: 'offset'; groupId: string; topic: string; partition: number; value: CommittedOffset }
  | { type: 'offset-delete'; groupId: string; topic: string; partition: number }
  | { type: 'group'; groupId: string; value: PersistedGroup }
  | { type: 'group-delete'; groupId: string };

const FRAME_HEADER = 8;
/** A frame longer than this is certainly garbage: no record comes near it. */
const MAX_FRAME = 16 * 1024 * 1024;
const FILE_NAME = 'state.log';
const log = getLogger('broker.group.state');

interface WireRecord {
  t: 'o' | 'od' | 'g' | 'gd';
  g: string;
  tp?: string;
  p?: number;
  o?: string;
  e?: number;
  m?: string | null;
  ts?: number;
  x?: number | null;
  pt?: string;
  gen?: number;
}

function toWire(r: StateRecord): WireRecord {
  switch (r.type) {
    case 'offset':
      return {
        t: 'o',
        g: r.groupId,
        tp: r.topic,
        p: r.partition,
        // int64 offsets go as strings: JSON numbers lose precision past 2^53.
        o: r.value.offset.toString(),
        e: r.value.leaderEpoch,
        m: r.value.metadata,
        ts: r.value.commitTimestamp,
        x: r.value.expireTimestamp,
      };
    case 'offset-delete':
      return { t: 'od', g: r.groupId, tp: r.topic, p: r.partition };
    case 'group':
      return { t: 'g', g: r.groupId, pt: r.value.protocolType, gen: r.value.generationId };
    case 'group-delete':
      return { t: 'gd', g: r.groupId };
  }
}

function fromWire(w: WireRecord): StateRecord {
  const str = (v: unknown): string => {
    if (typeof v !== 'string') throw new Error(`expected a string, got ${describeValue(v)}`);
    return v;
  };
  const int = (v: unknown): number => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`expected an integer, got ${describeValue(v)}`);
    return v;
  };
  switch (w.t) {
    case 'o':
      return {
        type: 'offset',
        groupId: str(w.g),
        topic: str(w.tp),
        partition: int(w.p),
        value: {
          offset: BigInt(str(w.o)),
          leaderEpoch: int(w.e),
          metadata: w.m === null ? null : str(w.m),
          commitTimestamp: int(w.ts),
          expireTimestamp: w.x === null || w.x === undefined ? null : int(w.x),
        },
      };
    case 'od':
      return { type: 'offset-delete', groupId: str(w.g), topic: str(w.tp), partition: int(w.p) };
    case 'g':
      return { type: 'group', groupId: str(w.g), value: { protocolType: str(w.pt), generationId: int(w.gen) } };
    case 'gd':
      return { type: 'group-delete', groupId: str(w.g) };
    default:
      throw new Error(`unknown record type ${describeValue((w as { t: unknown }).t)}`);
  }
}

function encodeFrame(r: StateRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(toWire(r)), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32c(payload), 4);
  payload.copy(frame, FRAME_HEADER);
  return frame;
}

/** Key of a partition inside a group's offset map; NUL cannot occur in a Kafka topic name. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

export function splitPartitionKey(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf('\0');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

export interface ReplayResult {
  records: StateRecord[];
  /** Bytes of the file that hold whole, valid frames. */
  validLength: number;
  /** True when bytes after validLength were a torn tail and must be dropped. */
  tornTail: boolean;
}

/** Decodes a state log image. Exported for tests of recovery; throws CORRUPT_DATA on damage before the tail. */
export function replayStateLog(bytes: Buffer, file = FILE_NAME): ReplayResult {
  const records: StateRecord[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const problem = frameProblem(bytes, pos);
    if (problem === null) {
      const len = bytes.readUInt32BE(pos);
      const payload = bytes.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + len);
      try {
        records.push(fromWire(JSON.parse(payload.toString('utf8')) as WireRecord));
      } catch (e) {
        // The CRC matched, so these bytes are what was written: a writer bug or a newer format, never a torn write.
        throw new EddyError(
          'CORRUPT_DATA',
          `group state log ${file} has an unreadable record at byte ${pos}: ${(e as Error).message}; ` +
            `move the file aside to start without the stored offsets`,
          { cause: e },
        );
      }
      pos += FRAME_HEADER + len;
      continue;
    }
    if (isTornTail(bytes, pos)) return { records, validLength: pos, tornTail: true };
    throw new EddyError(
      'CORRUPT_DATA',
      `group state log ${file} is damaged at byte ${pos} of ${bytes.length} (${problem}) and valid data may follow; ` +
        `nothing was changed — restore the file from a backup or move it aside to start without the stored offsets`,
    );
  }
  return { records, validLength: pos, tornTail: false };
}

function frameProblem(bytes: Buffer, pos: number): string | null {
  if (bytes.length - pos < FRAME_HEADER) return 'incomplete frame header';
  const len = bytes.readUInt32BE(pos);
  if (len === 0 || len > MAX_FRAME) return `implausible frame length ${len}`;
  if (pos + FRAME_HEADER + len > bytes.length) return 'frame runs past the end of the file';
  const crc = bytes.readUInt32BE(pos + 4);
  if (crc32c(bytes.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + len)) !== crc) return 'checksum mismatch';
  return null;
}

/** A crash mid-append leaves either a frame cut short at the end of the file or a frame followed by zero fill. */
function isTornTail(bytes: Buffer, pos: number): boolean {
  if (bytes.length - pos < FRAME_HEADER) return true;
  const len = bytes.readUInt32BE(pos);
  if (len > 0 && len <= MAX_FRAME && pos + FRAME_HEADER + len >= bytes.length) return true;
  for (let i = pos; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

export interface StateStoreOptions {
  /**
   * The log is rewritten with only live records once it exceeds both this many bytes and twice its size after
   * the last rewrite, so a long-running broker's commits do not grow it without bound. Default 64 MiB.
   */
  compactMinBytes?: number;
}

export class GroupStateStore {
  /** groupId → partitionKey → committed offset. */
  readonly offsets = new Map<string, Map<string, CommittedOffset>>();
  readonly groups = new Map<string, PersistedGroup>();
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private fh: FileHandle | null = null;
  private fileBytes = 0;
  private compactedBytes = 0;
  /** How many times the log was rewritten while open (for tests and diagnostics). */
  compactions = 0;

  private constructor(
    readonly dir: string,
    private readonly compactMinBytes: number,
  ) {}

  private get path(): string {
    return join(this.dir, FILE_NAME);
  }

  /** Opens (creating if needed) the state under `<dataDir>/__group_state/`, recovering and compacting it. */
  static async open(dataDir: string, options: StateStoreOptions = {}): Promise<GroupStateStore> {
    const dir = join(dataDir, '__group_state');
    const store = new GroupStateStore(dir, options.compactMinBytes ?? 64 * 1024 * 1024);
    const path = store.path;
    try {
      await mkdir(dir, { recursive: true });
      let bytes: Buffer;
      try {
        const rh = await open(path, 'r');
        try {
          bytes = await rh.readFile();
        } finally {
          await rh.close();
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        bytes = Buffer.alloc(0);
      }
      const replay = replayStateLog(bytes, path);
      if (replay.tornTail) {
        log.warn(`dropping a torn tail of ${bytes.length - replay.validLength} bytes from ${path}`);
      }
      for (const r of replay.records) store.apply(r);
      await store.rewrite();
      return store;
    } catch (e) {
      await store.fh?.close().catch(() => undefined);
      throw toEddyError(e, 'IO_ERROR', `opening the group state in ${describeValue(dir)} failed`);
    }
  }

  /**
   * Replaces the log by one holding just the live state: written to a side file, synced, then renamed over the
   * old one, so a crash at any point leaves either the old log or the new one, both complete.
   */
  private async rewrite(): Promise<void> {
    await this.fh?.close();
    this.fh = null;
    const tmp = `${this.path}.compacting`;
    const frames = this.snapshot().map(encodeFrame);
    const image = Buffer.concat(frames);
    try {
      const th = await open(tmp, 'w');
      try {
        if (image.length > 0) await th.write(image);
        await th.sync();
      } finally {
        await th.close();
      }
      await rename(tmp, this.path);
      await syncDir(this.dir);
      this.fileBytes = this.compactedBytes = image.length;
    } finally {
      // Reopen whichever log is in place, so appends carry on even if the rewrite failed.
      this.fh = await open(this.path, 'a');
      if (this.fileBytes !== image.length) this.fileBytes = (await this.fh.stat()).size;
    }
  }

  /** The records that rebuild the current state, one per live key. */
  snapshot(): StateRecord[] {
    const out: StateRecord[] = [];
    for (const [groupId, value] of this.groups) out.push({ type: 'group', groupId, value });
    for (const [groupId, parts] of this.offsets) {
      for (const [key, value] of parts) out.push({ type: 'offset', groupId, ...splitPartitionKey(key), value });
    }
    return out;
  }

  /**
   * Appends records durably to the OS and then applies them, in call order. Callers answer clients only after
   * the returned promise resolves, so an acknowledged commit is never lost by a process crash.
   */
  append(records: StateRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new EddyError('CLOSED', `group state in ${this.dir} is closed`));
    if (records.length === 0) return this.tail;
    const buf = Buffer.concat(records.map(encodeFrame));
    const run = this.tail.then(async () => {
      if (this.fh === null) throw new EddyError('IO_ERROR', `group state log ${this.path} is not open`);
      await this.fh.write(buf);
      this.fileBytes += buf.length;
      for (const r of records) this.apply(r);
      if (this.fileBytes > Math.max(this.compactMinBytes, 2 * this.compactedBytes)) {
        try {
          await this.rewrite();
          this.compactions++;
        } catch (e) {
          // The commit itself is safely in the old log; only the rewrite failed.
          log.warn(`compacting ${this.path} failed; will retry after more commits`, e);
          this.compactedBytes = this.fileBytes;
        }
      }
    });
    // A failed write fails its own callers; later appends still run.
    this.tail = run.catch(() => undefined);
    return run.catch((e: unknown) => {
      throw toEddyError(e, 'IO_ERROR', `writing the group state in ${describeValue(this.dir)} failed`);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    const fh = this.fh;
    this.fh = null;
    if (fh === null) return;
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  private apply(r: StateRecord): void {
    switch (r.type) {
      case 'offset': {
        let parts = this.offsets.get(r.groupId);
        if (parts === undefined) this.offsets.set(r.groupId, (parts = new Map()));
        parts.set(partitionKey(r.topic, r.partition), r.value);
        break;
      }
      case 'offset-delete': {
        const parts = this.offsets.get(r.groupId);
        parts?.delete(partitionKey(r.topic, r.partition));
        if (parts?.size === 0) this.offsets.delete(r.groupId);
        break;
      }
      case 'group':
        this.groups.set(r.groupId, r.value);
        break;
      case 'group-delete':
        this.groups.delete(r.groupId);
        this.offsets.delete(r.groupId);
        break;
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; some platforms refuse fsync on a directory, which only weakens durability.
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* best effort */
  }
}
