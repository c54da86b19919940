import { EddyError } from '../common/errors.js';
import { StreamingQuery, type QueryDefinition, type QueryListener } from './query.js';

/**
 * The queries of one Eddy session (Spark's StreamingQueryManager): the active ones, listeners for their
 * started / progress / terminated events, and waiting for any of them to end.
 */
export class StreamingQueryManager {
  private readonly queries = new Map<string, StreamingQuery<unknown>>();
  private readonly listeners = new Set<QueryListener>();
  private terminated: StreamingQuery<unknown>[] = [];
  private terminationWaiters: (() => void)[] = [];

  get active(): StreamingQuery<unknown>[] {
    return [...this.queries.values()].filter((q) => q.isActive);
  }

  get(id: string): StreamingQuery<unknown> | undefined {
    return this.queries.get(id);
  }

  addListener(listener: QueryListener): void {
    this.listeners.add(listener);
  }

  removeListener(listener: QueryListener): void {
    this.listeners.delete(listener);
  }

  async startQuery<TData>(def: QueryDefinition<TData>): Promise<StreamingQuery<TData>> {
    if (def.name) {
      const clash = this.active.find((q) => q.name === def.name);
      if (clash) {
        throw new EddyError(
          'ALREADY_EXISTS',
          `a streaming query named ${JSON.stringify(def.name)} is already active (id ${clash.id}); stop it or choose another queryName`,
        );
      }
    }
    const query = await StreamingQuery.start<TData>({ ...def, listeners: () => this.listeners });
    const sameCheckpoint = this.active.find((q) => q !== (query as StreamingQuery<unknown>) && q.id === query.id);
    if (sameCheckpoint) {
      await query.stop();
      throw new EddyError(
        'ILLEGAL_STATE',
        `query ${query.id} is already active on checkpoint ${def.checkpointDir}; a checkpoint serves one running query`,
      );
    }
    this.queries.set(query.id, query as StreamingQuery<unknown>);
    void query
      .awaitTermination()
      .catch(() => undefined)
      .then(() => {
        this.terminated.push(query as StreamingQuery<unknown>);
        const waiters = this.terminationWaiters;
        this.terminationWaiters = [];
        for (const w of waiters) w();
      });
    return query;
  }

  /** Waits until any query has terminated since the last resetTerminated(); throws its failure if it failed. */
  async awaitAnyTermination(timeoutMs?: number): Promise<boolean> {
    if (this.terminated.length === 0) {
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([
        new Promise<boolean>((r) => this.terminationWaiters.push(() => r(true))),
        ...(timeoutMs === undefined
          ? []
          : [new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)))]),
      ]);
      clearTimeout(timer);
      if (!ended) return false;
    }
    const failed = this.terminated.find((q) => q.exception() !== null);
    if (failed) throw failed.exception()!;
    return true;
  }

  resetTerminated(): void {
    this.terminated = [];
  }

  /** Stops every active query. */
  async stopAll(): Promise<void> {
    await Promise.all(this.active.map((q) => q.stop()));
  }
}
