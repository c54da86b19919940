import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteGroups, describeGroups, listGroups } from './admin.js';
import { ManualClock } from './clock.js';
import { GroupCoordinator } from './coordinator.js';
import { KafkaErrorCode as E } from './error-codes.js';
import { commitOffsets, expireOffsets, fetchOffsets, type OffsetCommitInput } from './offsets.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const DELAY = 50;
const DAY = 24 * 60 * 60 * 1000;

let dir: string;
let clock: ManualClock;
let c: GroupCoordinator;

async function openCoordinator(): Promise<GroupCoordinator> {
  return GroupCoordinator.open({
    dataDir: dir,
    clock,
    config: { initialRebalanceDelayMs: DELAY, minSessionTimeoutMs: 10 },
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-offsets-'));
  clock = new ManualClock();
  c = await openCoordinator();
});

afterEach(async () => {
  await c.close();
  await rm(dir, { recursive: true, force: true });
});

function commit(
  groupId: string,
  offsets: Record<string, number[]>,
  over: Partial<OffsetCommitInput> = {},
  metadata: string | null = 'meta',
): OffsetCommitInput {
  return {
    groupId,
    generationId: -1,
    memberId: '',
    retentionTimeMs: -1,
    topics: Object.entries(offsets).map(([name, offs]) => ({
      name,
      partitions: offs.map((o, partitionIndex) => ({
        partitionIndex,
        committedOffset: BigInt(o),
        committedLeaderEpoch: -1,
        commitTimestamp: -1,
        committedMetadata: metadata,
      })),
    })),
    ...over,
  };
}

const codes = (out: { topics: { partitions: { errorCode: number }[] }[] }) =>
  out.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

async function oneMemberGroup(groupId: string): Promise<{ memberId: string; generationId: number }> {
  const first = c.join({
    groupId,
    memberId: '',
    groupInstanceId: null,
    clientId: 'cli',
    clientHost: '/10.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: bytes('sub') }],
    requireKnownMemberId: false,
  });
  clock.advance(DELAY);
  const r = await first;
  await c.sync({
    groupId,
    generationId: r.generationId,
    memberId: r.memberId,
    protocolType: null,
    protocolName: null,
    assignments: [{ memberId: r.memberId, assignment: bytes('asg') }],
  });
  return { memberId: r.memberId, generationId: r.generationId };
}

describe('OffsetCommit and OffsetFetch', () => {
  it('stores simple commits for a group without members and fetches them back, -1 where nothing was committed', async () => {
    expect(codes(await commitOffsets(c, commit('simple', { t: [5, 7] })))).toEqual([0, 0]);
    const res = fetchOffsets(c, 'simple', [
      { name: 't', partitionIndexes: [0, 1, 2] },
      { name: 'u', partitionIndexes: [0] },
    ]);
    expect(res.errorCode).toBe(E.NONE);
    expect(res.topics[0]!.partitions.map((p) => [p.committedOffset, p.metadata, p.errorCode])).toEqual([
      [5n, 'meta', 0],
      [7n, 'meta', 0],
      [-1n, '', 0],
    ]);
    expect(res.topics[1]!.partitions[0]!.committedOffset).toBe(-1n);
    expect(
      fetchOffsets(c, 'unknown-group', [{ name: 't', partitionIndexes: [0] }]).topics[0]!.partitions[0],
    ).toMatchObject({
      committedOffset: -1n,
      errorCode: E.NONE,
    });
  });

  it('returns all of a group’s offsets, sorted, when the topics are null', async () => {
    await commitOffsets(c, commit('g', { zeta: [1], alpha: [3, 4] }));
    const res = fetchOffsets(c, 'g', null);
    expect(res.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)])).toEqual([
      ['alpha', [3n, 4n]],
      ['zeta', [1n]],
    ]);
    expect(fetchOffsets(c, 'nobody', null).topics).toEqual([]);
  });

  it('accepts commits from the current generation and refuses stale, unknown and rebalancing ones as Kafka does', async () => {
    const { memberId, generationId } = await oneMemberGroup('g');
    const ok = await commitOffsets(c, commit('g', { t: [10] }, { memberId, generationId }));
    expect(codes(ok)).toEqual([E.NONE]);
    expect(
      codes(await commitOffsets(c, commit('g', { t: [11] }, { memberId, generationId: generationId - 1 }))),
    ).toEqual([E.ILLEGAL_GENERATION]);
    expect(codes(await commitOffsets(c, commit('g', { t: [11] }, { memberId: 'who', generationId })))).toEqual([
      E.UNKNOWN_MEMBER_ID,
    ]);
    // A simple commit to a group that has members is refused: its partitions belong to the members.
    expect(codes(await commitOffsets(c, commit('g', { t: [11] })))).toEqual([E.UNKNOWN_MEMBER_ID]);
    // A member-style commit to a group that does not exist cannot be of any generation.
    expect(codes(await commitOffsets(c, commit('ghost', { t: [1] }, { memberId: 'm', generationId: 3 })))).toEqual([
      E.ILLEGAL_GENERATION,
    ]);
    expect(fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [0] }]).topics[0]!.partitions[0]!.committedOffset).toBe(
      10n,
    );
  });

  it('refuses commits while assignments of a new generation are being distributed', async () => {
    const first = c.join({
      groupId: 'g',
      memberId: '',
      groupInstanceId: null,
      clientId: 'x',
      clientHost: '',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: bytes('') }],
      requireKnownMemberId: false,
    });
    clock.advance(DELAY);
    const r = await first;
    expect(c.groups.get('g')!.state).toBe('CompletingRebalance');
    const out = await commitOffsets(c, commit('g', { t: [1] }, { memberId: r.memberId, generationId: r.generationId }));
    expect(codes(out)).toEqual([E.REBALANCE_IN_PROGRESS]);
  });

  it('refuses metadata longer than offset.metadata.max.bytes for that partition only', async () => {
    const input = commit('g', { t: [1, 2] });
    input.topics[0]!.partitions[1]!.committedMetadata = 'x'.repeat(4097);
    expect(codes(await commitOffsets(c, input))).toEqual([E.NONE, E.OFFSET_METADATA_TOO_LARGE]);
    expect(fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [1] }]).topics[0]!.partitions[0]!.committedOffset).toBe(
      -1n,
    );
  });

  it('keeps int64 offsets beyond 2^53 exactly, across a restart', async () => {
    const big = 2n ** 62n + 3n;
    const input = commit('g', { t: [0] });
    input.topics[0]!.partitions[0]!.committedOffset = big;
    await commitOffsets(c, input);
    await c.close();
    c = await openCoordinator();
    expect(fetchOffsets(c, 'g', null).topics[0]!.partitions[0]!.committedOffset).toBe(big);
  });
});

describe('persistence', () => {
  it('keeps offsets, generations and protocol types across a restart, and compacts the log', async () => {
    const { memberId, generationId } = await oneMemberGroup('g');
    for (let i = 0; i < 20; i++) await commitOffsets(c, commit('g', { t: [i, i * 2] }, { memberId, generationId }));
    await commitOffsets(c, commit('simple', { u: [42] }, {}, null));
    const logPath = join(dir, '__group_state', 'state.log');
    const before = (await stat(logPath)).size;
    await c.close();
    c = await openCoordinator();
    expect((await stat(logPath)).size).toBeLessThan(before / 5);
    expect(fetchOffsets(c, 'g', null).topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([19n, 38n]);
    expect(fetchOffsets(c, 'simple', null).topics[0]!.partitions[0]).toMatchObject({
      committedOffset: 42n,
      metadata: '',
    });
    expect(listGroups(c)).toEqual([
      { groupId: 'g', protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' },
      { groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' },
    ]);
    // The generation count continues where it stopped, so old members' generations stay stale.
    expect(c.groups.get('g')!.generationId).toBe(generationId);
    const again = await oneMemberGroup('g');
    expect(again.generationId).toBe(generationId + 1);
  });

  it('rewrites the log while running once commits have grown it, keeping every latest value', async () => {
    await c.close();
    c = await GroupCoordinator.open({ dataDir: dir, clock, stateStore: { compactMinBytes: 4096 } });
    for (let i = 0; i < 200; i++) await commitOffsets(c, commit('busy', { t: [i, i + 1, i + 2] }));
    expect(c.store.compactions).toBeGreaterThan(0);
    const logPath = join(dir, '__group_state', 'state.log');
    expect((await stat(logPath)).size).toBeLessThanOrEqual(2 * 4096 + 1024);
    await c.close();
    c = await openCoordinator();
    expect(fetchOffsets(c, 'busy', null).topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([
      199n,
      200n,
      201n,
    ]);
  });

  it('drops a torn tail left by a crash mid-write and keeps everything before it', async () => {
    await commitOffsets(c, commit('g', { t: [1, 2, 3] }));
    await commitOffsets(c, commit('g', { t: [4] }));
    await c.close();
    const logPath = join(dir, '__group_state', 'state.log');
    const good = await readFile(logPath);
    // A frame header promising 200 bytes followed by only a few of them.
    const torn = Buffer.alloc(20);
    torn.writeUInt32BE(200, 0);
    await appendFile(logPath, torn);
    c = await openCoordinator();
    expect(fetchOffsets(c, 'g', null).topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([4n, 2n, 3n]);
    await commitOffsets(c, commit('g', { t: [9] }));
    await c.close();
    // The tail is gone and new commits follow valid data, so a second restart reads everything.
    c = await openCoordinator();
    expect(fetchOffsets(c, 'g', null).topics[0]!.partitions[0]!.committedOffset).toBe(9n);
    expect((await readFile(logPath)).length).toBeLessThanOrEqual(good.length);
  });

  it('drops zero fill after the last frame', async () => {
    await commitOffsets(c, commit('g', { t: [7] }));
    await c.close();
    await appendFile(join(dir, '__group_state', 'state.log'), Buffer.alloc(64));
    c = await openCoordinator();
    expect(fetchOffsets(c, 'g', null).topics[0]!.partitions[0]!.committedOffset).toBe(7n);
  });

  it('refuses to open a log damaged before its end, naming it, and leaves the file untouched', async () => {
    await commitOffsets(c, commit('g', { t: [1, 2, 3] }));
    await c.close();
    const logPath = join(dir, '__group_state', 'state.log');
    const image = await readFile(logPath);
    const damaged = Buffer.from(image);
    damaged[12] = damaged[12]! ^ 0xff; // inside the first frame's payload
    await writeFile(logPath, damaged);
    await expect(openCoordinator()).rejects.toMatchObject({
      code: 'CORRUPT_DATA',
      message: expect.stringMatching(/state\.log is damaged at byte 0 .*checksum mismatch/),
    });
    expect(await readFile(logPath)).toEqual(damaged);
    await writeFile(logPath, image);
    c = await openCoordinator();
    expect(fetchOffsets(c, 'g', null).topics[0]!.partitions).toHaveLength(3);
  });
});

describe('offset retention', () => {
  it('expires an empty group’s offsets after offsets.retention.minutes and then forgets the group', async () => {
    await commitOffsets(c, commit('old', { t: [1] }));
    clock.advance(3 * DAY);
    await commitOffsets(c, commit('young', { t: [1] }));
    clock.advance(4 * DAY);
    expect(await expireOffsets(c)).toBe(1);
    expect(fetchOffsets(c, 'old', null).topics).toEqual([]);
    expect(c.groups.has('old')).toBe(false);
    expect(fetchOffsets(c, 'young', null).topics).toHaveLength(1);
    await c.close();
    c = await openCoordinator();
    expect(listGroups(c).map((g) => g.groupId)).toEqual(['young']);
  });

  it('never expires offsets of a group with members by age, and honours an explicit v2-4 retention time', async () => {
    await c.close();
    c = await GroupCoordinator.open({
      dataDir: dir,
      clock,
      config: { initialRebalanceDelayMs: DELAY, minSessionTimeoutMs: 10, offsetsRetentionMs: 60_000 },
    });
    const { memberId, generationId } = await oneMemberGroup('live');
    await commitOffsets(c, commit('live', { t: [5] }, { memberId, generationId }));
    await commitOffsets(c, commit('plain', { t: [5] }));
    await commitOffsets(c, commit('long', { t: [5] }, { retentionTimeMs: DAY }));
    for (let i = 0; i < 24; i++) {
      clock.advance(5000);
      expect(c.heartbeat('live', memberId, generationId)).toBe(E.NONE);
    }
    expect(await expireOffsets(c)).toBe(1);
    expect(c.groups.has('plain')).toBe(false);
    expect(fetchOffsets(c, 'live', null).topics).toHaveLength(1);
    expect(fetchOffsets(c, 'long', null).topics).toHaveLength(1);
    clock.advance(DAY);
    await expireOffsets(c);
    expect(c.groups.has('long')).toBe(false);
  });

  it('runs on its own every offsets.retention.check.interval.ms', async () => {
    await commitOffsets(c, commit('old', { t: [1] }));
    clock.advance(8 * DAY);
    // Only the first check (10 minutes in) fell inside that jump; the next is armed once it has finished.
    expect(await c.lastRetentionCheck).toBe(0);
    clock.advance(c.config.offsetsRetentionCheckIntervalMs);
    expect(await c.lastRetentionCheck).toBe(1);
    expect(fetchOffsets(c, 'old', null).topics).toEqual([]);
  });
});

describe('ListGroups, DescribeGroups, DeleteGroups', () => {
  it('lists groups with their state and filters by state, case-insensitively', async () => {
    await oneMemberGroup('active');
    await commitOffsets(c, commit('idle', { t: [1] }));
    expect(listGroups(c).map((g) => [g.groupId, g.groupState])).toEqual([
      ['active', 'Stable'],
      ['idle', 'Empty'],
    ]);
    expect(listGroups(c, ['stable']).map((g) => g.groupId)).toEqual(['active']);
    expect(listGroups(c, [], ['consumer'])).toEqual([]);
    expect(listGroups(c, [], ['Classic'])).toHaveLength(2);
  });

  it('describes a stable group with its members’ metadata and assignments, and an unknown one as Dead', async () => {
    const { memberId } = await oneMemberGroup('g');
    const [g, unknown] = describeGroups(c, ['g', 'nope']);
    expect(g).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(g!.members).toEqual([
      {
        memberId,
        groupInstanceId: null,
        clientId: 'cli',
        clientHost: '/10.0.0.1',
        memberMetadata: bytes('sub'),
        memberAssignment: bytes('asg'),
      },
    ]);
    expect(unknown).toMatchObject({ errorCode: 0, groupState: 'Dead', members: [] });
  });

  it('deletes only empty groups, with their offsets, durably', async () => {
    await oneMemberGroup('busy');
    await commitOffsets(c, commit('idle', { t: [1] }));
    expect(await deleteGroups(c, ['busy', 'idle', 'nope', ''])).toEqual([
      { groupId: 'busy', errorCode: E.NON_EMPTY_GROUP },
      { groupId: 'idle', errorCode: E.NONE },
      { groupId: 'nope', errorCode: E.GROUP_ID_NOT_FOUND },
      { groupId: '', errorCode: E.INVALID_GROUP_ID },
    ]);
    expect(fetchOffsets(c, 'idle', null).topics).toEqual([]);
    await c.close();
    c = await openCoordinator();
    expect(listGroups(c).map((g) => g.groupId)).toEqual(['busy']);
    expect(fetchOffsets(c, 'idle', null).topics).toEqual([]);
  });
});
