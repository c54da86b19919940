import { EddyError, describeValue } from '../../common/errors.js';
import type { BrokerExtension, BrokerServices } from '../handler.js';
import { systemClock, type Clock } from './clock.js';
import { type GroupCoordinatorConfig } from './config.js';
import { GroupCoordinator } from './coordinator.js';
import { createGroupHandlers } from './handlers.js';

/**
 * Plugs the coordinator into a broker: `startBroker({ extensions: [groupCoordinatorExtension()] })`. Settings
 * come from the broker's Kafka properties (group.initial.rebalance.delay.ms, offsets.retention.minutes, ...),
 * then from `options.config`, which wins.
 */
export interface GroupExtensionOptions {
  config?: Partial<GroupCoordinatorConfig>;
  clock?: Clock;
}

/** Kafka property → coordinator setting, with the factor that turns the property's unit into ms. */
const PROPERTIES: [string, keyof GroupCoordinatorConfig, number][] = [
  ['group.initial.rebalance.delay.ms', 'initialRebalanceDelayMs', 1],
  ['group.min.session.timeout.ms', 'minSessionTimeoutMs', 1],
  ['group.max.session.timeout.ms', 'maxSessionTimeoutMs', 1],
  ['offsets.retention.minutes', 'offsetsRetentionMs', 60_000],
  ['offsets.retention.check.interval.ms', 'offsetsRetentionCheckIntervalMs', 1],
  ['offset.metadata.max.bytes', 'offsetMetadataMaxBytes', 1],
];

export function configFromBroker(services: BrokerServices): Partial<GroupCoordinatorConfig> {
  const out: Partial<GroupCoordinatorConfig> = {};
  for (const [property, key, factor] of PROPERTIES) {
    const raw = services.config(property);
    if (raw === undefined) continue;
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isInteger(n) || n < 0) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `broker config ${property}=${describeValue(raw)} must be a non-negative integer`,
      );
    }
    out[key] = n * factor;
  }
  return out;
}

/** Parses the host out of the broker's connection ids ("c17-127.0.0.1:53122"), for DescribeGroups' clientHost. */
export function hostOfConnection(connectionId: string): string {
  const m = /^c\d+-\[?(.*?)\]?:\d+$/.exec(connectionId);
  // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; Java (and so Kafka's tools) prints a.b.c.d.
  return (m?.[1] ?? '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

export function groupCoordinatorExtension(options: GroupExtensionOptions = {}): BrokerExtension {
  return async (services) => {
    const clock: Clock = options.clock ?? { now: () => services.now(), schedule: systemClock.schedule };
    const coordinator = await GroupCoordinator.open({
      dataDir: services.dataDir,
      clock,
      config: { ...configFromBroker(services), ...options.config },
    });
    const handlers = createGroupHandlers(coordinator, () => ({
      nodeId: services.nodeId,
      host: services.host,
      port: services.port,
    }));
    const withHost = new Map(
      [...handlers].map(([key, handle]) => [
        key,
        (request: object, ctx: { apiVersion: number; clientId: string | null; connectionId: string }) =>
          handle(request, { ...ctx, clientHost: hostOfConnection(ctx.connectionId) }),
      ]),
    );
    return { handlers: withHost, close: () => coordinator.close() };
  };
}
