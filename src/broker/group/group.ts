import type { Timer } from './clock.js';

/**
 * One consumer group's in-memory state: Kafka's classic group protocol (GroupMetadata in Kafka), without the
 * persistence and timers, which the coordinator owns.
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance ──leader sync──▶ Stable
 *     ▲                    ▲    │ (no member left)                        │                            │
 *     └────────────────────┼────┘                                         └──── join/leave/expiry ─────┘
 *                          └───────────────────────────────────────────────────────────────────────────┘
 *   Empty ──delete / offsets expired──▶ Dead
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
];

/** Which states a group may enter each state from, as Kafka enforces it; anything else is a coordinator bug. */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export interface GroupProtocol {
  name: string;
  metadata: Uint8Array;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Filled for the leader only: every member with its metadata for the chosen protocol. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Uint8Array }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Uint8Array;
}

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  /** JoinGroup v4+ clients get MEMBER_ID_REQUIRED and must rejoin with the id handed out. */
  requireKnownMemberId: boolean;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Uint8Array }[];
}

export function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: new Uint8Array(0) };
}

export class Member {
  assignment: Uint8Array = new Uint8Array(0);
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  awaitingJoin: ((r: JoinResult) => void) | null = null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((r: SyncResult) => void) | null = null;
  /** A member that has not yet received a join response; it may linger only newMemberJoinTimeoutMs. */
  isNew = true;
  heartbeatTimer: Timer | null = null;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    readonly protocolType: string,
    public protocols: GroupProtocol[],
  ) {}

  metadataFor(protocol: string): Uint8Array {
    const p = this.protocols.find((x) => x.name === protocol);
    return p === undefined ? new Uint8Array(0) : p.metadata;
  }

  /** Same protocol names in the same order with the same metadata bytes: a rejoin that changes nothing. */
  matches(protocols: GroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => {
      const mine = this.protocols[i]!;
      return mine.name === p.name && Buffer.from(mine.metadata).equals(Buffer.from(p.metadata));
    });
  }

  /** The member's most preferred protocol among the candidates (its list is in preference order). */
  vote(candidates: Set<string>): string {
    const choice = this.protocols.find((p) => candidates.has(p.name));
    if (choice === undefined) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return choice.name;
  }
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType = '';
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, waiting for the member to join with them. */
  readonly pendingMembers = new Map<string, Timer>();
  /** When the group last became Empty (null after a restart: offsets then age from their commit time). */
  emptySince: number | null = null;
  /** The delayed completion of the current join phase. */
  joinTimer: Timer | null = null;
  /** True while the first rebalance of an empty group is held back by group.initial.rebalance.delay.ms. */
  initialDelay = false;
  newMemberAdded = false;

  constructor(readonly groupId: string) {}

  is(state: GroupState): boolean {
    return this.state === state;
  }

  transition(to: GroupState, now: number): void {
    if (!VALID_PREVIOUS[to].includes(this.state)) {
      throw new Error(`group ${this.groupId}: illegal transition ${this.state} -> ${to}`);
    }
    this.state = to;
    if (to === 'Empty') this.emptySince = now;
  }

  /** Whether a member with this protocol type and these protocols may join (Kafka's supportsProtocols). */
  supportsProtocols(protocolType: string, protocols: string[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    return this.candidateProtocols().size > 0 && protocols.some((p) => this.candidateProtocols().has(p));
  }

  /** Protocols every current member supports. */
  candidateProtocols(): Set<string> {
    let common: Set<string> | null = null;
    for (const m of this.members.values()) {
      const names = new Set(m.protocols.map((p) => p.name));
      const prev: Set<string> | null = common;
      common = prev === null ? names : new Set([...prev].filter((n: string) => names.has(n)));
    }
    return common ?? new Set<string>();
  }

  /** Each member votes for its favourite common protocol; the most votes win, ties going to the earliest vote. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best: string | null = null;
    for (const [name, count] of votes) if (best === null || count > votes.get(best)!) best = name;
    if (best === null) throw new Error(`group ${this.groupId} has no members to select a protocol`);
    return best;
  }

  add(member: Member): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  remove(memberId: string): void {
    this.members.delete(memberId);
    if (this.leaderId === memberId) {
      // Prefer a member already waiting in the join phase, so the new leader is one that will get the response.
      const next =
        [...this.members.values()].find((m) => m.awaitingJoin !== null) ?? this.members.values().next().value;
      this.leaderId = next?.memberId ?? null;
    }
  }

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (m.awaitingJoin === null) return false;
    return true;
  }

  /** Longest rebalance timeout of the members: how long a rebalance may wait for them all. */
  rebalanceTimeoutMs(): number {
    let t = 0;
    for (const m of this.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t;
  }
}
