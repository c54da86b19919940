import { createServer, type Server } from 'node:net';
import { getLogger } from '../common/log.js';
import { Connection, type ConnectionStats } from './connection.js';
import type { BrokerCore } from './core.js';
import { FrameShelf } from './frame-shelf.js';
import { RequestMemoryPool } from './request-memory-pool.js';

const log = getLogger('broker.server');

/** The broker's flow-control accounting at one moment (Broker.stats()). */
export interface ServerStats {
  /** Request bytes reserved across all connections (frames being read and requests not yet answered). */
  queuedRequestBytes: number;
  /** queued.max.request.bytes (-1: unbounded). */
  queuedMaxRequestBytes: number;
  /** Connections paused until the request pool has room. */
  connectionsWaitingForMemory: number;
  /** Bytes kept on the shelf of reusable buffers large frames are assembled in (at most 8 × 2 MiB). */
  assemblyBufferBytes: number;
  connections: ConnectionStats[];
}

export interface Listening {
  server: Server;
  port: number;
  stats(): ServerStats;
  close(): Promise<void>;
}

/** Listens on host:port and serves Kafka clients; resolves once listening. */
export async function listen(core: BrokerCore, host: string, port: number): Promise<Listening> {
  const limits = {
    maxRequestBytes: core.config.int('socket.request.max.bytes', 1),
    maxInFlight: core.config.int('eddy.connection.max.in.flight.requests', 1),
    maxQueuedResponseBytes: core.config.int('eddy.connection.max.queued.response.bytes', 0),
    maxIdleMs: core.config.int('connections.max.idle.ms', -1),
  };
  const pool = new RequestMemoryPool(core.config.int('queued.max.request.bytes', -1));
  const shelf = new FrameShelf();
  const connections = new Set<Connection>();
  let seq = 0;
  const server = createServer((socket) => {
    const id = `c${++seq}-${socket.remoteAddress}:${socket.remotePort}`;
    const c = new Connection(socket, core, id, limits, pool, shelf);
    connections.add(c);
    socket.on('close', () => connections.delete(c));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log.error('server error', e));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: bound,
    stats: () => ({
      queuedRequestBytes: pool.reserved,
      queuedMaxRequestBytes: pool.capacity,
      connectionsWaitingForMemory: pool.waiters,
      assemblyBufferBytes: shelf.size,
      connections: [...connections].map((c) => c.stats()),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of connections) c.destroy();
      }),
  };
}
