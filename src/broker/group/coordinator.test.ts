import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { GroupCoordinator, type JoinRequest } from './coordinator.js';
import { KafkaErrorCode as E } from './error-codes.js';
import type { JoinResult } from './group.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const DELAY = 100;
const SESSION = 10_000;
const REBALANCE = 30_000;

let dir: string;
let clock: ManualClock;
let c: GroupCoordinator;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-groups-'));
  clock = new ManualClock();
  c = await GroupCoordinator.open({
    dataDir: dir,
    clock,
    config: { initialRebalanceDelayMs: DELAY, minSessionTimeoutMs: 10 },
  });
});

afterEach(async () => {
  await c.close();
  await rm(dir, { recursive: true, force: true });
});

function joinReq(over: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: bytes('m') }],
    requireKnownMemberId: true,
    ...over,
  };
}

/** Does the v4+ dance: first join gets MEMBER_ID_REQUIRED, the second one waits for the rebalance. */
async function joinPending(
  over: Partial<JoinRequest> = {},
): Promise<{ memberId: string; result: Promise<JoinResult> }> {
  const first = await c.join(joinReq(over));
  expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED);
  return { memberId: first.memberId, result: c.join(joinReq({ ...over, memberId: first.memberId })) };
}

/** Brings a group to Stable with the given members (joining together within the initial delay). */
async function stableGroup(n: number): Promise<{ ids: string[]; generation: number; leader: string }> {
  const pending = [];
  for (let i = 0; i < n; i++) pending.push(await joinPending({ clientId: `c${i}` }));
  clock.advance(DELAY * n + 1);
  const results = await Promise.all(pending.map((p) => p.result));
  const leader = results[0]!.leader;
  const generation = results[0]!.generationId;
  const syncs = results.map((r) =>
    c.sync({
      groupId: 'g',
      generationId: generation,
      memberId: r.memberId,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments:
        r.memberId === leader
          ? results.map((x) => ({ memberId: x.memberId, assignment: bytes(`a-${x.memberId}`) }))
          : [],
    }),
  );
  for (const s of await Promise.all(syncs)) expect(s.errorCode).toBe(E.NONE);
  return { ids: results.map((r) => r.memberId), generation, leader };
}

describe('JoinGroup', () => {
  it('asks v4+ members to rejoin with a generated id, then elects the first as leader after the initial delay', async () => {
    const { memberId, result } = await joinPending({ clientId: 'my-app' });
    expect(memberId).toMatch(/^my-app-[0-9a-f-]{36}$/);
    let settled = false;
    void result.then(() => (settled = true));
    clock.advance(DELAY - 1);
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(c.groups.get('g')!.state).toBe('PreparingRebalance');
    clock.advance(1);
    const r = await result;
    expect(r).toMatchObject({ errorCode: E.NONE, generationId: 1, protocolName: 'range', leader: memberId, memberId });
    expect(r.members).toEqual([{ memberId, groupInstanceId: null, metadata: bytes('m') }]);
    expect(c.groups.get('g')!.state).toBe('CompletingRebalance');
    // Heartbeats between the join and the sync are normal (Kafka resets the session timer and says NONE).
    expect(c.heartbeat('g', memberId, 1)).toBe(E.NONE);
  });

  it('assigns member ids directly for JoinGroup v0-3', async () => {
    const p = c.join(joinReq({ requireKnownMemberId: false, clientId: 'kp' }));
    clock.advance(DELAY);
    const r = await p;
    expect(r.errorCode).toBe(E.NONE);
    expect(r.memberId).toMatch(/^kp-/);
    expect(r.leader).toBe(r.memberId);
  });

  it('extends the initial delay while new members keep arriving, so they share one generation', async () => {
    const a = await joinPending({ clientId: 'a' });
    clock.advance(DELAY - 10);
    const b = await joinPending({ clientId: 'b' });
    clock.advance(DELAY - 10);
    const cc = await joinPending({ clientId: 'c' });
    clock.advance(DELAY * 3);
    const results = await Promise.all([a.result, b.result, cc.result]);
    expect(results.map((r) => r.generationId)).toEqual([1, 1, 1]);
    const leader = results.find((r) => r.memberId === r.leader)!;
    expect(leader.memberId).toBe(a.memberId);
    expect(leader.members.map((m) => m.memberId).sort()).toEqual([a.memberId, b.memberId, cc.memberId].sort());
    // Followers do not get the member list.
    expect(results.filter((r) => r !== leader).every((r) => r.members.length === 0)).toBe(true);
  });

  it('picks the protocol all members support, by the members’ votes', async () => {
    const p1 = await joinPending({
      protocols: [
        { name: 'roundrobin', metadata: bytes('1') },
        { name: 'range', metadata: bytes('2') },
      ],
    });
    const p2 = await joinPending({
      protocols: [
        { name: 'range', metadata: bytes('3') },
        { name: 'roundrobin', metadata: bytes('4') },
      ],
    });
    const p3 = await joinPending({
      protocols: [
        { name: 'range', metadata: bytes('5') },
        { name: 'sticky', metadata: bytes('6') },
      ],
    });
    clock.advance(DELAY * 4);
    const [r1] = await Promise.all([p1.result, p2.result, p3.result]);
    expect(r1!.protocolName).toBe('range');
    // The leader sees each member's metadata for the chosen protocol.
    expect(r1!.members.map((m) => Buffer.from(m.metadata).toString())).toEqual(['2', '3', '5']);
  });

  it('refuses members with no protocol in common, or another protocol type (INCONSISTENT_GROUP_PROTOCOL)', async () => {
    const first = await joinPending({
      protocols: [
        { name: 'range', metadata: bytes('') },
        { name: 'roundrobin', metadata: bytes('') },
      ],
    });
    const kafkajs = await c.join(joinReq({ protocols: [{ name: 'RoundRobinAssigner', metadata: bytes('') }] }));
    expect(kafkajs.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    const connect = await c.join(joinReq({ protocolType: 'connect' }));
    expect(connect.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    expect((await c.join(joinReq({ groupId: 'other', protocols: [] }))).errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    expect((await c.join(joinReq({ groupId: 'other2', protocolType: '' }))).errorCode).toBe(
      E.INCONSISTENT_GROUP_PROTOCOL,
    );
    clock.advance(DELAY);
    expect((await first.result).errorCode).toBe(E.NONE);
  });

  it('validates the group id, the session timeout and unknown member ids', async () => {
    expect((await c.join(joinReq({ groupId: '' }))).errorCode).toBe(E.INVALID_GROUP_ID);
    expect((await c.join(joinReq({ sessionTimeoutMs: 5 }))).errorCode).toBe(E.INVALID_SESSION_TIMEOUT);
    expect((await c.join(joinReq({ sessionTimeoutMs: 1_800_001 }))).errorCode).toBe(E.INVALID_SESSION_TIMEOUT);
    expect((await c.join(joinReq({ memberId: 'nobody' }))).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('forgets a member id handed out with MEMBER_ID_REQUIRED that never comes back', async () => {
    const first = await c.join(joinReq());
    expect(c.groups.get('g')!.pendingMembers.size).toBe(1);
    clock.advance(SESSION);
    expect(c.groups.get('g')!.pendingMembers.size).toBe(0);
    expect((await c.join(joinReq({ memberId: first.memberId }))).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });
});

describe('SyncGroup', () => {
  it('holds followers until the leader sends the assignments, then gives each its own', async () => {
    const a = await joinPending({ clientId: 'a' });
    const b = await joinPending({ clientId: 'b' });
    clock.advance(DELAY * 2);
    const [ra, rb] = await Promise.all([a.result, b.result]);
    const follower = c.sync({
      groupId: 'g',
      generationId: 1,
      memberId: rb!.memberId,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    let followerDone = false;
    void follower.then(() => (followerDone = true));
    await Promise.resolve();
    expect(followerDone).toBe(false);
    const leader = await c.sync({
      groupId: 'g',
      generationId: 1,
      memberId: ra!.memberId,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [
        { memberId: ra!.memberId, assignment: bytes('A') },
        { memberId: rb!.memberId, assignment: bytes('B') },
      ],
    });
    expect(leader).toMatchObject({ errorCode: E.NONE, protocolName: 'range', assignment: bytes('A') });
    expect(await follower).toMatchObject({ errorCode: E.NONE, assignment: bytes('B') });
    expect(c.groups.get('g')!.state).toBe('Stable');
    // A repeated sync in Stable returns the same assignment at once.
    const again = await c.sync({
      groupId: 'g',
      generationId: 1,
      memberId: rb!.memberId,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    expect(again.assignment).toEqual(bytes('B'));
  });

  it('refuses unknown members, stale generations, another protocol and syncs during a rebalance', async () => {
    const { ids, generation } = await stableGroup(1);
    const base = {
      groupId: 'g',
      generationId: generation,
      memberId: ids[0]!,
      protocolType: null,
      protocolName: null,
      assignments: [],
    };
    expect((await c.sync({ ...base, memberId: 'x' })).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    expect((await c.sync({ ...base, groupId: 'nope' })).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    expect((await c.sync({ ...base, generationId: generation + 1 })).errorCode).toBe(E.ILLEGAL_GENERATION);
    expect((await c.sync({ ...base, protocolName: 'roundrobin' })).errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    void joinPending({ clientId: 'late' });
    await Promise.resolve();
    expect((await c.sync(base)).errorCode).toBe(E.REBALANCE_IN_PROGRESS);
  });
});

describe('Heartbeat and rebalancing', () => {
  it('answers heartbeats with NONE when stable and the right errors otherwise', async () => {
    const { ids, generation } = await stableGroup(2);
    expect(c.heartbeat('g', ids[0]!, generation)).toBe(E.NONE);
    expect(c.heartbeat('g', 'stranger', generation)).toBe(E.UNKNOWN_MEMBER_ID);
    expect(c.heartbeat('g', ids[0]!, generation - 1)).toBe(E.ILLEGAL_GENERATION);
    expect(c.heartbeat('nope', ids[0]!, generation)).toBe(E.UNKNOWN_MEMBER_ID);
    expect(c.heartbeat('', ids[0]!, generation)).toBe(E.INVALID_GROUP_ID);
  });

  it('rebalances when a member joins a stable group: others learn it from their heartbeat and rejoin', async () => {
    const { ids, generation, leader } = await stableGroup(2);
    const newcomer = await joinPending({ clientId: 'new' });
    expect(c.groups.get('g')!.state).toBe('PreparingRebalance');
    expect(c.heartbeat('g', ids[0]!, generation)).toBe(E.REBALANCE_IN_PROGRESS);
    const rejoins = ids.map((id) => c.join(joinReq({ memberId: id })));
    const results = await Promise.all([...rejoins, newcomer.result]);
    expect(results.map((r) => r.generationId)).toEqual([generation + 1, generation + 1, generation + 1]);
    expect(results.every((r) => r.leader === leader)).toBe(true);
  });

  it('removes members that do not rejoin within the rebalance timeout', async () => {
    const { ids, generation } = await stableGroup(2);
    const newcomer = await joinPending({ clientId: 'new' });
    const stayer = c.join(joinReq({ memberId: ids[1]! }));
    // ids[0] keeps heartbeating but never rejoins; the rebalance timeout is 6 steps of half a session away.
    for (let step = 0; step < REBALANCE / (SESSION / 2); step++) {
      expect(c.heartbeat('g', ids[0]!, generation)).toBe(E.REBALANCE_IN_PROGRESS);
      clock.advance(SESSION / 2);
    }
    const [r1, r2] = await Promise.all([stayer, newcomer.result]);
    expect(r1!.generationId).toBe(generation + 1);
    expect([...c.groups.get('g')!.members.keys()].sort()).toEqual([ids[1]!, newcomer.memberId].sort());
    expect(c.heartbeat('g', ids[0]!, generation + 1)).toBe(E.UNKNOWN_MEMBER_ID);
    // The old leader left; one of the remaining members leads and gets the member list.
    const leaderResult = [r1!, r2!].find((r) => r.memberId === r.leader)!;
    expect(leaderResult.members).toHaveLength(2);
  });

  it('expires a member that stops heartbeating and rebalances the rest', async () => {
    const { ids, generation } = await stableGroup(2);
    clock.advance(SESSION - 1);
    expect(c.heartbeat('g', ids[1]!, generation)).toBe(E.NONE);
    clock.advance(1); // ids[0]'s session runs out
    expect(c.groups.get('g')!.members.has(ids[0]!)).toBe(false);
    expect(c.heartbeat('g', ids[1]!, generation)).toBe(E.REBALANCE_IN_PROGRESS);
    const r = await c.join(joinReq({ memberId: ids[1]! }));
    expect(r).toMatchObject({ errorCode: E.NONE, generationId: generation + 1, leader: ids[1] });
  });

  it('expires a leader that never syncs, and tells the waiting followers to rejoin', async () => {
    const a = await joinPending({ clientId: 'a' });
    const b = await joinPending({ clientId: 'b' });
    clock.advance(DELAY * 2);
    const [ra, rb] = await Promise.all([a.result, b.result]);
    const follower = c.sync({
      groupId: 'g',
      generationId: ra!.generationId,
      memberId: rb!.memberId,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    clock.advance(SESSION);
    expect((await follower).errorCode).toBe(E.REBALANCE_IN_PROGRESS);
    expect(c.groups.get('g')!.members.has(ra!.memberId)).toBe(false);
  });

  it('returns the current generation to a follower rejoining without changes, and rebalances for a leader', async () => {
    const { ids, generation, leader } = await stableGroup(2);
    const follower = ids.find((id) => id !== leader)!;
    const r = await c.join(joinReq({ memberId: follower }));
    expect(r).toMatchObject({ errorCode: E.NONE, generationId: generation, leader });
    expect(c.groups.get('g')!.state).toBe('Stable');
    const lr = c.join(joinReq({ memberId: leader }));
    expect(c.groups.get('g')!.state).toBe('PreparingRebalance');
    const fr = c.join(joinReq({ memberId: follower }));
    expect((await lr).generationId).toBe(generation + 1);
    expect((await fr).generationId).toBe(generation + 1);
  });
});

describe('LeaveGroup', () => {
  it('removes members, elects a new leader and rebalances; the last leaving empties the group', async () => {
    const { ids, generation, leader } = await stableGroup(2);
    const other = ids.find((id) => id !== leader)!;
    expect(c.leave('g', [leader, 'ghost'])).toEqual({
      errorCode: E.NONE,
      members: [
        { memberId: leader, errorCode: E.NONE },
        { memberId: 'ghost', errorCode: E.UNKNOWN_MEMBER_ID },
      ],
    });
    const g = c.groups.get('g')!;
    expect(g.leaderId).toBe(other);
    expect(g.state).toBe('PreparingRebalance');
    const r = await c.join(joinReq({ memberId: other }));
    expect(r).toMatchObject({ generationId: generation + 1, leader: other });
    expect(c.leave('g', [other]).members[0]!.errorCode).toBe(E.NONE);
    expect(g.state).toBe('Empty');
    expect(g.generationId).toBe(generation + 2);
    expect(c.leave('nope', ['x']).members[0]!.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('completes a rebalance when the only member not yet rejoined leaves', async () => {
    const { ids, generation } = await stableGroup(2);
    const rejoin = c.join(joinReq({ memberId: ids[0]! }));
    c.leave('g', [ids[1]!]);
    expect((await rejoin).generationId).toBe(generation + 1);
  });
});

describe('close', () => {
  it('answers every waiting request so no client hangs', async () => {
    const p = await joinPending();
    await c.close();
    expect((await p.result).errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(c.heartbeat('g', p.memberId, 1)).toBe(E.COORDINATOR_NOT_AVAILABLE);
  });
});
