import { EddyError, isEddyError } from '../../common/errors.js';

/**
 * The retry loop shared by the per-partition APIs (Produce, Fetch, ListOffsets): each round groups the partitions
 * still to do by leader and sends one request per leader; partitions whose answer is a retriable error — or
 * whose connection failed — go into the next round, after a backoff and a metadata refresh. Backoff follows
 * Kafka's retry.backoff.ms / retry.backoff.max.ms: exponential, ±20% jitter.
 */

export interface PartitionKey {
  topic: string;
  partition: number;
}

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: EddyError; refresh: boolean };

export interface RetryPolicy {
  retries: number;
  backoffMs: number;
  backoffMaxMs: number;
}

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const exp = Math.min(policy.backoffMaxMs, policy.backoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

export interface RoundDriver<Q extends PartitionKey, R> {
  /** Node id of the partition's leader, or an Outcome error when it is unknown now. */
  leaderOf(req: Q): Promise<number | Outcome<R>>;
  /** Sends one request to a leader for these partitions; one outcome per request, in order. */
  send(leader: number, reqs: readonly Q[]): Promise<Outcome<R>[]>;
  /** Called before a retry round with the topics that need fresh metadata. */
  refresh(topics: ReadonlySet<string>): Promise<void>;
  /** Set once the client is closed: stop retrying. */
  closed(): boolean;
}

export async function runPerPartition<Q extends PartitionKey, R>(
  what: string,
  reqs: readonly Q[],
  policy: RetryPolicy,
  driver: RoundDriver<Q, R>,
): Promise<R[]> {
  const results = new Array<R>(reqs.length);
  let pending = reqs.map((_, i) => i);
  for (let attempt = 0; ; attempt++) {
    const byLeader = new Map<number, number[]>();
    const failed: { i: number; error: EddyError; refresh: boolean }[] = [];
    await Promise.all(
      pending.map(async (i) => {
        const leader = await driver.leaderOf(reqs[i]!);
        if (typeof leader === 'number') {
          const list = byLeader.get(leader) ?? [];
          list.push(i);
          byLeader.set(leader, list);
        } else if (leader.ok) results[i] = leader.value;
        else failed.push({ i, error: leader.error, refresh: leader.refresh });
      }),
    );
    await Promise.all(
      [...byLeader].map(async ([leader, idx]) => {
        let outcomes: Outcome<R>[];
        try {
          outcomes = await driver.send(
            leader,
            idx.map((i) => reqs[i]!),
          );
        } catch (e) {
          const error = isEddyError(e)
            ? e
            : new EddyError('IO_ERROR', `${what}: ${(e as Error).message}`, { cause: e, retriable: true });
          outcomes = idx.map(() => ({ ok: false, error, refresh: error.retriable }));
        }
        idx.forEach((i, k) => {
          const o = outcomes[k]!;
          if (o.ok) results[i] = o.value;
          else failed.push({ i, error: o.error, refresh: o.refresh });
        });
      }),
    );
    const fatal = failed.find((f) => !f.error.retriable);
    if (fatal) throw fatal.error;
    if (failed.length === 0) return results;
    if (attempt >= policy.retries || driver.closed()) {
      const first = failed[0]!.error;
      const names = failed.map((f) => `${reqs[f.i]!.topic}-${reqs[f.i]!.partition}`);
      throw new EddyError(
        first.code,
        `${what} failed for ${names.join(', ')} after ${attempt + 1} attempt(s): ${first.message}`,
        { cause: first, retriable: true },
      );
    }
    await new Promise((r) => setTimeout(r, backoffDelay(policy, attempt + 1)));
    const refresh = new Set(failed.filter((f) => f.refresh).map((f) => reqs[f.i]!.topic));
    if (refresh.size > 0) {
      try {
        await driver.refresh(refresh);
      } catch (e) {
        // The next round reports the partitions again; a refresh that fails is only worth a retry.
        if (isEddyError(e) && !e.retriable) throw e;
      }
    }
    pending = failed.map((f) => f.i).sort((a, b) => a - b);
  }
}
