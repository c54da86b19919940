import { EddyError } from '../../common/errors.js';
import { type FieldSpec, inRange, keyOf, parseVersions } from './schema.js';
import { WireReader, WireWriter } from './wire.js';

/**
 * The generic codec engine: turns a field list (schema.ts) into a decoder and an encoder for one version.
 * Compiled once per (message, version) and cached, so the per-message work is a walk over prepared closures.
 *
 * Decoding yields plain objects keyed by the spec's names with a lower-case first letter; fields the version does
 * not carry are left out. Encoding reads the same keys and falls back to the spec's default (or null where the
 * version allows null) for a missing one, so callers give only what they know.
 */

export type Message = Record<string, unknown>;

interface Compiled {
  key: string;
  tag: number | undefined;
  read(r: WireReader): unknown;
  write(w: WireWriter, v: unknown): void;
  fallback(): unknown;
  /** For tagged fields: true when the value equals its default and may be left out. */
  isDefault(v: unknown): boolean;
}

export interface StructCodec {
  decode(r: WireReader): Message;
  encode(w: WireWriter, m: Message): void;
}

const SCALAR_DEFAULT: Record<string, unknown> = {
  int8: 0,
  int16: 0,
  int32: 0,
  int64: 0,
  uint16: 0,
  float64: 0,
  bool: false,
  string: '',
  uuid: '00000000000000000000000000000000',
};

function parseDefault(f: FieldSpec, nullable: boolean): unknown {
  const d = f.default;
  if (f.type.startsWith('[]')) return [];
  if (d === undefined) {
    if (f.type === 'bytes' || f.type === 'records') return nullable ? null : Buffer.alloc(0);
    if (f.fields) return undefined; // a struct: filled in from its own fields' defaults
    return SCALAR_DEFAULT[f.type];
  }
  if (d === 'null') return null;
  if (f.type === 'bool') return d === true || d === 'true';
  if (f.type === 'string') return String(d);
  if (typeof d === 'number') return d;
  return String(d).startsWith('0x') ? parseInt(String(d), 16) : Number(d);
}

function describe(path: string, v: unknown): string {
  return `${path} = ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
}

function scalar(type: string, flexible: boolean, nullable: boolean, path: string): Pick<Compiled, 'read' | 'write'> {
  switch (type) {
    case 'int8':
      return { read: (r) => r.int8(), write: (w, v) => w.int8(Number(v)) };
    case 'int16':
      return { read: (r) => r.int16(), write: (w, v) => w.int16(Number(v)) };
    case 'uint16':
      return { read: (r) => r.uint16(), write: (w, v) => w.uint16(Number(v)) };
    case 'int32':
      return { read: (r) => r.int32(), write: (w, v) => w.int32(Number(v)) };
    case 'int64':
      return { read: (r) => r.int64(), write: (w, v) => w.int64(Number(v)) };
    case 'float64':
      return { read: (r) => r.float64(), write: (w, v) => w.float64(Number(v)) };
    case 'bool':
      return { read: (r) => r.bool(), write: (w, v) => w.bool(Boolean(v)) };
    case 'uuid':
      return { read: (r) => r.uuid(), write: (w, v) => w.uuid(String(v)) };
    case 'string':
      return {
        read: (r) => {
          const n = flexible ? r.uvarint() - 1 : r.int16();
          if (n < 0) {
            if (nullable) return null;
            throw new EddyError('PROTOCOL_ERROR', `${path} is null but is not nullable in this version`);
          }
          return r.string(n);
        },
        write: (w, v) => {
          if (v === null || v === undefined) {
            if (!nullable) throw new EddyError('INTERNAL', `${path} is null but is not nullable in this version`);
            if (flexible) w.uvarint(0);
            else w.int16(-1);
            return;
          }
          const b = Buffer.from(String(v), 'utf8');
          if (flexible) w.uvarint(b.length + 1);
          else w.int16(b.length);
          w.raw(b);
        },
      };
    case 'bytes':
    case 'records':
      return {
        read: (r) => {
          const n = flexible ? r.uvarint() - 1 : r.int32();
          if (n < 0) {
            if (nullable) return null;
            throw new EddyError('PROTOCOL_ERROR', `${path} is null but is not nullable in this version`);
          }
          return r.bytes(n);
        },
        write: (w, v) => {
          if (v === null || v === undefined) {
            if (!nullable) throw new EddyError('INTERNAL', `${path} is null but is not nullable in this version`);
            if (flexible) w.uvarint(0);
            else w.int32(-1);
            return;
          }
          const b = v as Uint8Array | Uint8Array[];
          if (Array.isArray(b)) {
            // Records given as a list of stored batches: written back to back without concatenating.
            const len = b.reduce((s, x) => s + x.length, 0);
            if (flexible) w.uvarint(len + 1);
            else w.int32(len);
            for (const x of b) w.raw(x);
            return;
          }
          if (flexible) w.uvarint(b.length + 1);
          else w.int32(b.length);
          w.raw(b);
        },
      };
    default:
      throw new EddyError('INTERNAL', `unknown scalar type ${describe(path, type)}`);
  }
}

function compileField(f: FieldSpec, version: number, flexibleMsg: boolean, path: string): Compiled {
  const flexible = f.flexibleVersions !== undefined ? inRange(parseVersions(f.flexibleVersions), version) : flexibleMsg;
  const nullable = inRange(parseVersions(f.nullableVersions), version);
  const key = keyOf(f.name);
  const fpath = `${path}.${key}`;
  const tagged = f.taggedVersions !== undefined && inRange(parseVersions(f.taggedVersions), version);
  const isArray = f.type.startsWith('[]');
  const elemType = isArray ? f.type.slice(2) : f.type;
  let elem: Pick<Compiled, 'read' | 'write'>;
  let structDefault: (() => Message) | undefined;
  if (f.fields) {
    const sub = compileStruct(f.fields, version, flexibleMsg, fpath);
    elem = { read: (r) => sub.decode(r), write: (w, v) => sub.encode(w, (v ?? {}) as Message) };
    // A struct's default is the struct of its fields' defaults.
    structDefault = () => defaultsOf(f.fields!, version);
  } else {
    elem = scalar(elemType, flexible, false, fpath);
  }
  const dflt = parseDefault(f, nullable);
  const fallback = (): unknown => (dflt === undefined && structDefault ? structDefault() : dflt);
  let read: Compiled['read'];
  let write: Compiled['write'];
  if (isArray) {
    read = (r) => {
      const n = flexible ? r.uvarint() - 1 : r.int32();
      if (n < 0) {
        if (nullable) return null;
        throw new EddyError('PROTOCOL_ERROR', `${fpath} is a null array but is not nullable in this version`);
      }
      if (n > r.remaining)
        throw new EddyError('PROTOCOL_ERROR', `${describe(fpath + ' count', n)} exceeds the message`);
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = elem.read(r);
      return out;
    };
    write = (w, v) => {
      if (v === null || v === undefined) {
        if (v === null && nullable) {
          if (flexible) w.uvarint(0);
          else w.int32(-1);
          return;
        }
        if (flexible) w.uvarint(1);
        else w.int32(0);
        return;
      }
      const a = v as unknown[];
      if (flexible) w.uvarint(a.length + 1);
      else w.int32(a.length);
      for (const x of a) elem.write(w, x);
    };
  } else if (f.fields) {
    if (nullable) {
      read = (r) => (r.int8() < 0 ? null : elem.read(r));
      write = (w, v) => {
        if (v === null || v === undefined) w.int8(-1);
        else {
          w.int8(1);
          elem.write(w, v);
        }
      };
    } else {
      read = elem.read;
      write = elem.write;
    }
  } else {
    const s = scalar(elemType, flexible, nullable, fpath);
    read = s.read;
    write = s.write;
  }
  const isDefault = (v: unknown): boolean => {
    if (v === undefined) return true;
    const d = fallback();
    if (Array.isArray(v)) return v.length === 0 && Array.isArray(d);
    if (f.fields) return v === null || JSON.stringify(v) === JSON.stringify(d);
    if (Buffer.isBuffer(v)) return v.length === 0;
    return v === d;
  };
  return { key, tag: tagged ? f.tag : undefined, read, write, fallback, isDefault };
}

function defaultsOf(fields: FieldSpec[], version: number): Message {
  const m: Message = {};
  for (const f of fields) {
    if (!inRange(parseVersions(f.versions), version)) continue;
    const nullable = inRange(parseVersions(f.nullableVersions), version);
    const d = parseDefault(f, nullable);
    m[keyOf(f.name)] = d === undefined && f.fields ? defaultsOf(f.fields, version) : d;
  }
  return m;
}

export function compileStruct(fields: FieldSpec[], version: number, flexible: boolean, path: string): StructCodec {
  const plain: Compiled[] = [];
  const tagged: Compiled[] = [];
  for (const f of fields) {
    const inVersion = inRange(parseVersions(f.versions), version);
    if (!inVersion) continue;
    const isTagged = f.taggedVersions !== undefined && inRange(parseVersions(f.taggedVersions), version);
    if (isTagged && !flexible) continue;
    const c = compileField(f, version, flexible, path);
    (isTagged ? tagged : plain).push(c);
  }
  tagged.sort((a, b) => a.tag! - b.tag!);
  const byTag = new Map(tagged.map((c) => [c.tag!, c]));
  return {
    decode(r) {
      const m: Message = {};
      for (const c of plain) m[c.key] = c.read(r);
      if (flexible) {
        const n = r.uvarint();
        for (let i = 0; i < n; i++) {
          const tag = r.uvarint();
          const size = r.uvarint();
          const c = byTag.get(tag);
          const body = r.bytes(size);
          // Unknown tags are skipped: that is what lets old readers accept new writers.
          if (c) m[c.key] = c.read(new WireReader(body));
        }
        // An omitted tagged field holds its default, as in Kafka's generated classes.
        for (const c of tagged) if (!(c.key in m)) m[c.key] = c.fallback();
      }
      return m;
    },
    encode(w, m) {
      for (const c of plain) {
        const v = m[c.key];
        c.write(w, v === undefined ? c.fallback() : v);
      }
      if (flexible) {
        const present = tagged.filter((c) => !c.isDefault(m[c.key]));
        w.uvarint(present.length);
        for (const c of present) {
          const tw = new WireWriter();
          c.write(tw, m[c.key]);
          const body = tw.toBuffer();
          w.uvarint(c.tag!);
          w.uvarint(body.length);
          w.raw(body);
        }
      }
    },
  };
}
