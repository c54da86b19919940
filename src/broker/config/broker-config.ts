import { EddyError, describeValue } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';

const log = getLogger('broker.config');

/**
 * The broker's settings, named as in Kafka's server.properties, with Kafka's defaults. Values are kept as
 * strings (as in the file) and read through typed getters that validate; unknown names are kept (Kafka warns
 * about them too) so other parts — the group coordinator — can read theirs.
 */

export const BROKER_DEFAULTS: Readonly<Record<string, string>> = {
  'node.id': '1',
  listeners: 'PLAINTEXT://:9092',
  'log.dirs': '/tmp/kafka-logs',
  'num.partitions': '1',
  'default.replication.factor': '1',
  'auto.create.topics.enable': 'true',
  'delete.topic.enable': 'true',
  'log.segment.bytes': '1073741824',
  'log.roll.hours': '168',
  'log.retention.hours': '168',
  'log.retention.bytes': '-1',
  'log.retention.check.interval.ms': '300000',
  'log.index.interval.bytes': '4096',
  'log.message.timestamp.type': 'CreateTime',
  'message.max.bytes': '1048588',
  'socket.request.max.bytes': '104857600',
  'fetch.max.bytes': '57671680',
  'group.initial.rebalance.delay.ms': '3000',
  'offsets.retention.minutes': '10080',
  'queued.max.requests': '500',
  'connections.max.idle.ms': '600000',
  /**
   * Bytes of requests the broker holds at once, across all connections: a frame's declared size is reserved
   * before its body is read and given back when it is answered; a connection that finds no room stops reading
   * until there is. Kafka's default is -1 (unbounded); Eddy bounds it by default. -1 turns the bound off.
   */
  'queued.max.request.bytes': '536870912',
  /** Eddy: requests one connection may have read and not yet answered before the broker stops reading it. */
  'eddy.connection.max.in.flight.requests': '100',
  /**
   * Eddy: response bytes held for one connection (not yet taken by the kernel) before the broker stops reading
   * its requests and holds back its next fetch: a consumer that does not read costs at most this plus one
   * fetch response.
   */
  'eddy.connection.max.queued.response.bytes': '16777216',
  /**
   * Eddy's flush policy. `acks-all` (default): a Produce with acks=all (-1) is answered only after its batches
   * are fdatasync'ed, one sync shared by all requests waiting on a partition (group commit); acks=1 is answered
   * once written to the OS. `none`: never fsync on the request path (Kafka's default, relying on replication
   * — a single broker has none, so an OS crash may lose the last acknowledged writes). `always`: acks=1 waits
   * for the fsync too.
   */
  'eddy.flush.policy': 'acks-all',
};

export type FlushPolicy = 'acks-all' | 'none' | 'always';

export class BrokerConfig {
  private readonly values: Map<string, string>;

  constructor(given: Record<string, string | number | boolean | undefined> = {}) {
    this.values = new Map(Object.entries(BROKER_DEFAULTS));
    for (const [k, v] of Object.entries(given)) {
      if (v === undefined) continue;
      this.values.set(k, String(v));
      if (!(k in BROKER_DEFAULTS) && !KNOWN_EXTRA.has(k)) log.debug(`config ${k} is not used by the broker core`);
    }
    if (given['broker.id'] !== undefined && given['node.id'] === undefined)
      this.values.set('node.id', String(given['broker.id']));
    if (given['log.dir'] !== undefined && given['log.dirs'] === undefined)
      this.values.set('log.dirs', String(given['log.dir']));
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  set(name: string, value: string): void {
    this.values.set(name, value);
  }

  entries(): [string, string][] {
    return [...this.values.entries()].sort(([a], [b]) => a.localeCompare(b));
  }

  int(name: string, min = Number.MIN_SAFE_INTEGER): number {
    const raw = this.values.get(name);
    const n = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isInteger(n) || n < min) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `broker config ${name}=${describeValue(raw)} must be an integer ≥ ${min}`,
      );
    }
    return n;
  }

  bool(name: string): boolean {
    const raw = this.values.get(name)?.trim().toLowerCase();
    if (raw !== 'true' && raw !== 'false') {
      throw new EddyError('INVALID_ARGUMENT', `broker config ${name}=${describeValue(raw)} must be true or false`);
    }
    return raw === 'true';
  }

  /** A time in ms given by the most precise of `<base>.ms`, `<base>.minutes`, `<base>.hours`, as Kafka resolves it. */
  millis(base: string): number {
    for (const [suffix, factor] of [
      ['ms', 1],
      ['minutes', 60_000],
      ['hours', 3_600_000],
    ] as const) {
      if (this.values.has(`${base}.${suffix}`)) {
        const v = this.int(`${base}.${suffix}`, -1);
        return v < 0 ? -1 : v * factor;
      }
    }
    throw new EddyError('INTERNAL', `no setting for ${base}`);
  }

  /** Checks every setting the broker core reads, so a bad value stops the start instead of a later request. */
  validate(): void {
    for (const name of [
      'node.id',
      'num.partitions',
      'default.replication.factor',
      'log.segment.bytes',
      'log.index.interval.bytes',
    ]) {
      this.int(name, name === 'node.id' ? 0 : 1);
    }
    for (const name of [
      'message.max.bytes',
      'socket.request.max.bytes',
      'fetch.max.bytes',
      'log.retention.check.interval.ms',
    ]) {
      this.int(name, 1);
    }
    this.int('log.retention.bytes', -1);
    this.int('eddy.connection.max.in.flight.requests', 1);
    this.int('connections.max.idle.ms', -1);
    this.int('eddy.connection.max.queued.response.bytes', 0);
    const queued = this.int('queued.max.request.bytes', -1);
    if (queued === 0 || (queued > 0 && queued < this.int('socket.request.max.bytes', 1))) {
      // Kafka's rule: a pool smaller than the largest request could never admit that request.
      throw new EddyError(
        'INVALID_ARGUMENT',
        `broker config queued.max.request.bytes=${queued} must be -1 (unbounded) or at least socket.request.max.bytes (${this.get('socket.request.max.bytes')})`,
      );
    }
    this.bool('auto.create.topics.enable');
    this.bool('delete.topic.enable');
    this.millis('log.retention');
    if (this.millis('log.roll') < 1)
      throw new EddyError('INVALID_ARGUMENT', 'log.roll.ms / log.roll.hours must be positive');
    void this.flushPolicy;
  }

  get flushPolicy(): FlushPolicy {
    const v = this.values.get('eddy.flush.policy');
    if (v !== 'acks-all' && v !== 'none' && v !== 'always') {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `broker config eddy.flush.policy=${describeValue(v)} must be acks-all, none or always`,
      );
    }
    return v;
  }
}

const KNOWN_EXTRA = new Set([
  'broker.id',
  'log.dir',
  'advertised.listeners',
  'log.roll.ms',
  'log.retention.ms',
  'log.retention.minutes',
  'process.roles',
  'offsets.topic.replication.factor',
  'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr',
  'num.network.threads',
  'num.io.threads',
  'socket.send.buffer.bytes',
  'socket.receive.buffer.bytes',
  'num.recovery.threads.per.data.dir',
  'zookeeper.connect',
  'log.flush.interval.messages',
  'log.flush.interval.ms',
]);

/** Parses Java .properties text (server.properties): `key=value` or `key: value`, `#`/`!` comments. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.trim();
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) out[line] = '';
    else out[m[1]!] = m[2]!;
  }
  return out;
}
