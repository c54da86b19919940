import { crc32c } from '../../common/checksum.js';
import { getLogger } from '../../common/log.js';
import { effectiveTopicConfig } from '../config/topic-config.js';
import { ErrorCode, type BrokerCore } from '../core.js';
import type { Handler, HandlerContext } from '../handler.js';
import type { PartitionLog } from '../log/partition-log.js';
import { BatchField, checkProducedBatch } from '../log/record-batch.js';

const log = getLogger('broker.produce');

interface ProduceRequest {
  transactionalId?: string | null;
  acks: number;
  timeoutMs: number;
  topicData: { name: string; partitionData: { index: number; records: Buffer | null }[] }[];
}

/**
 * Produce (key 0): validate each partition's batch (one magic-2 batch, CRC32C), check the idempotent
 * producer's sequence, assign offsets and write — the batch bytes stay as the client sent them, compressed or
 * not. acks=all is answered after the flush policy's fsync; acks=0 is never answered (the server drops it).
 */
export function produceHandler(core: BrokerCore): Handler {
  const policy = core.config.flushPolicy;
  return async (request: ProduceRequest, ctx: HandlerContext) => {
    const now = core.services.now();
    const waitFor: PartitionLog[] = [];
    const badAcks = request.acks !== 0 && request.acks !== 1 && request.acks !== -1;
    const responses = request.topicData.map((t) => {
      const topic = core.logs.topic(t.name);
      return {
        name: t.name,
        partitionResponses: t.partitionData.map((p) => {
          const fail = (errorCode: number, errorMessage: string | null = null) => ({
            index: p.index,
            errorCode,
            baseOffset: -1,
            logAppendTimeMs: -1,
            logStartOffset: -1,
            errorMessage,
          });
          if (badAcks) return fail(ErrorCode.INVALID_REQUIRED_ACKS, `acks ${request.acks} must be 0, 1 or -1`);
          const partition = topic?.partitions[p.index];
          if (!topic || !partition) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (request.transactionalId) {
            return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactions are not supported by Eddy');
          }
          const check = checkProducedBatch(p.records, ctx.apiVersion);
          if (!check.ok) return fail(check.errorCode, check.message);
          const batch = p.records!;
          const maxBytes = Number(effectiveTopicConfig(core.config, topic.configs, 'max.message.bytes'));
          if (batch.length > maxBytes) {
            return fail(
              ErrorCode.MESSAGE_TOO_LARGE,
              `batch of ${batch.length} bytes exceeds max.message.bytes ${maxBytes}`,
            );
          }
          let logAppendTimeMs = -1;
          if (effectiveTopicConfig(core.config, topic.configs, 'message.timestamp.type') === 'LogAppendTime') {
            // The one case where the broker changes CRC-covered bytes: set the timestamp type and max timestamp.
            batch.writeInt16BE(batch.readInt16BE(BatchField.Attributes) | 0x08, BatchField.Attributes);
            batch.writeBigInt64BE(BigInt(now), BatchField.MaxTimestamp);
            batch.writeUInt32BE(crc32c(batch.subarray(BatchField.Attributes)), BatchField.Crc);
            check.batch.maxTimestamp = now;
            logAppendTimeMs = now;
          }
          let result;
          try {
            result = partition.append(batch, check.batch, now);
          } catch (e) {
            log.error(`append to ${t.name}-${p.index} failed`, e);
            return fail(ErrorCode.KAFKA_STORAGE_ERROR, 'the broker could not write to its log; see its log output');
          }
          if (result.errorCode !== 0) return fail(result.errorCode, result.message ?? null);
          if (!result.duplicate) core.logs.notifyAppend(t.name, p.index, batch.length);
          if (request.acks === -1 ? policy !== 'none' : policy === 'always') waitFor.push(partition);
          return {
            index: p.index,
            errorCode: 0,
            baseOffset: result.baseOffset,
            logAppendTimeMs,
            logStartOffset: partition.logStartOffset,
            errorMessage: null,
          };
        }),
      };
    });
    if (waitFor.length > 0) {
      try {
        await Promise.all(waitFor.map((p) => p.durable()));
      } catch (e) {
        log.error('fsync failed', e);
        for (const t of responses) {
          for (const p of t.partitionResponses) if (p.errorCode === 0) p.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
        }
      }
    }
    return { responses, throttleTimeMs: 0 };
  };
}
