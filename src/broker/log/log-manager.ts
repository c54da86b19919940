import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { getLogger } from '../../common/log.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { logConfigOf } from '../config/topic-config.js';
import { PartitionLog } from './partition-log.js';

const log = getLogger('broker.log');

/** Where topic definitions live under the data dir; one JSON file per topic, written atomically. */
const TOPICS_DIR = '__topics';

export interface Topic {
  name: string;
  /** 32 hex digits, Kafka's topic id. */
  topicId: string;
  /** Config overrides (only what was set on the topic). */
  configs: Record<string, string>;
  partitions: PartitionLog[];
}

/** Kafka's rules: [a-zA-Z0-9._-], 1..249 chars, not "." or "..". Returns why a name is invalid, or undefined. */
export function invalidTopicName(name: string | null | undefined): string | undefined {
  if (name === null || name === undefined || name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name ${JSON.stringify(name)} is not allowed`;
  if (name.length > 249) return `topic name is ${name.length} characters long; the limit is 249`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `topic name ${JSON.stringify(name)} has characters outside [a-zA-Z0-9._-]`;
  }
  return undefined;
}

export type AppendListener = (topic: string, partition: number, bytes: number) => void;

/**
 * All partition logs of the broker and the topic definitions. Topic metadata is written (tmp file, fsync,
 * rename) before the partition folders exist, so a crash never leaves a folder without its topic — an orphan
 * folder is ignored at start and reported.
 */
export class LogManager {
  private readonly topics = new Map<string, Topic>();
  private readonly listeners = new Set<AppendListener>();
  private retentionTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly dataDir: string,
    readonly config: BrokerConfig,
    private readonly now: () => number,
  ) {}

  static open(dataDir: string, config: BrokerConfig, now: () => number): LogManager {
    const m = new LogManager(dataDir, config, now);
    mkdirSync(join(dataDir, TOPICS_DIR), { recursive: true });
    for (const f of readdirSync(join(dataDir, TOPICS_DIR))) {
      if (!f.endsWith('.json')) continue;
      const def = JSON.parse(readFileSync(join(dataDir, TOPICS_DIR, f), 'utf8')) as {
        name: string;
        topicId: string;
        partitions: number;
        configs: Record<string, string>;
      };
      const partitions: PartitionLog[] = [];
      const logConfig = logConfigOf(config, def.configs);
      for (let p = 0; p < def.partitions; p++) {
        partitions.push(PartitionLog.open(m.partitionDir(def.name, p), def.name, p, { ...logConfig }, now()));
      }
      m.topics.set(def.name, { name: def.name, topicId: def.topicId, configs: def.configs, partitions });
    }
    const interval = config.int('log.retention.check.interval.ms', 1);
    m.retentionTimer = setInterval(() => m.applyRetention(), interval);
    m.retentionTimer.unref();
    return m;
  }

  partitionDir(topic: string, partition: number): string {
    return join(this.dataDir, `${topic}-${partition}`);
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  topic(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  onAppend(fn: AppendListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notifyAppend(topic: string, partition: number, bytes: number): void {
    for (const fn of this.listeners) fn(topic, partition, bytes);
  }

  private persist(t: Topic, partitionCount = t.partitions.length): void {
    const dir = join(this.dataDir, TOPICS_DIR);
    const tmp = join(dir, `${t.name}.json.tmp`);
    const text = JSON.stringify({ name: t.name, topicId: t.topicId, partitions: partitionCount, configs: t.configs });
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, `${t.name}.json`));
  }

  /** Creates a topic; the caller has validated name, count and configs. */
  createTopic(name: string, numPartitions: number, configs: Record<string, string>): Topic {
    const t: Topic = { name, topicId: randomBytes(16).toString('hex'), configs: { ...configs }, partitions: [] };
    this.persist(t, numPartitions);
    const logConfig = logConfigOf(this.config, t.configs);
    for (let p = 0; p < numPartitions; p++) {
      // A leftover folder from an earlier topic of the same name would resurrect old data: clear it.
      rmSync(this.partitionDir(name, p), { recursive: true, force: true });
      t.partitions.push(PartitionLog.open(this.partitionDir(name, p), name, p, { ...logConfig }, this.now()));
    }
    this.topics.set(name, t);
    log.info(`created topic ${name} with ${numPartitions} partition(s)`);
    return t;
  }

  async deleteTopic(name: string): Promise<void> {
    const t = this.topics.get(name);
    if (!t) return;
    this.topics.delete(name);
    rmSync(join(this.dataDir, TOPICS_DIR, `${name}.json`), { force: true });
    for (const p of t.partitions) {
      await p.deleteAll();
      rmSync(p.dir, { recursive: true, force: true });
    }
    log.info(`deleted topic ${name}`);
  }

  addPartitions(name: string, total: number): void {
    const t = this.topics.get(name)!;
    const logConfig = logConfigOf(this.config, t.configs);
    const before = t.partitions.length;
    for (let p = before; p < total; p++) {
      rmSync(this.partitionDir(name, p), { recursive: true, force: true });
      t.partitions.push(PartitionLog.open(this.partitionDir(name, p), name, p, { ...logConfig }, this.now()));
    }
    this.persist(t);
  }

  /** Replaces a topic's overrides (AlterConfigs semantics: what is not given goes back to the default). */
  setTopicConfigs(name: string, configs: Record<string, string>): void {
    const t = this.topics.get(name)!;
    t.configs = { ...configs };
    this.persist(t);
    const logConfig = logConfigOf(this.config, t.configs);
    for (const p of t.partitions) p.config = { ...logConfig };
  }

  applyRetention(): void {
    const now = this.now();
    for (const t of this.topics.values()) {
      for (const p of t.partitions) {
        try {
          const n = p.applyRetention(now);
          if (n > 0) log.info(`${t.name}-${p.partition}: retention deleted ${n} segment(s)`);
        } catch (e) {
          log.warn(`${t.name}-${p.partition}: retention failed`, e);
        }
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.retentionTimer);
    const all = [...this.topics.values()].flatMap((t) => t.partitions);
    await Promise.all(all.map((p) => p.close()));
  }
}
