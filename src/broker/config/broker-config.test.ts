import { describe, expect, it } from 'vitest';
import { BrokerConfig, parseProperties } from './broker-config.js';
import { logConfigOf, validateTopicConfigs } from './topic-config.js';

describe('server.properties', () => {
  it('parses Java properties: comments, = or : separators, continuation lines', () => {
    const text =
      '# comment\n! also\nlisteners=PLAINTEXT://:9092\nlog.dirs : /data/a,\\\n  /data/b\nnum.partitions 3\n\n';
    expect(parseProperties(text)).toEqual({
      listeners: 'PLAINTEXT://:9092',
      'log.dirs': '/data/a,/data/b',
      'num.partitions': '3',
    });
  });

  it("maps broker.id and log.dir to Kafka's newer names and keeps Kafka's defaults", () => {
    const c = new BrokerConfig({ 'broker.id': 4, 'log.dir': '/x' });
    expect([c.get('node.id'), c.get('log.dirs'), c.get('num.partitions'), c.get('auto.create.topics.enable')]).toEqual([
      '4',
      '/x',
      '1',
      'true',
    ]);
  });

  it('derives topic log settings from broker defaults and overrides, and validates overrides', () => {
    const c = new BrokerConfig({ 'log.segment.bytes': 1000, 'log.retention.minutes': 1 });
    expect(logConfigOf(c, { 'retention.bytes': '50' })).toEqual({
      segmentBytes: 1000,
      segmentMs: 168 * 3600_000,
      retentionMs: 60_000,
      retentionBytes: 50,
      indexIntervalBytes: 4096,
    });
    expect(validateTopicConfigs({ 'retention.ms': '-1' })).toBeUndefined();
    expect(validateTopicConfigs({ 'segment.bytes': '10' })).toMatch(/segment\.bytes="10"/);
    expect(validateTopicConfigs({ 'no.such': '1' })).toMatch(/unknown topic config "no.such"/);
  });

  it('refuses a request pool that could never admit the largest request, as Kafka does', () => {
    expect(() => new BrokerConfig({ 'queued.max.request.bytes': 1000 }).validate()).toThrow(
      /queued\.max\.request\.bytes=1000 must be -1 \(unbounded\) or at least socket\.request\.max\.bytes \(104857600\)/,
    );
    expect(() => new BrokerConfig({ 'queued.max.request.bytes': 0 }).validate()).toThrow(
      /queued\.max\.request\.bytes=0/,
    );
    expect(() => new BrokerConfig({ 'queued.max.request.bytes': -1 }).validate()).not.toThrow();
    expect(() => new BrokerConfig({ 'eddy.connection.max.in.flight.requests': 0 }).validate()).toThrow(
      /eddy\.connection\.max\.in\.flight\.requests="0" must be an integer ≥ 1/,
    );
  });
});
