import { GroupConsumer, type GroupBatch } from '../broker/client/group-consumer.js';
import { EddyError } from '../common/errors.js';
import type { MessageBatch } from './message-batch.js';

/**
 * The input of `serve({ group })`: a member of a Kafka consumer group (Eddy's GroupConsumer), so instances in one
 * group share the topic's partitions. A partition's offset is committed to the group only after `handle` (which
 * writes the answers) returns, so a crash replays at most the uncommitted tail, as with the checkpointed query.
 */
export class GroupInput {
  private consumer: GroupConsumer | null = null;

  constructor(
    private readonly bootstrapServers: string,
    readonly groupId: string,
    readonly topic: string,
    private readonly fromBeginning: boolean,
    private readonly sessionTimeoutMs?: number,
  ) {}

  /** Partitions this member holds after the last rebalance. */
  get assignment(): number[] {
    return [...(this.consumer?.assignment.get(this.topic) ?? [])].sort((a, b) => a - b);
  }

  async start(handle: (messages: MessageBatch) => Promise<void>): Promise<void> {
    const consumer = await GroupConsumer.connect({
      bootstrapServers: this.bootstrapServers,
      clientId: 'eddy-serve',
      groupId: this.groupId,
      topics: [this.topic],
      autoOffsetReset: this.fromBeginning ? 'earliest' : 'latest',
      ...(this.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: this.sessionTimeoutMs } : {}),
    });
    this.consumer = consumer;
    consumer.run(async (b) => {
      await handle(messagesOf(b));
      await consumer.commit(b.topic, b.partition, b.nextOffset);
    });
  }

  private live(): GroupConsumer {
    const c = this.consumer;
    if (!c) throw new EddyError('ILLEGAL_STATE', 'serve: the group input is not started');
    if (c.error) throw new EddyError('ILLEGAL_STATE', `serve: the group consumer failed: ${c.error.message}`);
    return c;
  }

  /** Waits on the group's fetches and rebalances until the group has committed every message now on the topic. */
  async processAllAvailable(): Promise<void> {
    const ends = await this.live().offsetRange(this.topic);
    for (;;) {
      const c = this.live();
      const committed = await c.committed(
        this.topic,
        ends.map((e) => e.partition),
      );
      if (ends.every((e) => e.high === e.low || (committed.get(e.partition) ?? -1) >= e.high)) return;
      if (c.isClosed) throw new EddyError('ILLEGAL_STATE', 'serve: the group consumer was stopped');
      await c.changed();
    }
  }

  /** Waits on rebalances until this member holds `count` partitions (to see a group share the topic). */
  async awaitAssignment(count: number): Promise<void> {
    while (this.assignment.length !== count) await this.live().changed();
  }

  /** Resolves when stopped; rejects if the consumer failed. */
  async awaitTermination(): Promise<void> {
    for (;;) {
      const c = this.live();
      if (c.isClosed) return;
      await c.changed();
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.close();
  }
}

function messagesOf(b: GroupBatch): MessageBatch {
  const r = b.records;
  return {
    count: r.count,
    keys: r.keys,
    values: r.values,
    partitions: new Int32Array(r.count).fill(b.partition),
    offsets: r.offsets,
    timestamps: r.timestamps,
  };
}
