import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { EddyError, describeValue, toEddyError } from '../common/errors.js';
import { getLogger } from '../common/log.js';
import { BrokerConfig } from './config/broker-config.js';
import { loadOrCreateMeta } from './config/meta-properties.js';
import type { BrokerCore } from './core.js';
import { groupCoordinatorExtension } from './group/extension.js';
import type { BrokerExtension, BrokerExtensionInstance, BrokerServices, Handler, HandlerRegistry } from './handler.js';
import { apiVersionsHandler } from './handlers/api-versions.js';
import { alterConfigsHandler, describeConfigsHandler } from './handlers/configs.js';
import { createPartitionsHandler } from './handlers/create-partitions.js';
import { createTopicsHandler } from './handlers/create-topics.js';
import { deleteRecordsHandler } from './handlers/delete-records.js';
import { deleteTopicsHandler } from './handlers/delete-topics.js';
import { fetchHandler } from './handlers/fetch.js';
import { initProducerIdHandler } from './handlers/init-producer-id.js';
import { listOffsetsHandler } from './handlers/list-offsets.js';
import { metadataHandler } from './handlers/metadata.js';
import { produceHandler } from './handlers/produce.js';
import { invalidTopicName, LogManager } from './log/log-manager.js';
import { listen, type ServerStats } from './server.js';

const log = getLogger('broker');

export interface BrokerOptions {
  /** Port to listen on; 0 picks a free one. Overrides the port of `listeners`. */
  port?: number;
  /** Interface to bind; default the host of `listeners`, or 127.0.0.1. */
  host?: string;
  /** Where the logs live (Kafka's log.dirs); overrides the config's log.dirs. */
  dataDir?: string;
  /** Kafka server.properties settings (listeners, num.partitions, log.retention.hours, ...). */
  config?: Record<string, string | number | boolean | undefined>;
  /** Extensions, each adding handlers. Default: the group coordinator (./group/), so groups just work. */
  extensions?: BrokerExtension[];
  /** Extra handlers keyed by API key (they replace built-in ones with the same key). */
  handlers?: HandlerRegistry;
  /** The clock (ms since the epoch); tests may pass their own. */
  now?: () => number;
}

/** A running broker. */
export interface Broker {
  /** "host:port" to give clients as bootstrap.servers. */
  readonly bootstrapServers: string;
  readonly host: string;
  readonly port: number;
  readonly nodeId: number;
  readonly dataDir: string;
  readonly services: BrokerServices;
  /** Adds or replaces handlers while running (ApiVersions advertises them from then on). */
  registerHandlers(handlers: HandlerRegistry): void;
  /**
   * The flow-control accounting right now: request bytes held in the broker-wide pool and, per connection,
   * requests in flight, queued response bytes and whether (and why) its reading is paused.
   */
  stats(): ServerStats;
  /** Stops listening, closes every connection, flushes and closes the logs. */
  close(): Promise<void>;
}

function parseListener(text: string | undefined): { host: string | undefined; port: number | undefined } {
  if (!text) return { host: undefined, port: undefined };
  const first = text.split(',')[0]!.trim();
  const m = /^[A-Za-z_]+:\/\/\[?([^\]]*?)\]?:(\d+)$/.exec(first);
  if (!m) throw new EddyError('INVALID_ARGUMENT', `listener ${describeValue(first)} is not like PLAINTEXT://host:9092`);
  return { host: m[1] === '' ? undefined : m[1], port: Number(m[2]) };
}

/**
 * Starts a broker: opens (and recovers) the logs under dataDir, registers the handlers, listens. Resolves when
 * clients can connect.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const config = new BrokerConfig(options.config ?? {});
  if (options.dataDir !== undefined) config.set('log.dirs', options.dataDir);
  const dataDir = resolve(config.get('log.dirs')!.split(',')[0]!.trim());
  if (config.get('log.dirs')!.includes(','))
    log.warn(`log.dirs lists several folders; Eddy uses only the first, ${dataDir}`);
  const listener = parseListener(config.get('listeners'));
  const advertised = parseListener(config.get('advertised.listeners'));
  const bindHost = options.host ?? listener.host ?? '127.0.0.1';
  const port = options.port ?? listener.port ?? 9092;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EddyError('INVALID_ARGUMENT', `port ${describeValue(port)} must be an integer in 0..65535`);
  }
  const nodeId = config.int('node.id', 0);
  config.validate();
  const now = options.now ?? Date.now;
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw toEddyError(e, 'IO_ERROR', `cannot create the broker data dir ${dataDir}`);
  }
  const { clusterId } = loadOrCreateMeta(dataDir, nodeId);
  if (config.get('cluster.id') === undefined) config.set('cluster.id', clusterId);
  const logs = LogManager.open(dataDir, config, now);
  const handlers = new Map<number, Handler>();
  const address = { host: '127.0.0.1', port: 0 };
  const services: BrokerServices = {
    nodeId,
    get host() {
      return address.host;
    },
    get port() {
      return address.port;
    },
    dataDir,
    config: (name) => config.get(name),
    now,
    partitionExists: (topic, partition) => logs.partition(topic, partition) !== undefined,
    partitionCount: (topic) => logs.topic(topic)?.partitions.length,
  };
  const core: BrokerCore = {
    config,
    logs,
    services,
    handlers,
    autoCreate(topic) {
      if (!config.bool('auto.create.topics.enable') || invalidTopicName(topic)) return false;
      if (!logs.topic(topic)) logs.createTopic(topic, config.int('num.partitions', 1), {});
      return true;
    },
  };
  handlers.set(18, apiVersionsHandler(core));
  handlers.set(3, metadataHandler(core));
  handlers.set(0, produceHandler(core));
  handlers.set(1, fetchHandler(core));
  handlers.set(2, listOffsetsHandler(core));
  handlers.set(19, createTopicsHandler(core));
  handlers.set(20, deleteTopicsHandler(core));
  handlers.set(21, deleteRecordsHandler(core));
  handlers.set(22, initProducerIdHandler(core));
  handlers.set(32, describeConfigsHandler(core));
  handlers.set(33, alterConfigsHandler(core));
  handlers.set(37, createPartitionsHandler(core));
  for (const [k, h] of options.handlers ?? []) handlers.set(k, h);

  let server;
  const extensions: BrokerExtensionInstance[] = [];
  try {
    server = await listen(core, bindHost, port);
    address.host = advertised.host ?? (bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost);
    address.port = advertised.port ?? server.port;
    // Extensions see the final address (FindCoordinator answers it); the few ms before they register, their
    // APIs are simply not advertised yet.
    for (const ext of options.extensions ?? [groupCoordinatorExtension()]) {
      const inst = await ext(services);
      extensions.push(inst);
      for (const [k, h] of inst.handlers) handlers.set(k, h);
    }
  } catch (e) {
    await server?.close();
    for (const inst of extensions.reverse()) await inst.close?.();
    await logs.close();
    throw toEddyError(e, 'IO_ERROR', `cannot start the broker on ${bindHost}:${port}`);
  }
  const listening = server;
  log.info(`broker ${nodeId} listening on ${bindHost}:${listening.port}, data in ${dataDir}`);
  let closing: Promise<void> | undefined;
  return {
    get bootstrapServers() {
      return `${address.host}:${address.port}`;
    },
    get host() {
      return address.host;
    },
    get port() {
      return address.port;
    },
    nodeId,
    dataDir,
    services,
    stats: () => listening.stats(),
    registerHandlers(extra) {
      for (const [k, h] of extra) handlers.set(k, h);
    },
    close() {
      closing ??= (async () => {
        await listening.close();
        for (const inst of extensions.reverse()) await inst.close?.();
        await logs.close();
      })();
      return closing;
    },
  };
}
