/**
 * Logging to stderr, so that stdout stays free for data (console sinks, console consumers, `fs -cat`).
 * The level comes from EDDY_LOG_LEVEL (error, warn, info, debug; default warn) or setLogLevel().
 */

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

function levelFromEnv(): LogLevel {
  const v = process.env['EDDY_LOG_LEVEL']?.toLowerCase();
  return v !== undefined && v in RANK ? (v as LogLevel) : 'warn';
}

let current: LogLevel = levelFromEnv();

export function setLogLevel(level: LogLevel): void {
  current = level;
}

export function getLogLevel(): LogLevel {
  return current;
}

export interface Logger {
  error(msg: string, err?: unknown): void;
  warn(msg: string, err?: unknown): void;
  info(msg: string): void;
  debug(msg: string): void;
}

function emit(level: LogLevel, name: string, msg: string, err?: unknown): void {
  if (RANK[level] > RANK[current]) return;
  const detail = err === undefined ? '' : `: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${name}] ${msg}${detail}\n`);
}

export function getLogger(name: string): Logger {
  return {
    error: (msg, err) => emit('error', name, msg, err),
    warn: (msg, err) => emit('warn', name, msg, err),
    info: (msg) => emit('info', name, msg),
    debug: (msg) => emit('debug', name, msg),
  };
}
