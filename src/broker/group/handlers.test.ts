import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { GroupCoordinator } from './coordinator.js';
import { KafkaErrorCode as E } from './error-codes.js';
import { createGroupHandlers, GROUP_API_KEYS as K, type GroupHandler } from './handlers.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
let dir: string;
let clock: ManualClock;
let c: GroupCoordinator;
let h: Map<number, GroupHandler>;

const ctx = (apiVersion: number, clientId: string | null = 'tester') => ({
  apiVersion,
  clientId,
  connectionId: 'conn-1',
  clientHost: '127.0.0.1',
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const call = async (key: number, version: number, req: object): Promise<any> => h.get(key)!(req, ctx(version));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-group-handlers-'));
  clock = new ManualClock();
  c = await GroupCoordinator.open({
    dataDir: dir,
    clock,
    config: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 10 },
  });
  h = createGroupHandlers(c, () => ({ nodeId: 0, host: 'localhost', port: 9092 }));
});

afterEach(async () => {
  await c.close();
  await rm(dir, { recursive: true, force: true });
});

const joinBody = (memberId = '') => ({
  groupId: 'g',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 20_000,
  memberId,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: bytes('meta') }],
});

/** JoinGroup v5 + SyncGroup v3 as kafkajs and librdkafka send them. */
async function joinV5(): Promise<{ memberId: string; generationId: number }> {
  const first = await call(K.JoinGroup, 5, joinBody());
  expect(first).toMatchObject({ errorCode: E.MEMBER_ID_REQUIRED, generationId: -1, protocolName: '' });
  const pending = call(K.JoinGroup, 5, joinBody(first.memberId));
  clock.advance(0);
  const joined = await pending;
  expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leader: first.memberId });
  const sync = await call(K.SyncGroup, 3, {
    groupId: 'g',
    generationId: 1,
    memberId: first.memberId,
    groupInstanceId: null,
    assignments: [{ memberId: first.memberId, assignment: bytes('assigned') }],
  });
  expect(sync).toMatchObject({ errorCode: 0, assignment: bytes('assigned') });
  return { memberId: first.memberId, generationId: 1 };
}

describe('group handlers', () => {
  it('FindCoordinator names this broker, in the v0-3 shape and the v4 batched shape', async () => {
    expect(await call(K.FindCoordinator, 2, { key: 'g', keyType: 0 })).toMatchObject({
      errorCode: 0,
      errorMessage: null,
      nodeId: 0,
      host: 'localhost',
      port: 9092,
    });
    expect(await call(K.FindCoordinator, 0, { key: 'g' })).toMatchObject({ errorCode: 0, nodeId: 0 });
    expect(await call(K.FindCoordinator, 2, { key: 'g', keyType: 7 })).toMatchObject({
      errorCode: E.INVALID_REQUEST,
      nodeId: -1,
    });
    const v4 = await call(K.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    expect(v4.coordinators.map((x: { key: string; errorCode: number }) => [x.key, x.errorCode])).toEqual([
      ['a', 0],
      ['b', 0],
    ]);
  });

  it('runs a whole v5 membership: join, sync, heartbeat, commit, fetch, describe, leave (v3)', async () => {
    const { memberId, generationId } = await joinV5();
    expect(memberId.startsWith('tester-')).toBe(true);
    expect(await call(K.Heartbeat, 3, { groupId: 'g', generationId, memberId, groupInstanceId: null })).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
    });
    const committed = await call(K.OffsetCommit, 5, {
      groupId: 'g',
      generationIdOrMemberEpoch: generationId,
      memberId,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 12n, committedMetadata: null }] }],
    });
    expect(committed.topics).toEqual([{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }]);
    const fetched = await call(K.OffsetFetch, 4, { groupId: 'g', topics: null });
    expect(fetched.errorCode).toBe(0);
    expect(fetched.topics[0].partitions[0]).toMatchObject({ partitionIndex: 0, committedOffset: 12, errorCode: 0 });
    const described = await call(K.DescribeGroups, 2, { groups: ['g'] });
    expect(described.groups[0]).toMatchObject({ groupState: 'Stable', protocolData: 'range' });
    expect(described.groups[0].members[0]).toMatchObject({ memberId, clientId: 'tester', clientHost: '/127.0.0.1' });
    const left = await call(K.LeaveGroup, 3, { groupId: 'g', members: [{ memberId, groupInstanceId: null }] });
    expect(left).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      members: [{ memberId, groupInstanceId: null, errorCode: 0 }],
    });
    expect((await call(K.ListGroups, 4, { statesFilter: ['Empty'] })).groups).toEqual([
      { groupId: 'g', protocolType: 'consumer', groupState: 'Empty', groupType: 'classic' },
    ]);
    expect(await call(K.DeleteGroups, 1, { groupsNames: ['g'] })).toEqual({
      throttleTimeMs: 0,
      results: [{ groupId: 'g', errorCode: 0 }],
    });
  });

  it('serves kafka-python’s versions: JoinGroup v2 without MEMBER_ID_REQUIRED, LeaveGroup v1, OffsetCommit v2', async () => {
    const pending = call(K.JoinGroup, 2, joinBody());
    clock.advance(0);
    const joined = await pending;
    expect(joined.errorCode).toBe(0);
    const { memberId, generationId } = joined;
    await call(K.SyncGroup, 1, {
      groupId: 'g',
      generationId,
      memberId,
      assignments: [{ memberId, assignment: bytes('x') }],
    });
    const committed = await call(K.OffsetCommit, 2, {
      groupId: 'g',
      generationIdOrMemberEpoch: generationId,
      memberId,
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 3, committedOffset: 7, committedMetadata: '' }] }],
    });
    expect(committed.topics[0].partitions[0].errorCode).toBe(0);
    const v1 = await call(K.OffsetFetch, 1, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [3, 4] }] });
    expect(v1.topics[0].partitions.map((p: { committedOffset: number }) => p.committedOffset)).toEqual([7, -1]);
    expect(await call(K.LeaveGroup, 1, { groupId: 'g', memberId })).toMatchObject({ errorCode: 0 });
    expect(await call(K.LeaveGroup, 1, { groupId: 'g', memberId })).toMatchObject({ errorCode: E.UNKNOWN_MEMBER_ID });
  });

  it('puts group-level OffsetFetch errors in each partition for v0-1 and answers v8 per group', async () => {
    const v1 = await call(K.OffsetFetch, 1, { groupId: '', topics: [{ name: 't', partitionIndexes: [0] }] });
    expect(v1.topics[0].partitions[0].errorCode).toBe(E.INVALID_GROUP_ID);
    await call(K.OffsetCommit, 0, {
      groupId: 'simple',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 3n, committedMetadata: 'm' }] }],
    });
    const v8 = await call(K.OffsetFetch, 8, {
      groups: [
        { groupId: 'simple', topics: null },
        { groupId: 'none', topics: [{ name: 't', partitionIndexes: [0] }] },
      ],
      requireStable: false,
    });
    expect(v8.groups.map((g: { groupId: string; errorCode: number }) => [g.groupId, g.errorCode])).toEqual([
      ['simple', 0],
      ['none', 0],
    ]);
    expect(v8.groups[0].topics[0].partitions[0]).toMatchObject({ committedOffset: 3, metadata: 'm' });
    expect(v8.groups[1].topics[0].partitions[0].committedOffset).toBe(-1);
  });

  it('rejects malformed requests with a PROTOCOL_ERROR naming the field', async () => {
    await expect(call(K.Heartbeat, 3, { groupId: 5, generationId: 1, memberId: 'm' })).rejects.toMatchObject({
      code: 'PROTOCOL_ERROR',
      message: expect.stringContaining('groupId'),
    });
    await expect(call(K.OffsetFetch, 1, { groupId: 'g', topics: null })).rejects.toMatchObject({
      code: 'PROTOCOL_ERROR',
    });
  });
});
