import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { startBroker } from '../broker/broker.js';
import { parseProperties } from '../broker/config/broker-config.js';
import { EddyError, describeValue, toEddyError } from '../common/errors.js';

/**
 * `eddy broker start`: the standalone broker, configured like Kafka's kafka-server-start.sh — a
 * server.properties file (--config), `--override key=value` on top, and the shortcuts --port / --host /
 * --data-dir. Runs until SIGINT or SIGTERM, then closes cleanly (logs flushed) and exits 0.
 */

interface StartOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  config?: string;
  override: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerBroker(program: Command): void {
  const broker = program.command('broker').description('run the built-in Kafka-protocol broker');
  broker
    .command('start')
    .description('start a standalone broker (Kafka clients connect to it unchanged)')
    .option(
      '--config <file>',
      'a Kafka server.properties file (listeners, log.dirs, num.partitions, log.retention.hours, ...)',
    )
    .option('--port <port>', 'port to listen on (overrides listeners; 0 picks a free one)')
    .option('--host <host>', 'interface to bind (default: the listeners host, or 127.0.0.1)')
    .option('--data-dir <dir>', 'where the logs are kept (overrides log.dirs)')
    .option('--override <key=value>', 'set one server.properties entry (repeatable)', collect, [])
    .action(async (opts: StartOptions) => {
      let props: Record<string, string> = {};
      if (opts.config !== undefined) {
        let text: string;
        try {
          text = await readFile(opts.config, 'utf8');
        } catch (e) {
          throw toEddyError(e, 'INVALID_ARGUMENT', `cannot read the config file ${describeValue(opts.config)}`);
        }
        props = parseProperties(text);
      }
      for (const o of opts.override) {
        const eq = o.indexOf('=');
        if (eq <= 0) throw new EddyError('USAGE', `--override ${describeValue(o)} must look like key=value`);
        props[o.slice(0, eq)] = o.slice(eq + 1);
      }
      let port: number | undefined;
      if (opts.port !== undefined) {
        port = Number(opts.port);
        if (!/^\d+$/.test(opts.port) || port > 65535) {
          throw new EddyError('USAGE', `--port ${describeValue(opts.port)} must be a number in 0..65535`);
        }
      }
      const b = await startBroker({ port, host: opts.host, dataDir: opts.dataDir, config: props });
      process.stdout.write(`eddy broker ${b.nodeId} listening on ${b.bootstrapServers} (data in ${b.dataDir})\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await b.close();
      process.stdout.write('eddy broker stopped\n');
    });
}
