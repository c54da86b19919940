import { randomUUID } from 'node:crypto';
import { EddyError, describeValue } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';
import { BrokerConnection } from './connection.js';
import {
  ASSIGNORS,
  DEFAULT_ASSIGNMENT_STRATEGY,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from './group-assignor.js';
import { KafkaClient, type FetchResult } from './kafka-client.js';
import { KafkaResponseError } from './kafka-errors.js';
import type { Message } from '../protocol/message-codec.js';

const log = getLogger('group-consumer');

/** API keys and the versions this consumer speaks (within what Kafka 3.x, 4.x and the built-in broker accept). */
const API = {
  OffsetCommit: [8, 7],
  OffsetFetch: [9, 7],
  FindCoordinator: [10, 2],
  JoinGroup: [11, 5],
  Heartbeat: [12, 3],
  LeaveGroup: [13, 3],
  SyncGroup: [14, 3],
} as const;

/** Group error codes the member answers by joining again. */
const ILLEGAL_GENERATION = 22;
const UNKNOWN_MEMBER_ID = 25;
const REBALANCE_IN_PROGRESS = 27;
const MEMBER_ID_REQUIRED = 79;
const REJOIN = new Set([ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS]);
/** The coordinator moved or is loading: find it again and retry. */
const COORDINATOR_RETRY = new Set([14, 15, 16]);

export interface GroupConsumerOptions {
  bootstrapServers: string;
  groupId: string;
  topics: readonly string[];
  clientId?: string;
  /** session.timeout.ms: how long the group waits for a silent member (default 30 000, as kafkajs). */
  sessionTimeoutMs?: number;
  /** heartbeat.interval.ms (default a tenth of the session timeout, at least 100 ms). */
  heartbeatIntervalMs?: number;
  /** rebalance.timeout.ms / max.poll.interval.ms: how long a rebalance waits for members (default 60 000). */
  rebalanceTimeoutMs?: number;
  /** auto.offset.reset for partitions with no committed offset: 'earliest' or 'latest' (default). */
  autoOffsetReset?: 'earliest' | 'latest';
  /** Fetch's max wait when no data is there (default 100 ms). */
  maxWaitMs?: number;
  /**
   * Kafka's partition.assignment.strategy: the assignors offered in JoinGroup, in preference order; the
   * coordinator picks one every member offers. Default range, roundrobin, RoundRobinAssigner (kafkajs's name),
   * so that Java, librdkafka, kafka-python and kafkajs members can share a group with this one.
   */
  partitionAssignmentStrategy?: readonly string[];
}

/** Records of one partition, handed to the handler; `nextOffset` is what to commit once they are processed. */
export interface GroupBatch {
  topic: string;
  partition: number;
  records: FetchResult['records'];
  nextOffset: number;
}

/**
 * A member of a Kafka consumer group on Eddy's client: FindCoordinator, JoinGroup / SyncGroup (offering range,
 * roundrobin and kafkajs's RoundRobinAssigner; as leader it runs the one the coordinator chose), heartbeats on a timer (so a long batch does not look like a dead member), OffsetFetch for
 * the starting positions, OffsetCommit when the caller says a batch is done, LeaveGroup on close. The coordinator
 * answering REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION makes the member finish the batch in
 * hand and join again. Offsets are committed only by commit(): at-least-once, as the caller's writes allow.
 */
export class GroupConsumer {
  private coordinator: BrokerConnection | null = null;
  private memberId = '';
  private generationId = -1;
  private needsJoin = true;
  private closed = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private positions = new Map<string, number>();
  private loop: Promise<void> | null = null;
  private failure: Error | null = null;
  private waiters: (() => void)[] = [];
  /** Partitions held since the last rebalance, per topic. */
  assignment = new Map<string, number[]>();
  /** The assignor the coordinator chose for the current generation. */
  protocol: string | null = null;

  private constructor(
    private readonly client: KafkaClient,
    private readonly o: Required<Omit<GroupConsumerOptions, 'clientId'>> & { clientId: string },
  ) {}

  static async connect(options: GroupConsumerOptions): Promise<GroupConsumer> {
    const session = options.sessionTimeoutMs ?? 30_000;
    const o = {
      clientId: options.clientId ?? 'eddy-group',
      bootstrapServers: options.bootstrapServers,
      groupId: options.groupId,
      topics: [...options.topics],
      sessionTimeoutMs: session,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? Math.max(100, Math.floor(session / 10)),
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
      autoOffsetReset: options.autoOffsetReset ?? 'latest',
      maxWaitMs: options.maxWaitMs ?? 100,
      partitionAssignmentStrategy: [...(options.partitionAssignmentStrategy ?? DEFAULT_ASSIGNMENT_STRATEGY)],
    };
    const unknown = o.partitionAssignmentStrategy.filter((n) => !ASSIGNORS.has(n));
    if (o.partitionAssignmentStrategy.length === 0 || unknown.length > 0) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `partitionAssignmentStrategy ${describeValue(options.partitionAssignmentStrategy)} must list one or more of ` +
          `${[...ASSIGNORS.keys()].join(', ')}`,
      );
    }
    if (o.groupId === '') throw new EddyError('INVALID_ARGUMENT', 'a consumer group needs a non-empty groupId');
    const client = await KafkaClient.connect({ bootstrapServers: o.bootstrapServers, clientId: o.clientId });
    return new GroupConsumer(client, o);
  }

  /** Starts the poll loop: `handle` gets each partition's records, one call at a time. */
  run(handle: (batch: GroupBatch) => Promise<void>): void {
    if (this.loop) throw new EddyError('ILLEGAL_STATE', 'the group consumer is already running');
    this.loop = this.poll(handle).catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
      if (!this.closed) log.error(`group ${this.o.groupId}: the consumer stopped: ${this.failure.message}`);
      this.notify();
    });
  }

  /** Resolves at the next change (a batch handled, a rebalance, a failure or close). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get error(): Error | null {
    return this.failure;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Commits `offset` (the next one to read) for a partition, as this generation's member. */
  async commit(topic: string, partition: number, offset: number): Promise<void> {
    const body = await this.coordinatorRequest(API.OffsetCommit, {
      groupId: this.o.groupId,
      generationIdOrMemberEpoch: this.generationId,
      memberId: this.memberId,
      groupInstanceId: null,
      topics: [
        {
          name: topic,
          partitions: [
            {
              partitionIndex: partition,
              committedOffset: BigInt(offset),
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    for (const t of body['topics'] as Message[]) {
      for (const p of t['partitions'] as Message[]) {
        const code = p['errorCode'] as number;
        if (code === 0) continue;
        if (REJOIN.has(code)) {
          // The group moved on: another member will read from the last committed offset (at-least-once).
          this.needsJoin = true;
          return;
        }
        throw new KafkaResponseError(code, `OffsetCommit ${topic}-${partition} for group ${this.o.groupId}`);
      }
    }
  }

  /** The group's committed offsets of a topic's partitions (-1 where none). */
  async committed(topic: string, partitions: readonly number[]): Promise<Map<number, number>> {
    const body = await this.coordinatorRequest(API.OffsetFetch, {
      groupId: this.o.groupId,
      topics: [{ name: topic, partitionIndexes: [...partitions] }],
      requireStable: false,
    });
    const out = new Map<number, number>();
    for (const t of body['topics'] as Message[]) {
      for (const p of t['partitions'] as Message[])
        out.set(p['partitionIndex'] as number, Number(p['committedOffset']));
    }
    return out;
  }

  /** [low, high) of every partition of a topic. */
  offsetRange(topic: string): Promise<{ partition: number; low: number; high: number }[]> {
    return this.client.offsetRange(topic);
  }

  /** Leaves the group (its partitions go to the others at once) and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.notify();
    await this.loop?.catch(() => undefined);
    if (this.memberId !== '' && this.coordinator) {
      await this.coordinator
        .request(
          API.LeaveGroup[0],
          { groupId: this.o.groupId, members: [{ memberId: this.memberId, groupInstanceId: null }] },
          { version: API.LeaveGroup[1] },
        )
        .catch((e: unknown) => log.debug(`LeaveGroup: ${(e as Error).message}`));
    }
    await this.coordinator?.close();
    await this.client.close();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async poll(handle: (batch: GroupBatch) => Promise<void>): Promise<void> {
    while (!this.closed) {
      if (this.needsJoin) {
        await this.join();
        continue;
      }
      const wanted = [...this.assignment].flatMap(([topic, ps]) =>
        ps.map((partition) => ({ topic, partition, offset: this.positions.get(`${topic}:${partition}`)! })),
      );
      if (wanted.length === 0) {
        // A member with nothing assigned waits for the next rebalance (told by its heartbeat).
        await Promise.race([this.changed(), new Promise((r) => setTimeout(r, this.o.maxWaitMs))]);
        this.notify();
        continue;
      }
      const results = await this.client.fetch(wanted, { maxWaitMs: this.o.maxWaitMs });
      for (const r of results) {
        if (this.closed || this.needsJoin) break;
        const key = `${r.topic}:${r.partition}`;
        if (r.errorCode === 1) {
          // OFFSET_OUT_OF_RANGE: start over as auto.offset.reset says.
          this.positions.set(key, await this.resetOffset(r.topic, r.partition));
          continue;
        }
        if (r.errorCode !== 0) throw new KafkaResponseError(r.errorCode, `Fetch ${key} for group ${this.o.groupId}`);
        if (r.records.count === 0) {
          if (r.records.nextOffset > this.positions.get(key)!) this.positions.set(key, r.records.nextOffset);
          continue;
        }
        await handle({ topic: r.topic, partition: r.partition, records: r.records, nextOffset: r.records.nextOffset });
        this.positions.set(key, r.records.nextOffset);
      }
      // Each fetch round is a change: a caller waiting for offsets that another member commits looks again.
      this.notify();
    }
  }

  private async resetOffset(topic: string, partition: number): Promise<number> {
    const [r] = await this.client.listOffsets([
      { topic, partition, timestamp: this.o.autoOffsetReset === 'earliest' ? -2n : -1n },
    ]);
    return Number(r!.offset);
  }

  private async join(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (;;) {
      if (this.closed) return;
      const joined = await this.coordinatorRequest(
        API.JoinGroup,
        {
          groupId: this.o.groupId,
          sessionTimeoutMs: this.o.sessionTimeoutMs,
          rebalanceTimeoutMs: this.o.rebalanceTimeoutMs,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: this.o.partitionAssignmentStrategy.map((name) => ({
            name,
            metadata: encodeSubscription(this.o.topics),
          })),
        },
        this.o.rebalanceTimeoutMs,
      );
      const code = joined['errorCode'] as number;
      if (code === MEMBER_ID_REQUIRED) {
        this.memberId = joined['memberId'] as string;
        continue;
      }
      if (code === UNKNOWN_MEMBER_ID) {
        this.memberId = '';
        continue;
      }
      if (code === REBALANCE_IN_PROGRESS) continue;
      if (code !== 0) throw new KafkaResponseError(code, `JoinGroup ${this.o.groupId}`);
      this.memberId = joined['memberId'] as string;
      this.generationId = joined['generationId'] as number;
      this.protocol = joined['protocolName'] as string;
      let assignments: { memberId: string; assignment: Buffer }[] = [];
      if (joined['leader'] === this.memberId) {
        const members = (joined['members'] as Message[]).map((m) => ({
          memberId: m['memberId'] as string,
          topics: decodeSubscription(m['metadata'] as Uint8Array),
        }));
        const counts = new Map<string, number>();
        for (const t of new Set(members.flatMap((m) => m.topics)))
          counts.set(t, (await this.client.topic(t)).partitions.length);
        // The coordinator chose a protocol every member offered, so it is one of ours.
        const assign = ASSIGNORS.get(this.protocol);
        if (assign === undefined) {
          throw new EddyError(
            'PROTOCOL_ERROR',
            `JoinGroup ${this.o.groupId}: the coordinator chose assignor ${describeValue(this.protocol)}, which ` +
              `this member did not offer (${this.o.partitionAssignmentStrategy.join(', ')})`,
          );
        }
        const plan = assign(members, (t) => counts.get(t) ?? 0);
        assignments = [...plan].map(([memberId, a]) => ({ memberId, assignment: encodeAssignment(a) }));
      }
      const synced = await this.coordinatorRequest(API.SyncGroup, {
        groupId: this.o.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
        assignments,
      });
      const syncCode = synced['errorCode'] as number;
      if (REJOIN.has(syncCode)) {
        if (syncCode === UNKNOWN_MEMBER_ID) this.memberId = '';
        continue;
      }
      if (syncCode !== 0) throw new KafkaResponseError(syncCode, `SyncGroup ${this.o.groupId}`);
      this.assignment = decodeAssignment(synced['assignment'] as Uint8Array | null);
      await this.startPositions();
      this.needsJoin = false;
      this.startHeartbeat();
      log.debug(
        `group ${this.o.groupId}: member ${this.memberId} generation ${this.generationId} (${this.protocol}) holds ${JSON.stringify([...this.assignment])}`,
      );
      this.notify();
      return;
    }
  }

  private async startPositions(): Promise<void> {
    this.positions = new Map();
    for (const [topic, ps] of this.assignment) {
      if (ps.length === 0) continue;
      const committed = await this.committed(topic, ps);
      for (const p of ps) {
        const c = committed.get(p) ?? -1;
        this.positions.set(`${topic}:${p}`, c >= 0 ? c : await this.resetOffset(topic, p));
      }
    }
  }

  private startHeartbeat(): void {
    const generation = this.generationId;
    this.heartbeat = setInterval(() => {
      if (this.closed || this.needsJoin || generation !== this.generationId) return;
      this.coordinatorRequest(API.Heartbeat, {
        groupId: this.o.groupId,
        generationId: generation,
        memberId: this.memberId,
        groupInstanceId: null,
      }).then(
        (body) => {
          const code = body['errorCode'] as number;
          if (REJOIN.has(code) && generation === this.generationId) {
            if (code === UNKNOWN_MEMBER_ID) this.memberId = '';
            this.needsJoin = true;
            this.notify();
          }
        },
        (e: unknown) => log.debug(`heartbeat: ${(e as Error).message}`),
      );
    }, this.o.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  /** A request to the group's coordinator, found (again) when it moved or is not known yet. */
  private async coordinatorRequest(
    api: readonly [number, number],
    body: Message,
    extraTimeoutMs = 0,
  ): Promise<Message> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed && api !== API.LeaveGroup) throw new EddyError('CLOSED', 'the group consumer is closed');
      const conn = await this.findCoordinator();
      let answer: Message;
      try {
        answer = await conn.request(api[0], body, { version: api[1], extraTimeoutMs });
      } catch (e) {
        if (attempt >= 5 || !(e instanceof EddyError && e.retriable)) throw e;
        this.coordinator = null;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      const code = answer['errorCode'];
      if (typeof code === 'number' && COORDINATOR_RETRY.has(code) && attempt < 5) {
        await this.coordinator?.close().catch(() => undefined);
        this.coordinator = null;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      return answer;
    }
  }

  private async findCoordinator(): Promise<BrokerConnection> {
    if (this.coordinator && !this.coordinator.isClosed) return this.coordinator;
    const meta = await this.client.metadata([]);
    const broker = meta.brokers[0];
    if (!broker) throw new EddyError('IO_ERROR', 'the cluster metadata lists no broker', { retriable: true });
    const any = await BrokerConnection.open({ host: broker.host, port: broker.port, clientId: this.o.clientId });
    try {
      const body = await any.request(
        API.FindCoordinator[0],
        { key: this.o.groupId, keyType: 0 },
        { version: API.FindCoordinator[1] },
      );
      const code = body['errorCode'] as number;
      if (code !== 0) throw new KafkaResponseError(code, `FindCoordinator ${this.o.groupId}`);
      this.coordinator = await BrokerConnection.open({
        host: body['host'] as string,
        port: body['port'] as number,
        clientId: `${this.o.clientId}-${randomUUID().slice(0, 8)}`,
      });
      return this.coordinator;
    } finally {
      await any.close();
    }
  }
}
