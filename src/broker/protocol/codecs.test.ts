import { describe, expect, it } from 'vitest';
import { isEddyError } from '../../common/errors.js';
import { CODECS, decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './codecs.js';
import type { Message } from './message-codec.js';
import { type FieldSpec, inRange, keyOf, parseVersions } from './schema.js';

// Builds a value for every field a version carries, distinct from the defaults, so a round trip proves each
// field is written and read back in the right place and width.
function sample(fields: FieldSpec[], version: number, flexible: boolean, seed: number): Message {
  const m: Message = {};
  for (const f of fields) {
    if (!inRange(parseVersions(f.versions), version)) continue;
    if (f.taggedVersions !== undefined && !flexible) continue;
    const nullable = inRange(parseVersions(f.nullableVersions), version);
    const isArray = f.type.startsWith('[]');
    const t = isArray ? f.type.slice(2) : f.type;
    const one = (i: number): unknown => {
      if (f.fields) return sample(f.fields, version, flexible, seed + i + 1);
      switch (t) {
        case 'int8':
          return 7 + (seed % 50);
        case 'int16':
          return 300 + seed;
        case 'uint16':
          return 60000 + seed;
        case 'int32':
          return 70000 + seed + i;
        case 'int64':
          return 2 ** 40 + seed + i;
        case 'float64':
          return 1.5 + seed;
        case 'bool':
          return true;
        case 'string':
          return `s€${seed}-${i}`;
        case 'uuid':
          return '0123456789abcdef0123456789abcde' + (seed % 10);
        default:
          return Buffer.from([1, 2, 3, seed & 0xff, i]);
      }
    };
    // Null where allowed for every third field, to cover the null encodings.
    if (nullable && seed % 3 === 0 && !f.fields) m[keyOf(f.name)] = null;
    else m[keyOf(f.name)] = isArray ? [one(0), one(1)] : one(0);
  }
  return m;
}

describe('protocol codecs', () => {
  for (const api of CODECS.values()) {
    it(`${api.spec.name}: every version round-trips requests and responses`, () => {
      for (let v = api.valid.min; v <= api.valid.max; v++) {
        for (const seed of [1, 3]) {
          const flexible = api.isFlexible(v);
          const req = sample(api.spec.request, v, flexible, seed);
          const frame = encodeRequest(
            { apiKey: api.spec.apiKey, apiVersion: v, correlationId: 42, clientId: 'me' },
            req,
          );
          expect(frame.readInt32BE(0)).toBe(frame.length - 4);
          const back = decodeRequest(frame.subarray(4));
          expect(back.header).toEqual({ apiKey: api.spec.apiKey, apiVersion: v, correlationId: 42, clientId: 'me' });
          expect(back.body).toEqual(req);

          const res = sample(api.spec.response, v, flexible, seed);
          const out = Buffer.concat(encodeResponse(api.spec.apiKey, v, 9, res));
          const decoded = decodeResponse(api.spec.apiKey, v, out.subarray(4));
          expect(decoded.correlationId).toBe(9);
          expect(decoded.body).toEqual(res);
        }
      }
    });
  }

  it('fills absent fields with the spec defaults when encoding', () => {
    const out = Buffer.concat(encodeResponse(3, 1, 1, { brokers: [], topics: [] }));
    const back = decodeResponse(3, 1, out.subarray(4)).body;
    expect(back).toEqual({ brokers: [], controllerId: -1, topics: [] });
  });

  it('rejects truncated requests with PROTOCOL_ERROR at every cut point', () => {
    const frame = encodeRequest(
      { apiKey: 0, apiVersion: 7, correlationId: 1, clientId: 'c' },
      {
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.alloc(70) }] }],
      },
    );
    const body = frame.subarray(4);
    for (let cut = 0; cut < body.length; cut++) {
      let err: unknown;
      try {
        decodeRequest(body.subarray(0, cut));
      } catch (e) {
        err = e;
      }
      expect(isEddyError(err, 'PROTOCOL_ERROR'), `cut at ${cut}`).toBe(true);
    }
  });

  it('writes ApiVersions responses with header v0 even in flexible versions', () => {
    const out = Buffer.concat(
      encodeResponse(18, 3, 5, { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 9 }] }),
    );
    // size, correlation id, then directly error code 0 (no header tag byte)
    expect(out.readInt32BE(4)).toBe(5);
    expect(out.readInt16BE(8)).toBe(0);
    expect(out[10]).toBe(2); // compact array of one entry
  });
});
