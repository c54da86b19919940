/**
 * The one error type of Eddy. Every failure that crosses a module boundary is an EddyError with a code from
 * the closed union below, so callers can branch on `code` instead of parsing messages, and retry only what is
 * marked `retriable`. Messages say what was wrong, with the offending value, and what to do about it.
 */

export const ERROR_CODES = {
  /** A value given by the caller is malformed or out of range. */
  INVALID_ARGUMENT: { retriable: false },
  /** A path, topic, column, model or other named thing does not exist. */
  NOT_FOUND: { retriable: false },
  /** Something with that name exists already and the operation would replace it. */
  ALREADY_EXISTS: { retriable: false },
  /** Reading or writing failed at the operating-system level. */
  IO_ERROR: { retriable: true },
  /** Stored data failed a checksum or format check. */
  CORRUPT_DATA: { retriable: false },
  /** The request is well-formed but this build does not support it. */
  UNSUPPORTED: { retriable: false },
  /** A wait ran out of time. */
  TIMEOUT: { retriable: true },
  /** The object was closed or stopped before or during the operation. */
  CLOSED: { retriable: false },
  /** A peer sent bytes that do not follow the wire protocol. */
  PROTOCOL_ERROR: { retriable: false },
  /** A query refers to columns or types that do not fit (Spark's AnalysisException). */
  ANALYSIS_ERROR: { retriable: false },
  /** The operation is not allowed in the object's current state. */
  ILLEGAL_STATE: { retriable: false },
  /** A plugin could not be found, loaded or registered. */
  PLUGIN_ERROR: { retriable: false },
  /** A command-line invocation is wrong (unknown command, bad flag value). */
  USAGE: { retriable: false },
  /** A bug in Eddy: an invariant did not hold. */
  INTERNAL: { retriable: false },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface EddyErrorOptions {
  cause?: unknown;
  /** Overrides the code's default retriability, e.g. a NOT_FOUND that may appear shortly. */
  retriable?: boolean;
}

export class EddyError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: EddyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EddyError';
    this.code = code;
    this.retriable = options.retriable ?? ERROR_CODES[code].retriable;
  }
}

export function isEddyError(e: unknown, code?: ErrorCode): e is EddyError {
  return e instanceof EddyError && (code === undefined || e.code === code);
}

/** Wraps any thrown value as an EddyError, keeping the original as `cause`. */
export function toEddyError(e: unknown, code: ErrorCode, context: string): EddyError {
  if (e instanceof EddyError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new EddyError(code, `${context}: ${detail}`, { cause: e });
}

/** Renders a value for an error message: strings quoted, long values cut. */
export function describeValue(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (typeof v === 'bigint') s = `${v}n`;
  else if (v === undefined) s = 'undefined';
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
