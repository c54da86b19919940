import { getLogger } from '../../common/log.js';
import type { GroupCoordinator } from './coordinator.js';
import { KafkaErrorCode as E } from './error-codes.js';

/** ListGroups, DescribeGroups and DeleteGroups: what kafka-consumer-groups.sh and admin clients ask for. */

const log = getLogger('broker.group.admin');

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

/** Every live group; `statesFilter` / `typesFilter` (case-insensitive, empty = all) as ListGroups v4/v5. */
export function listGroups(
  c: GroupCoordinator,
  statesFilter: string[] = [],
  typesFilter: string[] = [],
): ListedGroup[] {
  const states = new Set(statesFilter.map((s) => s.toLowerCase()));
  const types = new Set(typesFilter.map((s) => s.toLowerCase()));
  const out: ListedGroup[] = [];
  for (const g of c.groups.values()) {
    if (g.is('Dead')) continue;
    if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
    // Every group here speaks the classic protocol (KIP-848's "consumer" groups are not implemented).
    if (types.size > 0 && !types.has('classic')) continue;
    out.push({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: 'classic' });
  }
  return out.sort((a, b) => a.groupId.localeCompare(b.groupId));
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Uint8Array;
  memberAssignment: Uint8Array;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedMember[];
  authorizedOperations: number;
}

/** Kafka's "not included" value for authorizedOperations. */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/**
 * Describes groups as Kafka's GroupMetadata.summary does: metadata and assignments only once the group is Stable
 * (before that they are in flux); an unknown group is reported as Dead with no error, as DescribeGroups v0-5 do.
 */
export function describeGroups(c: GroupCoordinator, groupIds: string[]): DescribedGroup[] {
  return groupIds.map((groupId) => {
    const base = {
      groupId,
      protocolType: '',
      protocolData: '',
      members: [] as DescribedMember[],
      authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
    if (c.isClosed) return { ...base, errorCode: E.COORDINATOR_NOT_AVAILABLE, groupState: 'Dead' };
    if (groupId === '') return { ...base, errorCode: E.INVALID_GROUP_ID, groupState: 'Dead' };
    const g = c.groups.get(groupId);
    if (g === undefined) return { ...base, errorCode: E.NONE, groupState: 'Dead' };
    const stable = g.is('Stable');
    return {
      ...base,
      errorCode: E.NONE,
      groupState: g.state,
      protocolType: g.protocolType,
      protocolData: stable ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(g.protocolName ?? '') : new Uint8Array(0),
        memberAssignment: stable ? m.assignment : new Uint8Array(0),
      })),
    };
  });
}

/** Deletes empty groups and their offsets; a group with members is refused with NON_EMPTY_GROUP. */
export async function deleteGroups(
  c: GroupCoordinator,
  groupIds: string[],
): Promise<{ groupId: string; errorCode: number }[]> {
  const results: { groupId: string; errorCode: number }[] = [];
  for (const groupId of groupIds) {
    if (c.isClosed) {
      results.push({ groupId, errorCode: E.COORDINATOR_NOT_AVAILABLE });
      continue;
    }
    if (groupId === '') {
      results.push({ groupId, errorCode: E.INVALID_GROUP_ID });
      continue;
    }
    const g = c.groups.get(groupId);
    if (g === undefined || g.is('Dead')) {
      results.push({ groupId, errorCode: E.GROUP_ID_NOT_FOUND });
      continue;
    }
    if (!g.is('Empty') || g.pendingMembers.size > 0) {
      results.push({ groupId, errorCode: E.NON_EMPTY_GROUP });
      continue;
    }
    try {
      await c.removeGroup(g);
      results.push({ groupId, errorCode: E.NONE });
    } catch (e) {
      log.error(`deleting group ${groupId} failed`, e);
      results.push({ groupId, errorCode: E.COORDINATOR_NOT_AVAILABLE });
    }
  }
  return results;
}
