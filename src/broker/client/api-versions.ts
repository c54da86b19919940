import { EddyError } from '../../common/errors.js';
import { CODECS } from '../protocol/codecs.js';

/**
 * Version negotiation (KIP-35): for each API the highest version both this client's codecs and the broker
 * support. The client also has floors of its own: it writes and reads only magic-2 record batches (Produce v3+,
 * Fetch v4+) and needs ListOffsets v1+ (one offset per partition) and Metadata v1+ (null = all topics) — the same
 * floors Kafka 4 set on the broker side, so a broker that is older than Kafka 0.11 is refused with a clear error.
 */

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  ApiVersions: 18,
} as const;

const CLIENT_FLOOR: Readonly<Record<number, number>> = {
  [ApiKey.Produce]: 3,
  [ApiKey.Fetch]: 4,
  [ApiKey.ListOffsets]: 1,
  [ApiKey.Metadata]: 1,
};

const API_NAMES: Readonly<Record<number, string>> = {
  [ApiKey.Produce]: 'Produce',
  [ApiKey.Fetch]: 'Fetch',
  [ApiKey.ListOffsets]: 'ListOffsets',
  [ApiKey.Metadata]: 'Metadata',
  [ApiKey.ApiVersions]: 'ApiVersions',
};

export function apiName(apiKey: number): string {
  return API_NAMES[apiKey] ?? CODECS.get(apiKey)?.spec.name ?? `API ${apiKey}`;
}

export interface BrokerApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export class ApiVersionTable {
  private readonly chosen = new Map<number, number>();

  constructor(
    readonly broker: readonly BrokerApiRange[],
    private readonly where: string,
  ) {
    for (const r of broker) {
      const codec = CODECS.get(r.apiKey);
      if (!codec) continue;
      const lo = Math.max(r.minVersion, codec.valid.min, CLIENT_FLOOR[r.apiKey] ?? 0);
      const hi = Math.min(r.maxVersion, codec.valid.max);
      if (hi >= lo) this.chosen.set(r.apiKey, hi);
    }
  }

  /** The version to use for an API; UNSUPPORTED when the broker and this client share none. */
  version(apiKey: number): number {
    const v = this.chosen.get(apiKey);
    if (v !== undefined) return v;
    const theirs = this.broker.find((r) => r.apiKey === apiKey);
    const codec = CODECS.get(apiKey);
    const ours = codec ? `${Math.max(codec.valid.min, CLIENT_FLOOR[apiKey] ?? 0)}-${codec.valid.max}` : 'none';
    throw new EddyError(
      'UNSUPPORTED',
      `${apiName(apiKey)}: broker ${this.where} supports ${theirs ? `versions ${theirs.minVersion}-${theirs.maxVersion}` : 'no version'}, this client ${ours}; use a Kafka 0.11+ (magic v2) broker`,
    );
  }

  has(apiKey: number): boolean {
    return this.chosen.has(apiKey);
  }
}
