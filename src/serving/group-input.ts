import kafkajs from 'kafkajs';
import { EddyError } from '../common/errors.js';
import type { InputMessage } from './message-batch.js';

const { Kafka, logLevel } = kafkajs;
type Consumer = ReturnType<InstanceType<typeof Kafka>['consumer']>;
type Admin = ReturnType<InstanceType<typeof Kafka>['admin']>;

/**
 * The input of `serve({ group })`: a consumer in a Kafka consumer group, so instances in one group share the
 * topic's partitions. Offsets are committed to the group only after `handle` (which writes the answers)
 * returns, so a crash replays at most the uncommitted tail, as with the checkpointed query.
 */
export class GroupInput {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private failure: Error | null = null;
  private finished: Promise<void> | null = null;
  private wake: (() => void)[] = [];
  /** Partitions this member holds after the last rebalance. */
  assignment: number[] = [];

  constructor(
    brokers: string[],
    readonly groupId: string,
    readonly topic: string,
    private readonly fromBeginning: boolean,
    sessionTimeoutMs?: number,
  ) {
    const kafka = new Kafka({ clientId: 'eddy-serve', brokers, logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({
      groupId,
      maxWaitTimeInMs: 100,
      ...(sessionTimeoutMs === undefined
        ? {}
        : { sessionTimeout: sessionTimeoutMs, heartbeatInterval: Math.max(100, Math.floor(sessionTimeoutMs / 10)) }),
    });
    this.admin = kafka.admin();
    const notify = () => this.wake.splice(0).forEach((f) => f());
    this.consumer.on(this.consumer.events.FETCH, notify);
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      this.assignment = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      notify();
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      this.failure = e.payload.error;
      notify();
    });
  }

  async start(handle: (messages: InputMessage[]) => Promise<void>): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: this.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        if (batch.messages.length === 0) return;
        await handle(
          batch.messages.map((m) => ({
            key: m.key,
            value: m.value,
            partition: batch.partition,
            offset: BigInt(m.offset),
            timestampMs: Number(m.timestamp),
          })),
        );
        const next = (BigInt(batch.lastOffset()) + 1n).toString();
        await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        await heartbeat();
      },
    });
  }

  /** Waits on the group's fetches and rebalances until the group has committed every message now on the topic. */
  async processAllAvailable(): Promise<void> {
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    for (;;) {
      if (this.failure)
        throw new EddyError('ILLEGAL_STATE', `serve: the group consumer failed: ${this.failure.message}`);
      const [committed] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
      const done = ends.every((e) => {
        const c = committed?.partitions.find((p) => p.partition === e.partition);
        return BigInt(e.high) === 0n || (c !== undefined && BigInt(c.offset) >= BigInt(e.high));
      });
      if (done) return;
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }

  /** Waits on rebalances until this member holds `count` partitions (to see a group share the topic). */
  async awaitAssignment(count: number): Promise<void> {
    while (this.assignment.length !== count) {
      if (this.failure)
        throw new EddyError('ILLEGAL_STATE', `serve: the group consumer failed: ${this.failure.message}`);
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }

  /** Resolves when stopped; rejects if the consumer crashed. */
  awaitTermination(): Promise<void> {
    this.finished ??= new Promise<void>((resolve, reject) => {
      this.consumer.on(this.consumer.events.STOP, () => resolve());
      this.consumer.on(this.consumer.events.CRASH, (e) => {
        if (!e.payload.restart) reject(e.payload.error);
      });
    });
    return this.finished;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.disconnect();
    this.wake.splice(0).forEach((f) => f());
  }
}
