import { EddyError, describeValue } from '../../common/errors.js';
import type { HandlerContext } from '../handler.js';
import { deleteGroups, describeGroups, listGroups } from './admin.js';
import type { GroupCoordinator } from './coordinator.js';
import { KafkaErrorCode as E } from './error-codes.js';
import { commitOffsets, fetchOffsets, type FetchedTopic } from './offsets.js';

/**
 * The coordinator's Kafka APIs as broker handlers. Requests and responses are plain objects keyed by the Kafka
 * JSON spec's field names with a lower-case first letter; fields a request's version lacks are undefined, and
 * responses carry every field, the codec writing those of the version. int64 fields are read as bigint or number
 * and written as numbers, as the broker's codec expects (offsets stay far below 2^53); bytes are Uint8Array.
 */

export interface RequestContext extends HandlerContext {
  /** The peer's address, shown by DescribeGroups as clientHost; absent when the broker does not know it. */
  clientHost?: string;
}

export type GroupHandler = (request: object, ctx: RequestContext) => Promise<object>;

/** Where clients find this broker: FindCoordinator answers with it. */
export interface CoordinatorNode {
  nodeId: number;
  host: string;
  port: number;
}

export const GROUP_API_KEYS = {
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  DeleteGroups: 42,
} as const;

type Req = Record<string, unknown>;

function field<T>(req: Req, name: string, check: (v: unknown) => v is T, what: string, fallback?: T): T {
  const v = req[name];
  if (v === undefined && fallback !== undefined) return fallback;
  if (!check(v)) {
    throw new EddyError('PROTOCOL_ERROR', `request field ${name} = ${describeValue(v)} is not ${what}`);
  }
  return v;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isArray = (v: unknown): v is Req[] => Array.isArray(v);
const isNullableArray = (v: unknown): v is Req[] | null => v === null || Array.isArray(v);
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isInt64 = (v: unknown): v is bigint | number => typeof v === 'bigint' || isInt(v);
const str = (r: Req, n: string, fallback?: string): string => field(r, n, isString, 'a string', fallback);
const nstr = (r: Req, n: string): string | null =>
  field<string | null>(r, n, isNullableString, 'a string or null', null);
const int = (r: Req, n: string, fallback?: number): number => field(r, n, isInt, 'an integer', fallback);
const arr = (r: Req, n: string, fallback?: Req[]): Req[] => field(r, n, isArray, 'an array', fallback);

function clientHostOf(ctx: RequestContext): string {
  const h = ctx.clientHost ?? '';
  // Kafka shows hosts as Java's InetAddress.toString() does, "/127.0.0.1", and tools print it that way.
  return h === '' || h.startsWith('/') ? h : `/${h}`;
}

/** For versions where a field is not nullable the codec needs a string; Kafka sends "" there. */
function nullableFrom(version: number, nullableSince: number, v: string | null): string | null {
  return v === null && version < nullableSince ? '' : v;
}

/** int64 offsets leave as numbers: the codec writes int64 from a number. */
function wireTopics(topics: FetchedTopic[]) {
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ ...p, committedOffset: Number(p.committedOffset) })),
  }));
}

export function createGroupHandlers(c: GroupCoordinator, node: () => CoordinatorNode): Map<number, GroupHandler> {
  const h = new Map<number, GroupHandler>();

  h.set(GROUP_API_KEYS.FindCoordinator, async (request, ctx) => {
    const r = request as Req;
    const self = node();
    const answer = (keyType: number) => {
      if (c.isClosed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, errorMessage: 'the coordinator is closed' };
      // One broker coordinates everything: groups (0) and transactions (1) alike.
      if (keyType !== 0 && keyType !== 1)
        return { errorCode: E.INVALID_REQUEST, errorMessage: `unknown key type ${keyType}` };
      return { errorCode: E.NONE, errorMessage: null };
    };
    const keyType = int(r, 'keyType', 0);
    if (ctx.apiVersion >= 4) {
      const keys = field(r, 'coordinatorKeys', (v): v is string[] => Array.isArray(v), 'an array of strings');
      return {
        throttleTimeMs: 0,
        coordinators: keys.map((key) => ({
          key,
          nodeId: self.nodeId,
          host: self.host,
          port: self.port,
          ...answer(keyType),
        })),
      };
    }
    const a = answer(keyType);
    const ok = a.errorCode === E.NONE;
    return {
      throttleTimeMs: 0,
      ...a,
      nodeId: ok ? self.nodeId : -1,
      host: ok ? self.host : '',
      port: ok ? self.port : -1,
    };
  });

  h.set(GROUP_API_KEYS.JoinGroup, async (request, ctx) => {
    const r = request as Req;
    const v = ctx.apiVersion;
    const sessionTimeoutMs = int(r, 'sessionTimeoutMs');
    const result = await c.join({
      groupId: str(r, 'groupId'),
      memberId: str(r, 'memberId'),
      groupInstanceId: nstr(r, 'groupInstanceId'),
      clientId: ctx.clientId ?? '',
      clientHost: clientHostOf(ctx),
      sessionTimeoutMs,
      // JoinGroup v0 has no rebalance timeout: Kafka uses the session timeout for both.
      rebalanceTimeoutMs: v >= 1 ? int(r, 'rebalanceTimeoutMs') : sessionTimeoutMs,
      protocolType: str(r, 'protocolType'),
      protocols: arr(r, 'protocols').map((p) => ({
        name: str(p, 'name'),
        metadata: field(p, 'metadata', isBytes, 'bytes'),
      })),
      requireKnownMemberId: v >= 4,
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: result.protocolType,
      protocolName: nullableFrom(v, 7, result.protocolName),
      leader: result.leader,
      skipAssignment: false,
      memberId: result.memberId,
      members: result.members,
    };
  });

  h.set(GROUP_API_KEYS.SyncGroup, async (request, ctx) => {
    const r = request as Req;
    const result = await c.sync({
      groupId: str(r, 'groupId'),
      generationId: int(r, 'generationId'),
      memberId: str(r, 'memberId'),
      protocolType: nstr(r, 'protocolType'),
      protocolName: nstr(r, 'protocolName'),
      assignments: arr(r, 'assignments').map((a) => ({
        memberId: str(a, 'memberId'),
        assignment: field(a, 'assignment', isBytes, 'bytes'),
      })),
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      protocolType: ctx.apiVersion >= 5 ? result.protocolType : null,
      protocolName: ctx.apiVersion >= 5 ? result.protocolName : null,
      assignment: result.assignment,
    };
  });

  h.set(GROUP_API_KEYS.Heartbeat, async (request) => {
    const r = request as Req;
    const errorCode = c.heartbeat(str(r, 'groupId'), str(r, 'memberId'), int(r, 'generationId'));
    return { throttleTimeMs: 0, errorCode };
  });

  h.set(GROUP_API_KEYS.LeaveGroup, async (request, ctx) => {
    const r = request as Req;
    const groupId = str(r, 'groupId');
    if (ctx.apiVersion <= 2) {
      const result = c.leave(groupId, [str(r, 'memberId')]);
      const errorCode = result.errorCode !== E.NONE ? result.errorCode : (result.members[0]?.errorCode ?? E.NONE);
      return { throttleTimeMs: 0, errorCode, members: [] };
    }
    const asked = arr(r, 'members').map((m) => ({
      memberId: str(m, 'memberId'),
      groupInstanceId: nstr(m, 'groupInstanceId'),
    }));
    const result = c.leave(
      groupId,
      asked.map((m) => m.memberId),
    );
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      members: result.members.map((m, i) => ({ ...m, groupInstanceId: asked[i]?.groupInstanceId ?? null })),
    };
  });

  h.set(GROUP_API_KEYS.OffsetCommit, async (request, ctx) => {
    const r = request as Req;
    const v = ctx.apiVersion;
    const out = await commitOffsets(c, {
      groupId: str(r, 'groupId'),
      generationId: v >= 1 ? int(r, 'generationIdOrMemberEpoch', -1) : -1,
      memberId: v >= 1 ? str(r, 'memberId', '') : '',
      retentionTimeMs: v >= 2 && v <= 4 ? Number(field(r, 'retentionTimeMs', isInt64, 'an int64', -1)) : -1,
      topics: arr(r, 'topics').map((t) => ({
        name: str(t, 'name'),
        partitions: arr(t, 'partitions').map((p) => ({
          partitionIndex: int(p, 'partitionIndex'),
          committedOffset: BigInt(field(p, 'committedOffset', isInt64, 'an int64')),
          committedLeaderEpoch: v >= 6 ? int(p, 'committedLeaderEpoch', -1) : -1,
          commitTimestamp: v === 1 ? Number(field(p, 'commitTimestamp', isInt64, 'an int64', -1)) : -1,
          committedMetadata: nstr(p, 'committedMetadata'),
        })),
      })),
    });
    return { throttleTimeMs: 0, topics: out.topics };
  });

  h.set(GROUP_API_KEYS.OffsetFetch, async (request, ctx) => {
    const r = request as Req;
    const v = ctx.apiVersion;
    const topicsOf = (x: Req): { name: string; partitionIndexes: number[] }[] | null => {
      const ts = field(x, 'topics', isNullableArray, 'an array or null');
      if (ts === null && v < 2) throw new EddyError('PROTOCOL_ERROR', `OffsetFetch v${v} cannot ask for all topics`);
      return ts === null
        ? null
        : ts.map((t) => ({
            name: str(t, 'name'),
            partitionIndexes: field(
              t,
              'partitionIndexes',
              (a): a is number[] => Array.isArray(a) && a.every(isInt),
              'int32s',
            ),
          }));
    };
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        groups: arr(r, 'groups').map((g) => {
          const groupId = str(g, 'groupId');
          const res = fetchOffsets(c, groupId, topicsOf(g));
          return { groupId, topics: wireTopics(res.topics), errorCode: res.errorCode };
        }),
      };
    }
    const asked = topicsOf(r);
    const res = fetchOffsets(c, str(r, 'groupId'), asked);
    // v0-1 have no group-level error: it goes into every asked partition instead.
    const topics =
      v < 2 && res.errorCode !== E.NONE
        ? (asked ?? []).map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((partitionIndex) => ({
              partitionIndex,
              committedOffset: -1,
              committedLeaderEpoch: -1,
              metadata: '',
              errorCode: res.errorCode,
            })),
          }))
        : wireTopics(res.topics);
    return { throttleTimeMs: 0, topics, errorCode: res.errorCode };
  });

  h.set(GROUP_API_KEYS.ListGroups, async (request, ctx) => {
    const r = request as Req;
    const strings = (n: string) =>
      field(r, n, (a): a is string[] => Array.isArray(a) && a.every(isString), 'strings', []);
    const groups = listGroups(
      c,
      ctx.apiVersion >= 4 ? strings('statesFilter') : [],
      ctx.apiVersion >= 5 ? strings('typesFilter') : [],
    );
    return { throttleTimeMs: 0, errorCode: c.isClosed ? E.COORDINATOR_NOT_AVAILABLE : E.NONE, groups };
  });

  h.set(GROUP_API_KEYS.DescribeGroups, async (request) => {
    const r = request as Req;
    const ids = field(
      r,
      'groups',
      (a): a is string[] => Array.isArray(a) && a.every(isString),
      'an array of group ids',
    );
    return { throttleTimeMs: 0, groups: describeGroups(c, ids) };
  });

  h.set(GROUP_API_KEYS.DeleteGroups, async (request) => {
    const r = request as Req;
    const ids = field(
      r,
      'groupsNames',
      (a): a is string[] => Array.isArray(a) && a.every(isString),
      'an array of group ids',
    );
    return { throttleTimeMs: 0, results: await deleteGroups(c, ids) };
  });

  return h;
}
