import type { Message } from '../protocol/message-codec.js';

/** What a Metadata answer says about the cluster, kept by the client to route partition requests to leaders. */

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  /** Node id of the leader, -1 while there is none (right after creation, during an election). */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  /** 32 hex digits; all zeros from brokers older than Metadata v10. */
  topicId: string;
  errorCode: number;
  isInternal: boolean;
  /** Sorted by partition number. */
  partitions: PartitionInfo[];
}

export interface ClusterInfo {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
  topics: TopicInfo[];
}

export const ZERO_UUID = '0'.repeat(32);

export function parseMetadata(body: Message): ClusterInfo {
  const brokers = (body['brokers'] as Message[]).map((b) => ({
    nodeId: b['nodeId'] as number,
    host: b['host'] as string,
    port: b['port'] as number,
    rack: (b['rack'] as string | null | undefined) ?? null,
  }));
  const topics = (body['topics'] as Message[]).map((t) => ({
    name: (t['name'] as string | null) ?? '',
    topicId: (t['topicId'] as string | undefined) ?? ZERO_UUID,
    errorCode: t['errorCode'] as number,
    isInternal: (t['isInternal'] as boolean | undefined) ?? false,
    partitions: (t['partitions'] as Message[])
      .map((p) => ({
        partition: p['partitionIndex'] as number,
        leader: p['leaderId'] as number,
        leaderEpoch: (p['leaderEpoch'] as number | undefined) ?? -1,
        replicas: p['replicaNodes'] as number[],
        isr: p['isrNodes'] as number[],
        errorCode: p['errorCode'] as number,
      }))
      .sort((a, b) => a.partition - b.partition),
  }));
  return {
    clusterId: (body['clusterId'] as string | null | undefined) ?? null,
    controllerId: (body['controllerId'] as number | undefined) ?? -1,
    brokers,
    topics,
  };
}

/** The latest metadata per topic and per broker, merged from every Metadata answer. */
export class MetadataCache {
  readonly brokers = new Map<number, BrokerInfo>();
  private readonly topics = new Map<string, { info: TopicInfo; at: number }>();
  private readonly byId = new Map<string, string>();
  clusterId: string | null = null;

  update(info: ClusterInfo, requested: readonly string[] | null): void {
    this.clusterId = info.clusterId;
    if (info.brokers.length > 0) {
      this.brokers.clear();
      for (const b of info.brokers) this.brokers.set(b.nodeId, b);
    }
    if (requested === null) {
      this.topics.clear();
      this.byId.clear();
    }
    for (const t of info.topics) {
      if (t.errorCode === 0) {
        this.topics.set(t.name, { info: t, at: Date.now() });
        if (t.topicId !== ZERO_UUID) this.byId.set(t.topicId, t.name);
      } else this.topics.delete(t.name);
    }
  }

  /** The cached topic, unless it is older than maxAgeMs. */
  topic(name: string, maxAgeMs = Infinity): TopicInfo | undefined {
    const e = this.topics.get(name);
    return e && Date.now() - e.at <= maxAgeMs ? e.info : undefined;
  }

  topicName(topicId: string): string | undefined {
    return this.byId.get(topicId);
  }

  invalidate(topic: string): void {
    this.topics.delete(topic);
  }
}
