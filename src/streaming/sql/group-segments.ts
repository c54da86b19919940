import type { BatchContext } from '../contracts.js';
import { StateLines, StateLog } from '../state/state-log.js';
import { decodeValue, stateJson } from './state-values.js';

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * The groups of a streaming aggregation (or the keys of a dropDuplicates) that share one value of the event-time
 * key — one window, say — or every group of a query without one. Groups are slots, and a slot's key values and
 * buffers live in columns (arrays indexed by slot), so a group costs one map entry and no objects of its own: the
 * state of a windowed count is a few columns per window, and a closed window leaves state as one unit.
 */
export class Segment {
  /** Member key → slot. The member key is the non-event key value itself when it is one primitive, else JSON. */
  readonly slots = new Map<unknown, number>();
  /** Per non-event key column, each slot's value. */
  readonly members: unknown[][];
  /** Per aggregate, each slot's buffer. */
  readonly buffers: unknown[][];
  size = 0;
  private bytes: Buffer | null = null;

  constructor(
    /** The event-time key's value of every group here (null without an event-time key). */
    readonly eventValue: unknown,
    /** Its JSON, as it appears in state keys. */
    readonly eventJson: string,
    /** When the groups close (window end or event time), null if never. */
    readonly closesAt: number | null,
    numMembers: number,
    numAggs: number,
  ) {
    this.members = Array.from({ length: numMembers }, () => []);
    this.buffers = Array.from({ length: numAggs }, () => []);
  }

  /** eventJson as UTF-8, made when a state line of the segment is first written, copied into each. */
  get eventBytes(): Buffer {
    return (this.bytes ??= Buffer.from(this.eventJson, 'utf8'));
  }

  /** Adds a group; `members` are its non-event key values in key order. */
  add(memberKey: unknown, members: readonly unknown[], buffers: readonly unknown[]): number {
    const slot = this.size++;
    this.slots.set(memberKey, slot);
    for (let j = 0; j < members.length; j++) this.members[j]!.push(members[j]);
    for (let k = 0; k < buffers.length; k++) this.buffers[k]!.push(buffers[k]);
    return slot;
  }
}

/**
 * A streaming aggregation's groups (or a dropDuplicates' keys, with no buffers), segmented by the event-time key.
 * State files (a StateLog) keep one line per group as before — the key is the JSON of all grouping values in
 * order (`stateJson(keys)`), the value the JSON of the buffers — so the layout in memory is free to change without
 * touching checkpoints.
 */
export class GroupSegments {
  readonly segments = new Map<string, Segment>();
  /** Number of groups. */
  size = 0;
  private readonly numMembers: number;

  constructor(
    readonly numKeys: number,
    /** Index of the event-time key among the grouping keys, or null. */
    readonly eventKey: number | null,
    readonly numAggs: number,
    private readonly closesAt: (eventValue: unknown) => number | null,
  ) {
    this.numMembers = eventKey === null ? numKeys : numKeys - 1;
  }

  /** The segment of an event-time value (given with its JSON), made when new. */
  segment(eventValue: unknown, eventJson: string): Segment {
    let seg = this.segments.get(eventJson);
    if (seg === undefined) {
      const closesAt = this.eventKey === null ? null : this.closesAt(eventValue);
      seg = new Segment(eventValue, eventJson, closesAt, this.numMembers, this.numAggs);
      this.segments.set(eventJson, seg);
    }
    return seg;
  }

  /** The member key of non-event key values: must equal what the batch path builds from cached JSON. */
  static memberKey(members: readonly unknown[]): unknown {
    if (members.length === 0) return '';
    if (members.length === 1) {
      const v = members[0];
      return v === null || typeof v !== 'object' ? v : stateJson(v);
    }
    return stateJson(members);
  }

  /** Adds a group to its segment. */
  add(seg: Segment, memberKey: unknown, members: readonly unknown[], buffers: readonly unknown[]): number {
    this.size++;
    return seg.add(memberKey, members, buffers);
  }

  /** Removes a whole segment from state (its groups closed). */
  drop(seg: Segment): void {
    this.segments.delete(seg.eventJson);
    this.size -= seg.size;
  }

  /** Writes the state key of a slot, `stateJson(keys)`, reusing the segment's event JSON. */
  writeKey(out: StateLines, seg: Segment, slot: number): void {
    out.byte(OPEN_BRACKET);
    let m = 0;
    for (let j = 0; j < this.numKeys; j++) {
      if (j > 0) out.byte(COMMA);
      if (j === this.eventKey) out.raw(seg.eventBytes);
      else out.text(stateJson(seg.members[m++]![slot]));
    }
    out.byte(CLOSE_BRACKET);
  }

  /** Writes the state value of a slot: the JSON of its buffers (counts without making a string). */
  writeValue(out: StateLines, seg: Segment, slot: number): void {
    out.byte(OPEN_BRACKET);
    for (let k = 0; k < this.numAggs; k++) {
      if (k > 0) out.byte(COMMA);
      const v = seg.buffers[k]![slot];
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) out.integer(v);
      else out.text(stateJson(v));
    }
    out.byte(CLOSE_BRACKET);
  }

  /**
   * Removes the segments the watermark has closed (closing at or before it), writing a removal line to `delta` for
   * each of their groups; returns them, in order.
   */
  evictClosed(watermarkMs: number, delta: StateLines): Segment[] {
    const closed: Segment[] = [];
    for (const seg of this.segments.values()) {
      if (seg.closesAt === null || seg.closesAt > watermarkMs) continue;
      for (let s = 0; s < seg.size; s++) {
        delta.newline();
        this.writeKey(delta, seg, s);
        delta.tab();
      }
      closed.push(seg);
    }
    for (const seg of closed) this.drop(seg);
    return closed;
  }

  /** Writes a snapshot's lines: every group. */
  writeSnapshot(out: StateLines): void {
    for (const seg of this.segments.values()) {
      for (let s = 0; s < seg.size; s++) {
        out.newline();
        this.writeKey(out, seg, s);
        out.tab();
        this.writeValue(out, seg, s);
      }
    }
  }

  /**
   * Groups from a state version read from files. Values are the buffers' JSON, or `{"k": keys, "b": buffers}` in
   * aggregation checkpoints written before segments (whose key is the same `stateJson(keys)`); any other value
   * (a dedup key's event time, from before segments) means no buffers.
   */
  static fromLog(
    entries: Map<string, unknown>,
    numKeys: number,
    eventKey: number | null,
    numAggs: number,
    closesAt: (eventValue: unknown) => number | null,
  ): GroupSegments {
    const state = new GroupSegments(numKeys, eventKey, numAggs, closesAt);
    for (const [key, value] of entries) {
      const keys = decodeValue(JSON.parse(key)) as unknown[];
      const raw = Array.isArray(value)
        ? value
        : value !== null && typeof value === 'object' && 'b' in value
          ? (value as { b: unknown }).b
          : [];
      const buffers = decodeValue(raw) as unknown[];
      const eventValue = eventKey === null ? null : keys[eventKey];
      const seg = state.segment(eventValue, eventKey === null ? '' : stateJson(eventValue));
      const members = eventKey === null ? keys : keys.filter((_, j) => j !== eventKey);
      state.add(seg, GroupSegments.memberKey(members), members, buffers);
    }
    return state;
  }
}

/** Batches whose state files are kept for recovery beyond the newest (Spark's minBatchesToRetain). */
const MIN_VERSIONS_TO_RETAIN = 100;
/** A snapshot of every group is written every this many versions (Spark's minDeltasForSnapshot). */
const SNAPSHOT_INTERVAL = 10;

/**
 * A stateful operator's GroupSegments between batches: the state as of the last committed version, continued by
 * the next batch without reading files. A batch changes it in place and hands it back with commit() once its
 * delta is durable; a batch that fails never hands it back, so the next load() reads the committed version.
 */
export class SegmentStore {
  private state: GroupSegments | null = null;
  private version = -1;
  private log: StateLog | null = null;

  constructor(
    private readonly operatorId: number,
    /** The state of a version read from files (key → parsed value). */
    private readonly fromLog: (entries: Map<string, unknown>) => GroupSegments,
  ) {}

  /** The state as of the batch's version (the state after the batch before it). */
  async load(ctx: BatchContext): Promise<{ state: GroupSegments; log: StateLog }> {
    const cp = ctx.checkpoint;
    const dir = cp.stateDir(this.operatorId, 0);
    const { state, log } = this;
    this.state = null;
    if (state && log && log.dir === dir && log.fs === cp.fs && this.version === ctx.batchId) return { state, log };
    const fresh = new StateLog(cp.fs, dir);
    return { state: this.fromLog(await fresh.read(ctx.batchId)), log: fresh };
  }

  /** Writes the batch's delta (and every 10 versions a snapshot) durably, then keeps the state for the next batch. */
  async commit(ctx: BatchContext, state: GroupSegments, log: StateLog, delta: StateLines): Promise<void> {
    const version = ctx.batchId + 1;
    await log.write(version, 'delta', delta);
    if (version % SNAPSHOT_INTERVAL === 0) {
      const snapshot = new StateLines();
      state.writeSnapshot(snapshot);
      await log.write(version, 'snapshot', snapshot);
    }
    this.state = state;
    this.log = log;
    this.version = version;
    if (version % SNAPSHOT_INTERVAL === 0 && version > MIN_VERSIONS_TO_RETAIN) {
      await log.purge(version - MIN_VERSIONS_TO_RETAIN);
    }
  }
}
