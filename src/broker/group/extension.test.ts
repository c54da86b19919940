import { describe, expect, it } from 'vitest';
import type { BrokerServices } from '../handler.js';
import { configFromBroker, hostOfConnection } from './extension.js';

function services(config: Record<string, string>): BrokerServices {
  return {
    nodeId: 1,
    host: '127.0.0.1',
    port: 9092,
    dataDir: '/nonexistent',
    config: (name) => config[name],
    now: () => 0,
    partitionExists: () => false,
    partitionCount: () => undefined,
  };
}

describe('group extension', () => {
  it('reads Kafka property names and units from the broker config', () => {
    expect(
      configFromBroker(
        services({
          'group.initial.rebalance.delay.ms': '0',
          'offsets.retention.minutes': '10080',
          'group.min.session.timeout.ms': '6000',
          'offset.metadata.max.bytes': '100',
        }),
      ),
    ).toEqual({
      initialRebalanceDelayMs: 0,
      offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
      minSessionTimeoutMs: 6000,
      offsetMetadataMaxBytes: 100,
    });
    expect(() => configFromBroker(services({ 'offsets.retention.minutes': 'a week' }))).toThrow(
      /offsets\.retention\.minutes="a week" must be a non-negative integer/,
    );
  });

  it('takes the client host from the broker connection id, as Kafka prints it', () => {
    expect(hostOfConnection('c17-127.0.0.1:53122')).toBe('127.0.0.1');
    expect(hostOfConnection('c3-::ffff:10.1.2.3:4000')).toBe('10.1.2.3');
    expect(hostOfConnection('c4-::1:4000')).toBe('::1');
    expect(hostOfConnection('something else')).toBe('');
  });
});
