/**
 * A scanner for the common message shape — one flat JSON object of numbers, plain strings, booleans and nulls —
 * that reads the fields a model needs straight from the message bytes: no string for the whole text, no object
 * per message. It only accepts what it fully understands and says `false` otherwise (an escape, a nested value,
 * a wrong type, a missing field, bad JSON), and the caller then takes the JSON.parse path, which gives the same
 * values and the exact reasons. Every value it returns equals JSON.parse's for the same text.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Powers of ten that doubles hold exactly (10^22 is the last). */
const EXACT_POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** What the scanner looks for: each required field's name as UTF-8, and names that must not occur. */
export class FlatJsonScanner {
  private readonly names: Buffer[];
  private readonly forbidden: Buffer[];
  private readonly seen: Uint8Array;
  /** The index of the closing brace of the last object scanned. */
  closeAt = -1;

  constructor(
    fields: readonly { name: string; type: 'double' | 'string' }[],
    forbiddenNames: readonly string[],
    private readonly types = fields.map((f) => f.type),
  ) {
    this.names = fields.map((f) => Buffer.from(f.name, 'utf8'));
    this.forbidden = forbiddenNames.map((n) => Buffer.from(n, 'utf8'));
    this.seen = new Uint8Array(fields.length);
  }

  /**
   * Scans one message; on success calls put(j, value) for each required field j (a number, a string or null;
   * a field given twice is put twice, the last one winning as in JSON.parse) and returns true.
   */
  scan(b: Uint8Array, put: (j: number, v: number | string | null) => void): boolean {
    const n = b.length;
    const seen = this.seen;
    seen.fill(0);
    let i = 0;
    // Producers write the fields of every message in one order: the field after the last one matched is tried first.
    let hint = 0;
    while (i < n && isWs(b[i]!)) i++;
    if (b[i] !== OPEN) return false;
    i++;
    for (;;) {
      while (i < n && isWs(b[i]!)) i++;
      if (b[i] !== QUOTE) return false;
      const ks = ++i;
      while (i < n && b[i] !== QUOTE) {
        if (b[i] === BACKSLASH || b[i]! < 0x20) return false;
        i++;
      }
      if (i >= n) return false;
      const ke = i++;
      while (i < n && isWs(b[i]!)) i++;
      if (b[i] !== COLON) return false;
      i++;
      while (i < n && isWs(b[i]!)) i++;
      const names = this.names;
      const j = hint < names.length && sameBytes(b, ks, ke, names[hint]!) ? hint : this.fieldOf(b, ks, ke);
      if (j >= 0) hint = j + 1;
      if (j === -2) return false;
      const c = b[i];
      let value: number | string | null;
      let kind: 'double' | 'string' | 'null' | 'other';
      if (c === QUOTE) {
        const vs = ++i;
        let ascii = true;
        while (i < n && b[i] !== QUOTE) {
          const x = b[i]!;
          if (x === BACKSLASH || x < 0x20) return false;
          if (x >= 0x80) ascii = false;
          i++;
        }
        if (i >= n) return false;
        value = j >= 0 && this.types[j] === 'string' ? text(b, vs, i, ascii) : null;
        i++;
        kind = 'string';
      } else if (c === MINUS || (c !== undefined && c >= ZERO && c <= NINE)) {
        const end = numberEnd(b, i);
        if (end < 0) return false;
        value = j >= 0 ? parseNumber(b, i, end) : null;
        i = end;
        kind = 'double';
      } else if (literal(b, i, 'null')) {
        value = null;
        i += 4;
        kind = 'null';
      } else if (literal(b, i, 'true')) {
        value = null;
        i += 4;
        kind = 'other';
      } else if (literal(b, i, 'false')) {
        value = null;
        i += 5;
        kind = 'other';
      } else return false; // a nested object or array, or not JSON
      if (j >= 0) {
        if (kind !== 'null' && kind !== this.types[j]) return false;
        seen[j] = 1;
        put(j, value);
      }
      while (i < n && isWs(b[i]!)) i++;
      if (b[i] === COMMA) {
        i++;
        continue;
      }
      if (b[i] !== CLOSE) return false;
      this.closeAt = i++;
      break;
    }
    while (i < n && isWs(b[i]!)) i++;
    if (i !== n) return false;
    for (let j = 0; j < seen.length; j++) if (seen[j] === 0) return false;
    return true;
  }

  /** The required field a key names (its index), -1 for another key, -2 for a forbidden one. */
  private fieldOf(b: Uint8Array, ks: number, ke: number): number {
    for (let j = 0; j < this.names.length; j++) if (sameBytes(b, ks, ke, this.names[j]!)) return j;
    for (const f of this.forbidden) if (sameBytes(b, ks, ke, f)) return -2;
    return -1;
  }
}

function sameBytes(b: Uint8Array, s: number, e: number, name: Buffer): boolean {
  if (e - s !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (b[s + k] !== name[k]) return false;
  return true;
}

function literal(b: Uint8Array, i: number, word: string): boolean {
  if (i + word.length > b.length) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return false;
  return true;
}

function text(b: Uint8Array, s: number, e: number, ascii: boolean): string {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return buf.toString(ascii ? 'latin1' : 'utf8', s, e);
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

/** Where a JSON number starting at i ends, or -1 if the bytes there are not one (JSON's grammar, exactly). */
function numberEnd(b: Uint8Array, i: number): number {
  if (b[i] === MINUS) i++;
  if (b[i] === ZERO) i++;
  else if (isDigit(b[i])) while (isDigit(b[i])) i++;
  else return -1;
  if (b[i] === DOT) {
    i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === PLUS || b[i] === MINUS) i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  return i;
}

/**
 * The double of a JSON number in [s, e). With at most 15 significant digits and a power of ten that doubles hold
 * exactly, one IEEE multiplication or division of exact operands is the correctly rounded result (Clinger's fast
 * path), which is what JSON.parse gives; anything else goes through Number() of the text.
 */
export function parseNumber(b: Uint8Array, s: number, e: number): number {
  let i = s;
  const negative = b[i] === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  for (; i < e && isDigit(b[i]); i++) {
    if (mantissa !== 0 || b[i] !== ZERO) digits++;
    mantissa = mantissa * 10 + (b[i]! - ZERO);
  }
  if (b[i] === DOT) {
    for (i++; i < e && isDigit(b[i]); i++) {
      if (mantissa !== 0 || b[i] !== ZERO) digits++;
      mantissa = mantissa * 10 + (b[i]! - ZERO);
      scale--;
    }
  }
  if (i < e) {
    // An exponent.
    i++;
    let sign = 1;
    if (b[i] === MINUS || b[i] === PLUS) sign = b[i++] === MINUS ? -1 : 1;
    let exp = 0;
    for (; i < e && exp < 1e6; i++) exp = exp * 10 + (b[i]! - ZERO);
    scale += sign * exp;
  }
  if (digits <= 15 && scale >= -22 && scale <= 22) {
    const v = scale >= 0 ? mantissa * EXACT_POW10[scale]! : mantissa / EXACT_POW10[-scale]!;
    return negative ? -v : v;
  }
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return Number(buf.toString('latin1', s, e));
}
