/**
 * The shape of an API's message schema: a TS literal mirroring Kafka's JSON message spec (same field names,
 * types, version ranges and defaults), so adding an API is data, not code. See message-codec.ts for how a schema
 * becomes an encoder/decoder per version.
 */

export interface FieldSpec {
  /** The spec's name (UpperCamel); decoded objects use it with a lower-case first letter. */
  name: string;
  /** int8 | int16 | int32 | int64 | uint16 | float64 | bool | string | bytes | records | uuid | []T | StructName */
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  /** Overrides the message's flexible versions for this field (RequestHeader.ClientId uses "none"). */
  flexibleVersions?: string;
  fields?: FieldSpec[];
}

export interface ApiSpec {
  apiKey: number;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  request: FieldSpec[];
  response: FieldSpec[];
}

/** A parsed version range such as "3+", "0-4", "7" or "none". */
export interface VersionRange {
  min: number;
  max: number;
}

const NONE: VersionRange = { min: 1, max: 0 };

export function parseVersions(text: string | undefined): VersionRange {
  if (text === undefined || text === 'none') return NONE;
  if (text.endsWith('+')) return { min: Number(text.slice(0, -1)), max: Number.MAX_SAFE_INTEGER };
  const dash = text.indexOf('-');
  if (dash < 0) return { min: Number(text), max: Number(text) };
  return { min: Number(text.slice(0, dash)), max: Number(text.slice(dash + 1)) };
}

export function inRange(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}

/** Spec field name → decoded object key: the first letter lower-cased. */
export function keyOf(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
