import { ErrorCode, type BrokerCore } from '../core.js';
import type { Handler, HandlerContext } from '../handler.js';

interface ListOffsetsRequest {
  replicaId: number;
  topics: { name: string; partitions: { partitionIndex: number; timestamp: number; maxNumOffsets?: number }[] }[];
}

const LATEST = -1;
const EARLIEST = -2;

/** ListOffsets (key 2): -1 latest (the high watermark), -2 earliest (log start), else the first offset at or after a timestamp. */
export function listOffsetsHandler(core: BrokerCore): Handler {
  return async (request: ListOffsetsRequest, ctx: HandlerContext) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const log = core.logs.partition(t.name, p.partitionIndex);
        if (!log) {
          return {
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            oldStyleOffsets: [],
          };
        }
        let offset: number;
        let timestamp = -1;
        if (p.timestamp === LATEST) offset = log.highWatermark;
        else if (p.timestamp === EARLIEST) offset = log.logStartOffset;
        else {
          const found = log.offsetForTimestamp(p.timestamp);
          offset = found?.offset ?? -1;
          timestamp = found?.timestamp ?? -1;
        }
        if (ctx.apiVersion === 0) {
          // v0 answers a list; for a timestamp with no match Kafka gives the log end.
          return {
            partitionIndex: p.partitionIndex,
            errorCode: 0,
            oldStyleOffsets: [offset < 0 ? log.highWatermark : offset],
          };
        }
        return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp, offset, leaderEpoch: 0 };
      }),
    })),
  });
}
