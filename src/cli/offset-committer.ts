import { connect, type Socket } from 'node:net';
import { EddyError } from '../common/errors.js';
import { decodeResponse, encodeRequest } from '../broker/protocol/codecs.js';
import type { Message } from '../broker/protocol/message-codec.js';

/**
 * Commits offsets for a group from outside it — what kafka-consumer-groups.sh --reset-offsets does: FindCoordinator
 * v0, then OffsetCommit v2 with generation -1 and no member id (a "simple" commit, which Kafka accepts for a group
 * without members). kafkajs can only do this by joining the group with a throw-away consumer, which takes seconds,
 * so this speaks the protocol directly through Eddy's own codecs; any Kafka broker understands these versions.
 */

const FIND_COORDINATOR = 10;
const OFFSET_COMMIT = 8;

class Connection {
  private buf = Buffer.alloc(0);
  private pending: { apiKey: number; version: number; resolve(m: Message): void; reject(e: Error): void } | null = null;
  private correlation = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      if (this.buf.length < 4 || this.buf.length < 4 + this.buf.readInt32BE(0) || this.pending === null) return;
      const frame = this.buf.subarray(4, 4 + this.buf.readInt32BE(0));
      this.buf = Buffer.alloc(0);
      const p = this.pending;
      this.pending = null;
      try {
        p.resolve(decodeResponse(p.apiKey, p.version, frame).body);
      } catch (e) {
        p.reject(e as Error);
      }
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  static open(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port, timeout: 10_000 });
      s.once('connect', () => resolve(new Connection(s)));
      s.once('error', reject);
      s.once('timeout', () => s.destroy(new Error(`connecting to ${host}:${port} timed out`)));
    });
  }

  /** One request at a time: the tool never pipelines. */
  request(apiKey: number, version: number, body: Message): Promise<Message> {
    return new Promise((resolve, reject) => {
      this.pending = { apiKey, version, resolve, reject };
      this.socket.write(
        encodeRequest(
          { apiKey, apiVersion: version, correlationId: ++this.correlation, clientId: 'eddy-consumer-groups' },
          body,
        ),
      );
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function hostPort(hp: string): { host: string; port: number } {
  const i = hp.lastIndexOf(':');
  return { host: hp.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hp.slice(i + 1)) };
}

export async function commitOffsetsAsAdmin(
  bootstrap: string,
  groupId: string,
  offsets: { topic: string; partition: number; offset: bigint }[],
): Promise<void> {
  const seed = hostPort(bootstrap);
  const first = await Connection.open(seed.host, seed.port);
  let coordinator: Connection;
  try {
    const found = await first.request(FIND_COORDINATOR, 0, { key: groupId });
    if (found['errorCode'] !== 0) {
      throw new EddyError(
        'ILLEGAL_STATE',
        `FindCoordinator for group '${groupId}' failed with Kafka error ${String(found['errorCode'])}`,
      );
    }
    const host = String(found['host']);
    const port = Number(found['port']);
    coordinator = host === seed.host && port === seed.port ? first : await Connection.open(host, port);
  } catch (e) {
    first.close();
    throw e;
  }
  try {
    const topics = [...new Set(offsets.map((o) => o.topic))].map((name) => ({
      name,
      partitions: offsets
        .filter((o) => o.topic === name)
        .map((o) => ({ partitionIndex: o.partition, committedOffset: Number(o.offset), committedMetadata: '' })),
    }));
    const res = await coordinator.request(OFFSET_COMMIT, 2, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      retentionTimeMs: -1,
      topics,
    });
    for (const t of res['topics'] as { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) {
          throw new EddyError(
            'ILLEGAL_STATE',
            `committing the offset of ${t.name}-${p.partitionIndex} for group '${groupId}' failed with Kafka error ${p.errorCode}` +
              (p.errorCode === 25 ? ' (UNKNOWN_MEMBER_ID: the group has active members; stop them first)' : ''),
          );
        }
      }
    }
  } finally {
    coordinator.close();
    first.close();
  }
}
