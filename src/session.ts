import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startBroker, type Broker, type BrokerOptions } from './broker/broker.js';
import { EddyError, describeValue } from './common/errors.js';

export interface EddyOptions {
  /** Folder that holds the embedded store, the broker's logs and checkpoints. Default: $EDDY_HOME or ./eddy-home. */
  home?: string;
  /**
   * The embedded Kafka-protocol broker, kept under `<home>/broker`: options for it (port — default 0, a free
   * one —, config with server.properties names, extensions), or `false` to start none.
   */
  broker?: false | Omit<BrokerOptions, 'dataDir'>;
}

/**
 * The entry point of the SDK, like Spark's SparkSession: one per program, holding the embedded services.
 * Create it with `await Eddy.start()` and release it with `await eddy.close()`.
 */
export class Eddy {
  readonly home: string;
  private readonly closers: (() => Promise<void>)[] = [];
  private closed = false;
  private embeddedBroker: Broker | undefined;

  private constructor(home: string) {
    this.home = home;
  }

  /** The embedded broker; give `eddy.broker.bootstrapServers` to Kafka clients. */
  get broker(): Broker {
    if (!this.embeddedBroker) {
      throw new EddyError(
        'ILLEGAL_STATE',
        'this Eddy was started with broker: false; start it without that option to get a broker',
      );
    }
    return this.embeddedBroker;
  }

  static async start(options: EddyOptions = {}): Promise<Eddy> {
    const home = resolve(options.home ?? process.env['EDDY_HOME'] ?? 'eddy-home');
    if (home.includes('\0')) throw new EddyError('INVALID_ARGUMENT', `home ${describeValue(home)} contains a NUL byte`);
    await mkdir(home, { recursive: true });
    const eddy = new Eddy(home);
    if (options.broker !== false) {
      const b = await startBroker({ port: 0, ...options.broker, dataDir: join(home, 'broker') });
      eddy.embeddedBroker = b;
      eddy.onClose(() => b.close());
    }
    return eddy;
  }

  /** Registers something to release on close(); released in reverse order of registration. */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: unknown[] = [];
    for (const fn of this.closers.reverse()) {
      try {
        await fn();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) {
      throw new EddyError('IO_ERROR', `closing Eddy failed: ${errors.map(String).join('; ')}`, { cause: errors[0] });
    }
  }
}
