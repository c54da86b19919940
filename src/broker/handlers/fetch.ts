import { ErrorCode, type BrokerCore } from '../core.js';
import type { Handler, HandlerContext } from '../handler.js';

interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes?: number;
  topics: { topic: string; partitions: { partition: number; fetchOffset: number; partitionMaxBytes: number }[] }[];
}

interface PartitionResult {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: [];
  preferredReadReplica: number;
  records: Buffer[] | Buffer;
}

/**
 * Fetch (key 1): stored batches byte for byte, starting with the one that holds fetchOffset, within the
 * partition and response byte limits (always at least one whole batch, as Kafka v3+). When fewer than minBytes
 * are there, waits — without polling — until appends to the requested partitions bring enough or maxWaitMs
 * passes (long poll). No fetch sessions: sessionId is always 0.
 */
export function fetchHandler(core: BrokerCore): Handler {
  const brokerMax = core.config.int('fetch.max.bytes', 1);
  return async (request: FetchRequest, ctx: HandlerContext) => {
    const maxBytes = Math.min(ctx.apiVersion >= 3 ? (request.maxBytes ?? brokerMax) : brokerMax, brokerMax);
    const deadline = Date.now() + Math.max(0, request.maxWaitMs);
    const wanted = new Set(request.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}\u0000${p.partition}`)));
    let arrived = 0;
    let wake: (() => void) | null = null;
    const unlisten = core.logs.onAppend((topic, partition, bytes) => {
      if (!wanted.has(`${topic}\u0000${partition}`)) return;
      arrived += bytes;
      wake?.();
    });
    try {
      while (true) {
        arrived = 0;
        const { responses, bytes, error } = await readAll(core, request, maxBytes);
        const remaining = deadline - Date.now();
        if (bytes >= request.minBytes || error || remaining <= 0) {
          return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses };
        }
        // Wait for enough new bytes (counting what appended during the read) or the deadline.
        await new Promise<void>((resolve) => {
          // Unref'd: a parked fetch must not keep a stopping process alive.
          const timer = setTimeout(resolve, remaining);
          timer.unref();
          wake = () => {
            if (bytes + arrived >= request.minBytes) {
              clearTimeout(timer);
              resolve();
            }
          };
          wake();
        });
        wake = null;
      }
    } finally {
      unlisten();
    }
  };
}

async function readAll(
  core: BrokerCore,
  request: FetchRequest,
  maxBytes: number,
): Promise<{ responses: { topic: string; partitions: PartitionResult[] }[]; bytes: number; error: boolean }> {
  let bytes = 0;
  let error = false;
  const responses = [];
  for (const t of request.topics) {
    const partitions: PartitionResult[] = [];
    for (const p of t.partitions) {
      const log = core.logs.partition(t.topic, p.partition);
      const base = {
        partitionIndex: p.partition,
        abortedTransactions: [] as [],
        preferredReadReplica: -1,
        records: Buffer.alloc(0),
      };
      if (!log) {
        error = true;
        partitions.push({
          ...base,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
        });
        continue;
      }
      const hw = log.highWatermark;
      const info = { highWatermark: hw, lastStableOffset: hw, logStartOffset: log.logStartOffset };
      const room = Math.min(p.partitionMaxBytes, maxBytes - bytes);
      if (room <= 0 && bytes > 0) {
        partitions.push({ ...base, ...info, errorCode: 0 });
        continue;
      }
      const r = await log.read(p.fetchOffset, Math.max(room, 0), bytes === 0);
      if (r.errorCode !== 0) error = true;
      bytes += r.bytes;
      partitions.push({
        ...base,
        ...info,
        errorCode: r.errorCode,
        records: r.records.length > 0 ? r.records : base.records,
      });
    }
    responses.push({ topic: t.topic, partitions });
  }
  return { responses, bytes, error };
}
