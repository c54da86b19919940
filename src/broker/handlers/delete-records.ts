import { ErrorCode, type BrokerCore } from '../core.js';
import type { Handler } from '../handler.js';

interface DeleteRecordsRequest {
  topics: { name: string; partitions: { partitionIndex: number; offset: number }[] }[];
  timeoutMs: number;
}

/** DeleteRecords (key 21): moves a partition's log start offset forward (-1: to the high watermark). */
export function deleteRecordsHandler(core: BrokerCore): Handler {
  return async (request: DeleteRecordsRequest) => ({
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const log = core.logs.partition(t.name, p.partitionIndex);
        if (!log)
          return {
            partitionIndex: p.partitionIndex,
            lowWatermark: -1,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          };
        if (p.offset > log.highWatermark || p.offset < -1) {
          return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
        }
        return { partitionIndex: p.partitionIndex, lowWatermark: log.deleteRecordsBefore(p.offset), errorCode: 0 };
      }),
    })),
  });
}
