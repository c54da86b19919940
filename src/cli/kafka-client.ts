import kafkajs, { type Kafka as KafkaClient } from 'kafkajs';
import { EddyError, describeValue } from '../common/errors.js';

// kafkajs is CommonJS: Node resolves its classes through the default export only.
const { Kafka, KafkaJSError, KafkaJSProtocolError, logLevel } = kafkajs;

/**
 * What Eddy's Kafka tools (topics, console-producer, console-consumer, consumer-groups) share: parsing Kafka's
 * common flags and turning client failures into one clear EddyError line. The tools speak the Kafka protocol
 * through kafkajs only, so they work against Apache Kafka as well as against Eddy's own broker.
 */

/** `host:port[,host:port...]` as Kafka's --bootstrap-server takes it. */
export function parseBootstrap(value: string | undefined, flag = '--bootstrap-server'): string[] {
  if (value === undefined || value.trim() === '') {
    throw new EddyError('USAGE', `missing required option ${flag} <host:port>, e.g. ${flag} localhost:9092`);
  }
  const list = value.split(',').map((s) => s.trim());
  for (const hp of list) {
    const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(hp);
    if (!m || Number(m[2]) > 65535) {
      throw new EddyError('USAGE', `${flag} ${describeValue(hp)} is not host:port (e.g. localhost:9092)`);
    }
  }
  return list;
}

/** Collects repeated `--property k=v` flags (commander's accumulator). */
export function collectProperty(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new EddyError('USAGE', `--property ${describeValue(value)} is not key=value (e.g. print.key=true)`);
  return { ...previous, [value.slice(0, i).trim()]: value.slice(i + 1) };
}

/** Rejects properties a tool does not know, naming the ones it does. */
export function checkProperties(props: Record<string, string>, known: readonly string[], tool: string): void {
  for (const k of Object.keys(props)) {
    if (!known.includes(k)) {
      throw new EddyError('USAGE', `${tool}: unknown --property ${describeValue(k)}; supported: ${known.join(', ')}`);
    }
  }
}

export function booleanProperty(props: Record<string, string>, name: string, fallback: boolean): boolean {
  const v = props[name];
  if (v === undefined) return fallback;
  if (v.toLowerCase() === 'true') return true;
  if (v.toLowerCase() === 'false') return false;
  throw new EddyError('USAGE', `--property ${name}=${describeValue(v)} must be true or false`);
}

/** Kafka's escapes in separators given on the command line ("\t", "\n"). */
export function unescapeSeparator(s: string): string {
  return s.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\r/g, '\r');
}

export function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new EddyError('USAGE', `${flag} ${describeValue(value)} must be a positive integer`);
  return n;
}

export function kafkaClient(brokers: string[], clientId: string): KafkaClient {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    // Fail within seconds when nothing listens, instead of kafkajs' minute of retries.
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

/** One clear line for a failed client call: what was being done, against which servers, and why. */
export function clientError(e: unknown, doing: string, brokers: string[]): EddyError {
  if (e instanceof EddyError) return e;
  const root = unwrap(e);
  // kafkajs gathers per-topic failures (createTopics) into one error whose own message says only that.
  const parts = (root as { errors?: unknown[] }).errors;
  const describe = (x: unknown): string => {
    const msg = x instanceof Error ? x.message : String(x);
    return x instanceof KafkaJSProtocolError ? `${msg} (${x.type})` : msg;
  };
  const detail = Array.isArray(parts) && parts.length > 0 ? parts.map(describe).join('; ') : describe(root);
  const unreachable =
    /ECONNREFUSED|ENOTFOUND|Connection timeout|connect/i.test(detail) && !(root instanceof KafkaJSProtocolError);
  const hint = unreachable ? ` — is a broker running at ${brokers.join(',')}?` : '';
  return new EddyError(unreachable ? 'IO_ERROR' : 'ILLEGAL_STATE', `${doing} failed: ${detail}${hint}`, {
    cause: e,
  });
}

function unwrap(e: unknown): unknown {
  let cur = e;
  // kafkajs wraps the real failure in "retries exceeded" errors; the innermost one says what happened.
  for (let i = 0; i < 5 && cur instanceof KafkaJSError; i++) {
    const next = (cur as { originalError?: unknown }).originalError ?? (cur as { cause?: unknown }).cause;
    if (next === undefined) break;
    cur = next;
  }
  return cur;
}
