import { BROKER_DEFAULTS } from '../config/broker-config.js';
import { effectiveTopicConfig, TOPIC_CONFIGS, validateTopicConfigs } from '../config/topic-config.js';
import { ErrorCode, type BrokerCore } from '../core.js';
import type { Handler } from '../handler.js';

const TOPIC = 2;
const BROKER = 4;
const SOURCE = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

interface DescribeConfigsRequest {
  resources: { resourceType: number; resourceName: string; configurationKeys: string[] | null }[];
  includeSynonyms?: boolean;
}

interface AlterConfigsRequest {
  resources: { resourceType: number; resourceName: string; configs: { name: string; value: string | null }[] }[];
  validateOnly: boolean;
}

/** DescribeConfigs (key 32) for topics (every topic config with its source) and for this broker (read-only). */
export function describeConfigsHandler(core: BrokerCore): Handler {
  return async (request: DescribeConfigsRequest) => ({
    throttleTimeMs: 0,
    results: request.resources.map((r) => {
      const keys = r.configurationKeys === null ? null : new Set(r.configurationKeys);
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType === TOPIC) {
        const topic = core.logs.topic(r.resourceName);
        if (!topic) {
          return {
            ...base,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: `topic ${r.resourceName} does not exist`,
            configs: [],
          };
        }
        const configs = TOPIC_CONFIGS.filter((d) => !keys || keys.has(d.name)).map((d) => {
          const override = topic.configs[d.name];
          const source = override !== undefined ? SOURCE.DYNAMIC_TOPIC_CONFIG : SOURCE.DEFAULT_CONFIG;
          return {
            name: d.name,
            value: effectiveTopicConfig(core.config, topic.configs, d.name),
            readOnly: false,
            isDefault: override === undefined,
            configSource: source,
            isSensitive: false,
            synonyms: request.includeSynonyms
              ? [{ name: d.name, value: effectiveTopicConfig(core.config, topic.configs, d.name), source }]
              : [],
            configType: d.type,
            documentation: null,
          };
        });
        return { ...base, errorCode: 0, errorMessage: null, configs };
      }
      if (r.resourceType === BROKER) {
        if (r.resourceName !== '' && r.resourceName !== String(core.services.nodeId)) {
          return {
            ...base,
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `broker ${r.resourceName} is not this broker (${core.services.nodeId})`,
            configs: [],
          };
        }
        const configs = core.config
          .entries()
          .filter(([k]) => !keys || keys.has(k))
          .map(([name, value]) => {
            const isDefault = BROKER_DEFAULTS[name] === value;
            return {
              name,
              value,
              readOnly: true,
              isDefault,
              configSource: isDefault ? SOURCE.DEFAULT_CONFIG : SOURCE.STATIC_BROKER_CONFIG,
              isSensitive: false,
              synonyms: [],
              configType: 2,
              documentation: null,
            };
          });
        return { ...base, errorCode: 0, errorMessage: null, configs };
      }
      return {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `resource type ${r.resourceType} is not supported (2 = topic, 4 = broker)`,
        configs: [],
      };
    }),
  });
}

/** AlterConfigs (key 33): replaces a topic's overrides (entries not given go back to their defaults), as Kafka. */
export function alterConfigsHandler(core: BrokerCore): Handler {
  return async (request: AlterConfigsRequest) => ({
    throttleTimeMs: 0,
    responses: request.resources.map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType !== TOPIC) {
        return {
          ...base,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: 'only topic configs can be altered; broker configs are static (server.properties)',
        };
      }
      if (!core.logs.topic(r.resourceName)) {
        return {
          ...base,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: `topic ${r.resourceName} does not exist`,
        };
      }
      const overrides: Record<string, string> = {};
      for (const c of r.configs) if (c.value !== null) overrides[c.name] = c.value;
      const err = validateTopicConfigs(overrides);
      if (err) return { ...base, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: err };
      if (!request.validateOnly) core.logs.setTopicConfigs(r.resourceName, overrides);
      return { ...base, errorCode: 0, errorMessage: null };
    }),
  });
}
