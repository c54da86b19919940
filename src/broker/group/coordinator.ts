import { randomUUID } from 'node:crypto';
import { EddyError } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';
import { systemClock, type Clock, type Timer } from './clock.js';
import { resolveGroupConfig, type GroupCoordinatorConfig } from './config.js';
import { KafkaErrorCode as E } from './error-codes.js';
import {
  Group,
  joinError,
  Member,
  syncError,
  type JoinRequest,
  type JoinResult,
  type SyncRequest,
  type SyncResult,
} from './group.js';

export type { JoinRequest, SyncRequest } from './group.js';
import { expireOffsets } from './offsets.js';
import { GroupStateStore, type StateStoreOptions } from './state-store.js';

/**
 * The group coordinator: Kafka's classic consumer-group protocol (JoinGroup / SyncGroup / Heartbeat / LeaveGroup)
 * for every group of this single broker, plus the group-level bookkeeping the offset, listing and deletion APIs
 * share. Responses that Kafka holds back (a JoinGroup until the rebalance completes, a follower's SyncGroup until
 * the leader's assignment arrives) are promises resolved by later requests or by timers on the injected Clock.
 *
 * Start reading at join(); the rest follows Kafka's GroupCoordinator, whose behaviour clients are written against.
 */

const log = getLogger('broker.group');

export interface CoordinatorOptions {
  /** The broker's data folder; group state lives in `<dataDir>/__group_state/`. */
  dataDir: string;
  config?: Partial<GroupCoordinatorConfig>;
  clock?: Clock;
  stateStore?: StateStoreOptions;
}

export class GroupCoordinator {
  readonly config: GroupCoordinatorConfig;
  readonly clock: Clock;
  readonly groups = new Map<string, Group>();
  private retentionTimer: Timer | null = null;
  private retentionRun: Promise<number> = Promise.resolve(0);
  private closed = false;

  private constructor(
    readonly store: GroupStateStore,
    config: GroupCoordinatorConfig,
    clock: Clock,
  ) {
    this.config = config;
    this.clock = clock;
  }

  /** Opens the coordinator, reloading committed offsets and each group's generation from disk. */
  static async open(options: CoordinatorOptions): Promise<GroupCoordinator> {
    const config = resolveGroupConfig(options.config);
    const store = await GroupStateStore.open(options.dataDir, options.stateStore);
    const c = new GroupCoordinator(store, config, options.clock ?? systemClock);
    for (const groupId of new Set([...store.groups.keys(), ...store.offsets.keys()])) {
      const g = new Group(groupId);
      const persisted = store.groups.get(groupId);
      if (persisted !== undefined) {
        g.generationId = persisted.generationId;
        g.protocolType = persisted.protocolType;
      }
      c.groups.set(groupId, g);
    }
    c.scheduleRetentionCheck();
    return c;
  }

  // ---------------------------------------------------------------- JoinGroup

  join(req: JoinRequest): Promise<JoinResult> {
    if (this.closed) return Promise.resolve(joinError(E.COORDINATOR_NOT_AVAILABLE, req.memberId));
    if (req.groupId === '') return Promise.resolve(joinError(E.INVALID_GROUP_ID, req.memberId));
    if (
      req.sessionTimeoutMs < this.config.minSessionTimeoutMs ||
      req.sessionTimeoutMs > this.config.maxSessionTimeoutMs
    ) {
      return Promise.resolve(joinError(E.INVALID_SESSION_TIMEOUT, req.memberId));
    }
    let group = this.groups.get(req.groupId);
    if (group === undefined) {
      if (req.memberId !== '') return Promise.resolve(joinError(E.UNKNOWN_MEMBER_ID, req.memberId));
      group = new Group(req.groupId);
      this.groups.set(req.groupId, group);
    }
    if (group.is('Dead')) return Promise.resolve(joinError(E.COORDINATOR_NOT_AVAILABLE, req.memberId));
    const names = req.protocols.map((p) => p.name);
    const known = group.members.get(req.memberId);
    // A known member changing its own protocols is judged against the others, not against its old self.
    const supported =
      known !== undefined && group.members.size === 1
        ? req.protocolType === group.protocolType && names.length > 0
        : group.supportsProtocols(req.protocolType, names);
    if (!supported) return Promise.resolve(joinError(E.INCONSISTENT_GROUP_PROTOCOL, req.memberId));

    if (req.memberId === '') {
      const memberId = `${req.clientId}-${randomUUID()}`;
      if (req.requireKnownMemberId) {
        // The id is remembered for one session timeout; a client that never comes back with it is forgotten.
        const g = group;
        g.pendingMembers.set(
          memberId,
          this.clock.schedule(req.sessionTimeoutMs, () => {
            g.pendingMembers.delete(memberId);
            this.checkJoinComplete(g);
          }),
        );
        return Promise.resolve(joinError(E.MEMBER_ID_REQUIRED, memberId));
      }
      return this.addMemberAndRebalance(group, memberId, req);
    }
    const pending = group.pendingMembers.get(req.memberId);
    if (pending !== undefined) {
      pending.cancel();
      group.pendingMembers.delete(req.memberId);
      return this.addMemberAndRebalance(group, req.memberId, req);
    }
    if (known === undefined) return Promise.resolve(joinError(E.UNKNOWN_MEMBER_ID, req.memberId));
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, known, req);
      case 'CompletingRebalance':
        // The member lost our join response; give it the same answer again unless it changed its protocols.
        if (known.matches(req.protocols)) return Promise.resolve(this.joinResultFor(group, known));
        return this.updateMemberAndRebalance(group, known, req);
      case 'Stable':
        if (group.leaderId === known.memberId || !known.matches(req.protocols)) {
          return this.updateMemberAndRebalance(group, known, req);
        }
        return Promise.resolve(this.joinResultFor(group, known));
      default:
        return Promise.resolve(joinError(E.UNKNOWN_MEMBER_ID, req.memberId));
    }
  }

  private addMemberAndRebalance(group: Group, memberId: string, req: JoinRequest): Promise<JoinResult> {
    const member = new Member(
      memberId,
      req.groupInstanceId,
      req.clientId,
      req.clientHost,
      req.sessionTimeoutMs,
      req.rebalanceTimeoutMs,
      req.protocolType,
      req.protocols,
    );
    const result = new Promise<JoinResult>((resolve) => {
      member.awaitingJoin = resolve;
    });
    group.add(member);
    if (group.is('PreparingRebalance')) group.newMemberAdded = true;
    this.scheduleExpiry(group, member, this.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalance(group, `new member ${memberId} joined`);
    this.checkJoinComplete(group);
    return result;
  }

  private updateMemberAndRebalance(group: Group, member: Member, req: JoinRequest): Promise<JoinResult> {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    // A second JoinGroup replaces the first; the first caller is told to rejoin rather than left hanging.
    member.awaitingJoin?.(joinError(E.REBALANCE_IN_PROGRESS, member.memberId));
    const result = new Promise<JoinResult>((resolve) => {
      member.awaitingJoin = resolve;
    });
    this.maybePrepareRebalance(group, `member ${member.memberId} rejoined`);
    this.checkJoinComplete(group);
    return result;
  }

  private joinResultFor(group: Group, member: Member): JoinResult {
    const isLeader = group.leaderId === member.memberId;
    return {
      errorCode: E.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.metadataFor(group.protocolName ?? ''),
          }))
        : [],
    };
  }

  private maybePrepareRebalance(group: Group, reason: string): void {
    if (group.is('Stable') || group.is('CompletingRebalance') || group.is('Empty'))
      this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: Group, reason: string): void {
    log.debug(`group ${group.groupId}: preparing to rebalance (${reason})`);
    if (group.is('CompletingRebalance')) this.resetAssignments(group, E.REBALANCE_IN_PROGRESS);
    const fromEmpty = group.is('Empty');
    group.transition('PreparingRebalance', this.clock.now());
    group.joinTimer?.cancel();
    if (fromEmpty) {
      // group.initial.rebalance.delay.ms: wait for more members of a starting group, extending the wait (up to the
      // rebalance timeout) while new members keep arriving, so a group that starts together rebalances once.
      const delay = this.config.initialRebalanceDelayMs;
      group.initialDelay = true;
      group.newMemberAdded = false;
      this.scheduleInitialDelay(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      group.initialDelay = false;
      group.joinTimer = this.clock.schedule(group.rebalanceTimeoutMs(), () => this.completeJoin(group));
    }
  }

  private scheduleInitialDelay(group: Group, delay: number, remaining: number): void {
    group.joinTimer = this.clock.schedule(delay, () => {
      if (group.newMemberAdded && remaining > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.config.initialRebalanceDelayMs, remaining);
        this.scheduleInitialDelay(group, next, Math.max(remaining - next, 0));
      } else {
        this.completeJoin(group);
      }
    });
  }

  /** Completes the join phase early once every member has rejoined (not during the initial delay). */
  private checkJoinComplete(group: Group): void {
    if (group.is('PreparingRebalance') && !group.initialDelay && group.allMembersJoined()) this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    if (!group.is('PreparingRebalance')) return;
    group.joinTimer?.cancel();
    group.joinTimer = null;
    group.initialDelay = false;
    for (const m of [...group.members.values()]) {
      if (m.awaitingJoin === null) {
        log.info(`group ${group.groupId}: removing member ${m.memberId}, which did not rejoin in time`);
        this.dropMember(group, m, E.UNKNOWN_MEMBER_ID);
      }
    }
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.transition('Empty', this.clock.now());
    } else {
      group.protocolName = group.selectProtocol();
      group.transition('CompletingRebalance', this.clock.now());
    }
    this.persistGroup(group);
    for (const m of group.members.values()) {
      const respond = m.awaitingJoin!;
      m.awaitingJoin = null;
      m.isNew = false;
      respond(this.joinResultFor(group, m));
      this.scheduleExpiry(group, m, m.sessionTimeoutMs);
    }
    log.debug(
      `group ${group.groupId}: generation ${group.generationId} with ${group.members.size} member(s), ` +
        `protocol ${group.protocolName ?? '(none)'}, leader ${group.leaderId ?? '(none)'}`,
    );
  }

  private resetAssignments(group: Group, errorCode: number): void {
    for (const m of group.members.values()) {
      m.assignment = new Uint8Array(0);
      const respond = m.awaitingSync;
      m.awaitingSync = null;
      respond?.(syncError(errorCode));
    }
  }

  // ---------------------------------------------------------------- SyncGroup

  sync(req: SyncRequest): Promise<SyncResult> {
    const group = this.groups.get(req.groupId);
    if (this.closed) return Promise.resolve(syncError(E.COORDINATOR_NOT_AVAILABLE));
    if (req.groupId === '') return Promise.resolve(syncError(E.INVALID_GROUP_ID));
    if (group === undefined || group.is('Dead')) return Promise.resolve(syncError(E.UNKNOWN_MEMBER_ID));
    const member = group.members.get(req.memberId);
    if (member === undefined) return Promise.resolve(syncError(E.UNKNOWN_MEMBER_ID));
    if (req.generationId !== group.generationId) return Promise.resolve(syncError(E.ILLEGAL_GENERATION));
    if (
      (req.protocolType !== null && req.protocolType !== group.protocolType) ||
      (req.protocolName !== null && req.protocolName !== group.protocolName)
    ) {
      return Promise.resolve(syncError(E.INCONSISTENT_GROUP_PROTOCOL));
    }
    switch (group.state) {
      case 'PreparingRebalance':
        return Promise.resolve(syncError(E.REBALANCE_IN_PROGRESS));
      case 'Stable':
        this.scheduleExpiry(group, member, member.sessionTimeoutMs);
        return Promise.resolve(this.syncResultFor(group, member));
      case 'CompletingRebalance': {
        const result = new Promise<SyncResult>((resolve) => {
          member.awaitingSync = resolve;
        });
        this.scheduleExpiry(group, member, member.sessionTimeoutMs);
        if (group.leaderId === member.memberId) {
          const given = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
          for (const m of group.members.values()) m.assignment = given.get(m.memberId) ?? new Uint8Array(0);
          group.transition('Stable', this.clock.now());
          for (const m of group.members.values()) {
            const respond = m.awaitingSync;
            m.awaitingSync = null;
            respond?.(this.syncResultFor(group, m));
          }
        }
        return result;
      }
      default:
        return Promise.resolve(syncError(E.UNKNOWN_MEMBER_ID));
    }
  }

  private syncResultFor(group: Group, member: Member): SyncResult {
    return {
      errorCode: E.NONE,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment: member.assignment,
    };
  }

  // ---------------------------------------------------------------- Heartbeat

  heartbeat(groupId: string, memberId: string, generationId: number): number {
    if (this.closed) return E.COORDINATOR_NOT_AVAILABLE;
    if (groupId === '') return E.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (group === undefined || group.is('Empty')) return E.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return E.COORDINATOR_NOT_AVAILABLE;
    const member = group.members.get(memberId);
    if (member === undefined) return E.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    this.scheduleExpiry(group, member, member.sessionTimeoutMs);
    return group.is('PreparingRebalance') ? E.REBALANCE_IN_PROGRESS : E.NONE;
  }

  // ---------------------------------------------------------------- LeaveGroup

  /** Removes members; the error code per member, plus a group-level one (non-zero only if the group cannot act). */
  leave(
    groupId: string,
    memberIds: string[],
  ): { errorCode: number; members: { memberId: string; errorCode: number }[] } {
    if (this.closed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, members: [] };
    if (groupId === '') return { errorCode: E.INVALID_GROUP_ID, members: [] };
    const group = this.groups.get(groupId);
    if (group === undefined || group.is('Dead')) {
      return {
        errorCode: E.NONE,
        members: memberIds.map((memberId) => ({ memberId, errorCode: E.UNKNOWN_MEMBER_ID })),
      };
    }
    const members = memberIds.map((memberId) => {
      const pending = group.pendingMembers.get(memberId);
      if (pending !== undefined) {
        pending.cancel();
        group.pendingMembers.delete(memberId);
        this.checkJoinComplete(group);
        return { memberId, errorCode: E.NONE };
      }
      const member = group.members.get(memberId);
      if (member === undefined) return { memberId, errorCode: E.UNKNOWN_MEMBER_ID };
      log.debug(`group ${groupId}: member ${memberId} left`);
      this.removeMemberAndUpdateGroup(group, member);
      return { memberId, errorCode: E.NONE };
    });
    return { errorCode: E.NONE, members };
  }

  // ---------------------------------------------------------------- liveness

  /** (Re)arms a member's session timer: silence past it removes the member and rebalances the group. */
  private scheduleExpiry(group: Group, member: Member, timeoutMs: number): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = this.clock.schedule(timeoutMs, () => {
      member.heartbeatTimer = null;
      if (group.members.get(member.memberId) !== member) return;
      // Members waiting on us are alive by definition; their timers restart when the wait ends. A brand-new
      // member stuck in a join that never completes is the exception (Kafka's new-member join timeout).
      if ((member.awaitingJoin !== null && !member.isNew) || member.awaitingSync !== null) {
        this.scheduleExpiry(group, member, member.sessionTimeoutMs);
        return;
      }
      log.info(`group ${group.groupId}: member ${member.memberId} expired after ${timeoutMs} ms without a heartbeat`);
      this.removeMemberAndUpdateGroup(group, member);
    });
  }

  private removeMemberAndUpdateGroup(group: Group, member: Member): void {
    this.dropMember(group, member, E.UNKNOWN_MEMBER_ID);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.prepareRebalance(group, `member ${member.memberId} left`);
        this.checkJoinComplete(group);
        break;
      case 'PreparingRebalance':
        this.checkJoinComplete(group);
        break;
      default:
        break;
    }
  }

  private dropMember(group: Group, member: Member, errorCode: number): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = null;
    group.remove(member.memberId);
    const join = member.awaitingJoin;
    const sync = member.awaitingSync;
    member.awaitingJoin = null;
    member.awaitingSync = null;
    join?.(joinError(errorCode, member.memberId));
    sync?.(syncError(errorCode));
  }

  // ---------------------------------------------------------------- shared with the offset and admin APIs

  /** Writes the group's protocol type and generation so a restart continues the generation count. */
  persistGroup(group: Group): void {
    if (group.protocolType === '') return;
    this.store
      .append([
        {
          type: 'group',
          groupId: group.groupId,
          value: { protocolType: group.protocolType, generationId: group.generationId },
        },
      ])
      .catch((e: unknown) => log.warn(`could not persist the generation of group ${group.groupId}`, e));
  }

  /** Commits count as liveness, as in Kafka: a member busy committing is not expired. */
  touchMember(group: Group, member: Member): void {
    this.scheduleExpiry(group, member, member.sessionTimeoutMs);
  }

  /** Marks an empty group Dead and forgets it and its offsets, durably. */
  async removeGroup(group: Group): Promise<void> {
    if (!group.is('Empty') && !group.is('Dead')) {
      throw new EddyError(
        'ILLEGAL_STATE',
        `group ${group.groupId} is ${group.state}; only an empty group can be removed`,
      );
    }
    group.transition('Dead', this.clock.now());
    for (const t of group.pendingMembers.values()) t.cancel();
    group.pendingMembers.clear();
    if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
    await this.store.append([{ type: 'group-delete', groupId: group.groupId }]);
  }

  private scheduleRetentionCheck(): void {
    this.retentionTimer = this.clock.schedule(this.config.offsetsRetentionCheckIntervalMs, () => {
      this.retentionRun = expireOffsets(this)
        .catch((e: unknown) => {
          log.warn('expiring old offsets failed', e);
          return 0;
        })
        .finally(() => {
          if (!this.closed) this.scheduleRetentionCheck();
        });
    });
  }

  /** The latest periodic retention check: how many offsets it dropped (lets callers await its effect). */
  get lastRetentionCheck(): Promise<number> {
    return this.retentionRun;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.retentionTimer?.cancel();
    await this.retentionRun;
    for (const group of this.groups.values()) {
      group.joinTimer?.cancel();
      for (const t of group.pendingMembers.values()) t.cancel();
      for (const m of group.members.values()) {
        m.heartbeatTimer?.cancel();
        const join = m.awaitingJoin;
        const sync = m.awaitingSync;
        m.awaitingJoin = null;
        m.awaitingSync = null;
        // Clients treat this as "find the coordinator again", which is right for a broker going away.
        join?.(joinError(E.COORDINATOR_NOT_AVAILABLE, m.memberId));
        sync?.(syncError(E.COORDINATOR_NOT_AVAILABLE));
      }
    }
    await this.store.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
