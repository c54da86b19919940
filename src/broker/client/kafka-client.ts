import { EddyError, isEddyError } from '../../common/errors.js';
import type { Message } from '../protocol/message-codec.js';
import { ApiKey } from './api-versions.js';
import { MetadataCache, parseMetadata, ZERO_UUID, type ClusterInfo, type TopicInfo } from './cluster.js';
import { BrokerConnection } from './connection.js';
import { isRetriableKafkaError, KafkaResponseError, needsMetadataRefresh } from './kafka-errors.js';
import { runPerPartition, type Outcome, type PartitionKey, type RetryPolicy } from './partition-retry.js';
import { partitionForKey } from './partitioner.js';
import { decodeRecordBatches } from './record-decoder.js';
import { encodeRecordBatches, type ProducerRecord } from './record-encoder.js';
import type {
  BatchRequest,
  FetchOptions,
  FetchRequest,
  FetchResult,
  KafkaClientOptions,
  KeyedRecord,
  ListOffsetsRequest,
  ListOffsetsResult,
  ProduceOptions,
  ProduceResult,
} from './client-types.js';
import { groupByTopic, indexAnswers, missing, parseServers, resultOf, roundsOf } from './request-helpers.js';

export type {
  FetchOptions,
  FetchRequest,
  FetchResult,
  KafkaClientOptions,
  KeyedRecord,
  ListOffsetsRequest,
  ListOffsetsResult,
  ProduceOptions,
  ProduceResult,
} from './client-types.js';

/**
 * Eddy's Kafka client, on the broker's own codecs: the built-in broker and Apache Kafka 3.x/4.x alike. It keeps
 * one connection per broker with many requests in flight, routes each partition to its leader from Metadata,
 * and retries what Kafka calls retriable (the leader moved, the topic is still being created, a connection
 * dropped) after a backoff and a metadata refresh. Not a consumer group member and not idempotent: the
 * streaming source tracks offsets in its checkpoint, and the sink is at-least-once as Spark's is.
 */

export class KafkaClient {
  private readonly cache = new MetadataCache();
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  private readonly policy: RetryPolicy;
  private readonly roundRobin = new Map<string, number>();
  private closing = false;

  private constructor(
    private readonly o: KafkaClientOptions,
    private readonly bootstrap: { host: string; port: number }[],
  ) {
    this.policy = {
      retries: o.retries ?? 5,
      backoffMs: o.retryBackoffMs ?? 100,
      backoffMaxMs: o.retryBackoffMaxMs ?? 1000,
    };
  }

  /** Connects to the first reachable bootstrap server, negotiates versions and reads the broker list. */
  static async connect(o: KafkaClientOptions): Promise<KafkaClient> {
    const client = new KafkaClient(o, parseServers(o.bootstrapServers));
    try {
      await client.metadata([]);
    } catch (e) {
      await client.close();
      throw e;
    }
    return client;
  }

  get clusterId(): string | null {
    return this.cache.clusterId;
  }

  private connectionTo(host: string, port: number): Promise<BrokerConnection> {
    if (this.closing) return Promise.reject(new EddyError('CLOSED', 'the Kafka client is closed'));
    const key = `${host}:${port}`;
    let c = this.connections.get(key);
    if (c) {
      return c.then(
        (conn) => {
          if (!conn.isClosed) return conn;
          if (this.connections.get(key) === c) this.connections.delete(key);
          return this.connectionTo(host, port);
        },
        () => {
          if (this.connections.get(key) === c) this.connections.delete(key);
          return this.connectionTo(host, port);
        },
      );
    }
    c = BrokerConnection.open({
      host,
      port,
      clientId: this.o.clientId ?? 'eddy',
      ...(this.o.requestTimeoutMs !== undefined ? { requestTimeoutMs: this.o.requestTimeoutMs } : {}),
      ...(this.o.connectTimeoutMs !== undefined ? { connectTimeoutMs: this.o.connectTimeoutMs } : {}),
    });
    this.connections.set(key, c);
    // A failed connect is not cached: the next call tries again.
    c.catch(() => {
      if (this.connections.get(key) === c) this.connections.delete(key);
    });
    return c;
  }

  private async nodeConnection(nodeId: number): Promise<BrokerConnection> {
    let b = this.cache.brokers.get(nodeId);
    if (!b) {
      await this.metadata([]);
      b = this.cache.brokers.get(nodeId);
    }
    if (!b) throw new EddyError('IO_ERROR', `broker ${nodeId} is not in the cluster metadata`, { retriable: true });
    return this.connectionTo(b.host, b.port);
  }

  /** Any live connection for cluster-wide requests: a known broker first, then the bootstrap list in order. */
  private async anyConnection(): Promise<BrokerConnection> {
    const candidates = [
      ...[...this.cache.brokers.values()].map((b) => ({ host: b.host, port: b.port })),
      ...this.bootstrap,
    ];
    let last: unknown;
    for (const c of candidates) {
      try {
        return await this.connectionTo(c.host, c.port);
      } catch (e) {
        if (isEddyError(e, 'CLOSED')) throw e;
        last = e;
      }
    }
    throw new EddyError(
      'IO_ERROR',
      `no broker reachable among ${candidates.map((c) => `${c.host}:${c.port}`).join(', ')}: ${(last as Error)?.message}`,
      { cause: last, retriable: true },
    );
  }

  /**
   * Metadata for these topics (undefined or null: all topics; []: brokers only). Topics that do not exist come
   * back with their error code (3 UNKNOWN_TOPIC_OR_PARTITION) unless auto-creation made them.
   */
  async metadata(
    topics?: readonly string[] | null,
    options: { allowAutoTopicCreation?: boolean } = {},
  ): Promise<ClusterInfo> {
    const requested = topics ?? null;
    const conn = await this.anyConnection();
    const body = await conn.request(ApiKey.Metadata, {
      topics: requested === null ? null : requested.map((name) => ({ name, topicId: ZERO_UUID })),
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? this.o.allowAutoTopicCreation ?? true,
      includeTopicAuthorizedOperations: false,
      includeClusterAuthorizedOperations: false,
    });
    const info = parseMetadata(body);
    this.cache.update(info, requested);
    return info;
  }

  /** Metadata of one topic from the cache, or fetched; NOT_FOUND (retriable) when the topic does not exist. */
  async topic(name: string): Promise<TopicInfo> {
    const cached = this.cache.topic(name, this.o.metadataMaxAgeMs ?? 300_000);
    if (cached) return cached;
    const info = await this.metadata([name]);
    const t = info.topics.find((x) => x.name === name);
    if (!t || t.errorCode !== 0) {
      throw new KafkaResponseError(t?.errorCode ?? 3, `metadata of topic ${JSON.stringify(name)}`);
    }
    return t;
  }

  private async leaderOf<R>(req: PartitionKey): Promise<number | Outcome<R>> {
    let t: TopicInfo;
    try {
      t = await this.topic(req.topic);
    } catch (e) {
      const error = isEddyError(e) ? e : new EddyError('IO_ERROR', String(e), { cause: e, retriable: true });
      return { ok: false, error, refresh: true };
    }
    const p = t.partitions[req.partition];
    if (!p || p.partition !== req.partition) {
      const error = new EddyError(
        'INVALID_ARGUMENT',
        `topic ${req.topic} has ${t.partitions.length} partition(s); there is no partition ${req.partition}`,
      );
      return { ok: false, error, refresh: false };
    }
    if (p.leader < 0 || p.errorCode !== 0) {
      const code = p.errorCode !== 0 ? p.errorCode : 5;
      return {
        ok: false,
        error: new KafkaResponseError(code, `leader of ${req.topic}-${req.partition}`),
        refresh: true,
      };
    }
    return p.leader;
  }

  private driver<Q extends PartitionKey, R>(send: (leader: number, reqs: readonly Q[]) => Promise<Outcome<R>[]>) {
    return {
      leaderOf: (q: Q) => this.leaderOf<R>(q),
      send,
      refresh: async (topics: ReadonlySet<string>) => {
        for (const t of topics) this.cache.invalidate(t);
        await this.metadata([...topics]);
      },
      closed: () => this.closing,
    };
  }

  private outcomeOf<R>(errorCode: number, context: string, value: () => R, message?: string | null): Outcome<R> {
    if (errorCode === 0) return { ok: true, value: value() };
    return {
      ok: false,
      error: new KafkaResponseError(errorCode, context, message),
      refresh: needsMetadataRefresh(errorCode),
    };
  }

  /** Offsets by timestamp: -2n the log start, -1n the end (the high watermark), or the first at/after a time. */
  async listOffsets(
    reqs: readonly ListOffsetsRequest[],
    options: { isolationLevel?: 0 | 1 } = {},
  ): Promise<ListOffsetsResult[]> {
    return runPerPartition(
      'ListOffsets',
      reqs,
      this.policy,
      this.driver<ListOffsetsRequest, ListOffsetsResult>(async (leader, qs) => {
        const conn = await this.nodeConnection(leader);
        const { rounds, roundOf } = roundsOf(qs);
        const bodies = await Promise.all(
          rounds.map((round) =>
            conn.request(ApiKey.ListOffsets, {
              replicaId: -1,
              isolationLevel: options.isolationLevel ?? 0,
              topics: groupByTopic(round).map(([name, ps]) => ({
                name,
                partitions: ps.map((q) => ({ partitionIndex: q.partition, timestamp: Number(q.timestamp) })),
              })),
              timeoutMs: this.o.requestTimeoutMs ?? 30_000,
            }),
          ),
        );
        const indexed = bodies.map((body) => indexAnswers(body['topics'] as Message[], 'name', 'partitionIndex'));
        return qs.map((q, i) => {
          const a = indexed[roundOf[i]!]!.get(`${q.topic}\u0000${q.partition}`);
          if (!a) return missing(q, 'ListOffsets');
          return this.outcomeOf(a['errorCode'] as number, `ListOffsets of ${q.topic}-${q.partition}`, () => ({
            topic: q.topic,
            partition: q.partition,
            offset: a['offset'] as number,
            timestamp: a['timestamp'] as number,
          }));
        });
      }),
    );
  }

  /** [earliest, latest) offsets of every partition of a topic. */
  async offsetRange(topic: string): Promise<{ partition: number; low: number; high: number }[]> {
    const t = await this.topic(topic);
    const ps = t.partitions.map((p) => p.partition);
    const res = await this.listOffsets([
      ...ps.map((partition) => ({ topic, partition, timestamp: -2n })),
      ...ps.map((partition) => ({ topic, partition, timestamp: -1n })),
    ]);
    return ps.map((partition, i) => ({ partition, low: res[i]!.offset, high: res[ps.length + i]!.offset }));
  }

  /**
   * Fetches from each partition's leader; records come back as columns, from the requested offset on (the
   * head of the first batch dropped). Leader changes and not-yet-created topics are retried; errors retrying
   * does not cure (OFFSET_OUT_OF_RANGE) are returned in errorCode with no records.
   */
  async fetch(reqs: readonly FetchRequest[], options: FetchOptions = {}): Promise<FetchResult[]> {
    const seen = new Set<string>();
    for (const q of reqs) {
      const k = `${q.topic}-${q.partition}`;
      if (seen.has(k))
        throw new EddyError('INVALID_ARGUMENT', `fetch names ${k} twice; fetch a partition once per call`);
      seen.add(k);
    }
    const maxWaitMs = options.maxWaitMs ?? 500;
    const partitionMaxBytes = options.partitionMaxBytes ?? 1024 * 1024;
    return runPerPartition(
      'Fetch',
      reqs,
      this.policy,
      this.driver<FetchRequest, FetchResult>(async (leader, qs) => {
        const conn = await this.nodeConnection(leader);
        const version = conn.versions.version(ApiKey.Fetch);
        const byId = version >= 13;
        const topics = groupByTopic(qs).map(([name, ps]) => ({
          topic: name,
          topicId: byId ? (this.cache.topic(name)?.topicId ?? ZERO_UUID) : ZERO_UUID,
          partitions: ps.map((q) => ({
            partition: q.partition,
            fetchOffset: q.offset,
            partitionMaxBytes: q.maxBytes ?? partitionMaxBytes,
          })),
        }));
        const body = await conn.request(
          ApiKey.Fetch,
          {
            replicaId: -1,
            maxWaitMs,
            minBytes: options.minBytes ?? 1,
            maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
            // read_uncommitted: read_committed would also need the aborted transactions filtered out.
            isolationLevel: 0,
            sessionId: 0,
            sessionEpoch: -1,
            topics,
            forgottenTopicsData: [],
            rackId: '',
          },
          { version, extraTimeoutMs: maxWaitMs },
        );
        const top = body['errorCode'] as number | undefined;
        if (top) throw new KafkaResponseError(top, `Fetch from broker ${conn.address}`);
        const responses = (body['responses'] as Message[]).map((t) => ({
          ...t,
          topic: byId ? (this.cache.topicName(t['topicId'] as string) ?? '') : t['topic'],
        }));
        const answers = indexAnswers(responses, 'topic', 'partitionIndex');
        return qs.map((q) => {
          const a = answers.get(`${q.topic}\u0000${q.partition}`);
          if (!a) return missing(q, 'Fetch');
          const errorCode = a['errorCode'] as number;
          const where = `${q.topic}-${q.partition}`;
          if (errorCode !== 0 && isRetriableKafkaError(errorCode))
            return this.outcomeOf(errorCode, `Fetch of ${where}`, () => null as never);
          return {
            ok: true,
            value: {
              topic: q.topic,
              partition: q.partition,
              errorCode,
              highWatermark: a['highWatermark'] as number,
              lastStableOffset: a['lastStableOffset'] as number,
              logStartOffset: a['logStartOffset'] as number,
              records: decodeRecordBatches(errorCode === 0 ? (a['records'] as Buffer | null) : null, {
                fromOffset: q.offset,
                untilOffset: q.untilOffset ?? Infinity,
                checkCrcs: options.checkCrcs ?? true,
                where,
              }),
            },
          };
        });
      }),
    );
  }

  /** Writes records to one partition (cut into batches of maxBatchBytes); the first offset written comes back. */
  async produce(
    topic: string,
    partition: number,
    records: readonly ProducerRecord[],
    options: ProduceOptions = {},
  ): Promise<ProduceResult> {
    const [r] = await this.produceBatches(
      encodeRecordBatches(records, {
        compression: options.compression ?? 'none',
        ...(options.maxBatchBytes !== undefined ? { maxBatchBytes: options.maxBatchBytes } : {}),
      }).map((batch) => ({ topic, partition, batch, count: batch.readInt32BE(57) })),
      options,
    );
    return r ?? { topic, partition, baseOffset: -1, count: 0, logAppendTime: -1, logStartOffset: -1 };
  }

  /**
   * Writes records to a topic, each to its `partition`, else to murmur2(key) mod partitions (Kafka's default
   * partitioner), else round-robin. One result per partition written, ordered by partition.
   */
  async send(topic: string, records: readonly KeyedRecord[], options: ProduceOptions = {}): Promise<ProduceResult[]> {
    const t = await this.topic(topic);
    const n = t.partitions.length;
    const byPartition = new Map<number, ProducerRecord[]>();
    let rr = this.roundRobin.get(topic) ?? Math.floor(Math.random() * n);
    for (const r of records) {
      let p: number;
      if (r.partition !== undefined) {
        if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= n) {
          throw new EddyError('INVALID_ARGUMENT', `partition ${r.partition} is not one of the ${n} of topic ${topic}`);
        }
        p = r.partition;
      } else if (r.key !== undefined && r.key !== null) p = partitionForKey(r.key, n);
      else p = rr++ % n;
      let list = byPartition.get(p);
      if (!list) byPartition.set(p, (list = []));
      list.push(r);
    }
    this.roundRobin.set(topic, rr % n);
    const batches: BatchRequest[] = [];
    for (const p of [...byPartition.keys()].sort((a, b) => a - b)) {
      for (const batch of encodeRecordBatches(byPartition.get(p)!, {
        compression: options.compression ?? 'none',
        ...(options.maxBatchBytes !== undefined ? { maxBatchBytes: options.maxBatchBytes } : {}),
      })) {
        batches.push({ topic, partition: p, batch, count: batch.readInt32BE(57) });
      }
    }
    return this.produceBatches(batches, options);
  }

  /** Sends encoded batches; a partition's batches go in order, each request holding one batch per partition. */
  private async produceBatches(batches: readonly BatchRequest[], options: ProduceOptions): Promise<ProduceResult[]> {
    const acks = options.acks ?? -1;
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      throw new EddyError('INVALID_ARGUMENT', `acks ${String(acks)} must be 0, 1 or -1 (all)`);
    }
    const timeoutMs = options.timeoutMs ?? 30_000;
    const written = await runPerPartition(
      'Produce',
      batches,
      this.policy,
      this.driver<BatchRequest, ProduceResult>(async (leader, qs) => {
        const conn = await this.nodeConnection(leader);
        // Round k holds the k-th batch of every partition: all rounds are pipelined on the one connection,
        // which the broker handles in order, so a partition's batches keep their order.
        const { rounds, roundOf } = roundsOf(qs);
        const answers = await Promise.all(
          rounds.map((round) =>
            conn.request(
              ApiKey.Produce,
              {
                transactionalId: null,
                acks,
                timeoutMs,
                topicData: groupByTopic(round).map(([name, ps]) => ({
                  name,
                  partitionData: ps.map((q) => ({ index: q.partition, records: q.batch })),
                })),
              },
              acks === 0 ? { noResponse: true } : { extraTimeoutMs: timeoutMs },
            ),
          ),
        );
        const indexed = answers.map((a) =>
          acks === 0
            ? new Map<string, Message>()
            : indexAnswers(a['responses'] as Message[], 'name', 'index', 'partitionResponses'),
        );
        return qs.map((q, i) => {
          if (acks === 0) {
            return { ok: true, value: resultOf(q, { baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 }) };
          }
          const a = indexed[roundOf[i]!]!.get(`${q.topic}\u0000${q.partition}`);
          if (!a) return missing(q, 'Produce');
          return this.outcomeOf(
            a['errorCode'] as number,
            `Produce to ${q.topic}-${q.partition}`,
            () => resultOf(q, a),
            a['errorMessage'] as string | null | undefined,
          );
        });
      }),
    );
    // One result per partition: the first batch's offset, the records of all its batches.
    const out = new Map<string, ProduceResult>();
    for (const r of written) {
      const k = `${r.topic}\u0000${r.partition}`;
      const prev = out.get(k);
      if (!prev) out.set(k, { ...r });
      else prev.count += r.count;
    }
    return [...out.values()];
  }

  /** Closes every connection; calls in flight fail with CLOSED. */
  async close(): Promise<void> {
    this.closing = true;
    const conns = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(conns.map((c) => c.then((x) => x.close()).catch(() => undefined)));
  }
}
