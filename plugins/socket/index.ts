import { Socket } from 'node:net';
import { EddyError, getOption, parseSchema, type EddyPlugin, type PluginSource } from '../../src/index.js';

const VALUE = parseSchema('value STRING');
const VALUE_AND_TIMESTAMP = parseSchema('value STRING, timestamp TIMESTAMP');

/**
 * Spark's socket source: lines of UTF-8 text read from a TCP server (`host`, `port`), for tests and demos such as
 * `nc -lk 9999`. Offsets count lines since the query started. As in Spark it is not fault tolerant: lines live in
 * memory only, so a restarted query cannot re-read what it had not committed, and it refuses to resume from a
 * checkpoint that recorded offsets of an earlier run. `includeTimestamp` adds the time each line arrived.
 */
export const socketPlugin: EddyPlugin = {
  name: 'socket',
  sources: [
    {
      shortName: 'socket',
      createSource(options, ctx): PluginSource {
        if (ctx.userSchema) {
          throw new EddyError('ANALYSIS_ERROR', 'The socket source does not support a user-specified schema');
        }
        const host = getOption(options, 'host');
        const portText = getOption(options, 'port');
        const port = Number(portText);
        if (host === undefined || portText === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `the socket source needs .option('host', 'localhost').option('port', 9999); got host ${JSON.stringify(host)}, port ${JSON.stringify(portText)}`,
          );
        }
        const withTimestamp = (getOption(options, 'includeTimestamp') ?? 'false').toLowerCase() === 'true';
        const schema = withTimestamp ? VALUE_AND_TIMESTAMP : VALUE;
        // lines[i] is the line at offset base + i + 1; committed lines are dropped.
        let lines: [string, Date][] = [];
        let base = 0;
        let socket: Socket | undefined;
        let failure: Error | undefined;
        let partial = '';
        return {
          schema,
          description: `TextSocketSource[host: ${host}, port: ${port}]`,
          async initialize() {
            await new Promise<void>((resolve, reject) => {
              const s = new Socket();
              s.once('error', (e) =>
                reject(
                  new EddyError('IO_ERROR', `cannot connect to the socket source at ${host}:${port}: ${e.message}`),
                ),
              );
              s.connect(port, host, () => {
                s.removeAllListeners('error');
                s.on('error', (e) => (failure = e));
                resolve();
              });
              s.setEncoding('utf8');
              s.on('data', (chunk: string) => {
                const parts = (partial + chunk).split('\n');
                partial = parts.pop()!;
                const now = new Date();
                for (const p of parts) lines.push([p.replace(/\r$/, ''), now]);
              });
              socket = s;
            });
          },
          async latestOffset(start) {
            if (failure)
              throw new EddyError('IO_ERROR', `the socket source at ${host}:${port} failed: ${failure.message}`);
            if (start !== null && Number(start) > base + lines.length) {
              throw new EddyError(
                'ILLEGAL_STATE',
                `the socket source cannot resume from offset ${start}: its lines were in the memory of an earlier run ` +
                  `(it is not fault tolerant, as in Spark); start the query with a new checkpointLocation`,
              );
            }
            const end = base + lines.length;
            return end === 0 ? null : String(end);
          },
          async getBatch(start, end) {
            const from = start === null ? 0 : Number(start);
            const to = end === null ? from : Number(end);
            if (from < base) {
              throw new EddyError(
                'ILLEGAL_STATE',
                `socket source lines from ${from} were already committed and dropped`,
              );
            }
            const picked = lines.slice(from - base, to - base);
            return ctx.session.createDataFrame(
              picked.map(([v, t]) => (withTimestamp ? [v, t] : [v])),
              schema,
            );
          },
          async commit(end) {
            const n = Number(end) - base;
            if (n > 0) {
              lines = lines.slice(n);
              base += n;
            }
          },
          async stop() {
            socket?.destroy();
          },
        };
      },
    },
  ],
};
