import { EddyError } from '../../common/errors.js';
import { API_SPECS } from './apis/index.js';
import { compileStruct, type Message, type StructCodec } from './message-codec.js';
import { type ApiSpec, inRange, parseVersions, type VersionRange } from './schema.js';
import { WireReader, WireWriter } from './wire.js';

/**
 * Framing and headers around the per-API codecs: a request frame is [int32 size][header][body], the header
 * version follows from whether the API version is flexible (header v2 then, with tags), and a response carries
 * header v0 or v1 the same way — except ApiVersions, whose response header is always v0 (KIP-511).
 */

export const API_VERSIONS_KEY = 18;

export class ApiCodec {
  readonly valid: VersionRange;
  readonly flexible: VersionRange;
  private readonly requests = new Map<number, StructCodec>();
  private readonly responses = new Map<number, StructCodec>();

  constructor(readonly spec: ApiSpec) {
    this.valid = parseVersions(spec.validVersions);
    this.flexible = parseVersions(spec.flexibleVersions);
  }

  isFlexible(version: number): boolean {
    return inRange(this.flexible, version);
  }

  request(version: number): StructCodec {
    return this.codec(this.requests, this.spec.request, version, 'request');
  }

  response(version: number): StructCodec {
    return this.codec(this.responses, this.spec.response, version, 'response');
  }

  private codec(cache: Map<number, StructCodec>, fields: ApiSpec['request'], v: number, kind: string): StructCodec {
    let c = cache.get(v);
    if (!c) {
      if (!inRange(this.valid, v)) {
        throw new EddyError('UNSUPPORTED', `${this.spec.name} version ${v} is outside ${this.spec.validVersions}`);
      }
      c = compileStruct(fields, v, this.isFlexible(v), `${this.spec.name}${kind[0]!.toUpperCase()}${kind.slice(1)}`);
      cache.set(v, c);
    }
    return c;
  }
}

export const CODECS: ReadonlyMap<number, ApiCodec> = new Map(API_SPECS.map((s) => [s.apiKey, new ApiCodec(s)]));

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads the header fields every version shares (v1: key, version, correlation id, client id). */
export function decodeRequestHeader(r: WireReader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const n = r.int16();
  if (n < -1) throw new EddyError('PROTOCOL_ERROR', `client id length ${n} is negative`);
  const clientId = n < 0 ? null : r.string(n);
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Skips a tagged-field section (request header v2 carries one; no header tags are defined that we use). */
export function skipTags(r: WireReader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.bytes(r.uvarint());
  }
}

/** Decodes a whole request frame body (after the size prefix). Throws PROTOCOL_ERROR/UNSUPPORTED on bad input. */
export function decodeRequest(frame: Buffer): { header: RequestHeader; body: Message } {
  const r = new WireReader(frame);
  const header = decodeRequestHeader(r);
  const api = CODECS.get(header.apiKey);
  if (!api) throw new EddyError('UNSUPPORTED', `unknown API key ${header.apiKey}`);
  const codec = api.request(header.apiVersion);
  if (api.isFlexible(header.apiVersion)) skipTags(r);
  const body = codec.decode(r);
  return { header, body };
}

/** Encodes a request frame including its size prefix (used by tests and tools that talk to a broker). */
export function encodeRequest(header: RequestHeader, body: Message): Buffer {
  const chunks = encodeRequestChunks(header, body);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * A request frame with its size prefix as chunks: record batches of a Produce stay separate buffers, so a
 * client writes them to the socket without copying them into the frame.
 */
export function encodeRequestChunks(header: RequestHeader, body: Message): Buffer[] {
  const api = CODECS.get(header.apiKey);
  if (!api) throw new EddyError('UNSUPPORTED', `unknown API key ${header.apiKey}`);
  const w = new WireWriter();
  const setSize = w.reserveInt32();
  w.int16(header.apiKey);
  w.int16(header.apiVersion);
  w.int32(header.correlationId);
  if (header.clientId === null) w.int16(-1);
  else {
    const b = Buffer.from(header.clientId, 'utf8');
    w.int16(b.length);
    w.raw(b);
  }
  if (api.isFlexible(header.apiVersion)) w.uvarint(0);
  api.request(header.apiVersion).encode(w, body);
  setSize(w.length - 4);
  return w.toChunks();
}

/** Encodes a response frame with its size prefix, as chunks ready for the socket. */
export function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: Message): Buffer[] {
  const api = CODECS.get(apiKey);
  if (!api) throw new EddyError('INTERNAL', `no codec for API key ${apiKey}`);
  const w = new WireWriter();
  const setSize = w.reserveInt32();
  w.int32(correlationId);
  if (api.isFlexible(apiVersion) && apiKey !== API_VERSIONS_KEY) w.uvarint(0);
  api.response(apiVersion).encode(w, body);
  setSize(w.length - 4);
  return w.toChunks();
}

/** Decodes a response frame body (after the size prefix) of a known API and version. */
export function decodeResponse(
  apiKey: number,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: Message } {
  const api = CODECS.get(apiKey);
  if (!api) throw new EddyError('UNSUPPORTED', `unknown API key ${apiKey}`);
  const r = new WireReader(frame);
  const correlationId = r.int32();
  if (api.isFlexible(apiVersion) && apiKey !== API_VERSIONS_KEY) skipTags(r);
  const body = api.response(apiVersion).decode(r);
  if (r.remaining !== 0) throw new EddyError('PROTOCOL_ERROR', `${r.remaining} bytes left after the response`);
  return { correlationId, body };
}
