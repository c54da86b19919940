import type { BatchInfo } from './record-batch.js';

/**
 * Idempotent-producer bookkeeping for one partition, as Kafka's ProducerStateManager: per producer id its epoch
 * and its last five batches (Kafka keeps five because a producer has at most five in flight), so a retried batch
 * is recognised and answered with its original offset instead of being written twice.
 */

export const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
export const INVALID_PRODUCER_EPOCH = 47;
const KEEP = 5;

interface BatchMeta {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface Entry {
  epoch: number;
  batches: BatchMeta[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

function lastSeqOf(info: BatchInfo): number {
  // Sequences wrap at INT32_MAX back to 0.
  return (info.baseSequence + info.lastOffsetDelta) % 2147483648;
}

export class ProducerState {
  private readonly producers = new Map<number, Entry>();

  check(info: BatchInfo): SequenceCheck {
    if (info.producerId < 0) return { kind: 'append' };
    const e = this.producers.get(info.producerId);
    // Unknown producer (new, or its history left with an older segment): accept and start tracking.
    if (!e) return { kind: 'append' };
    if (info.producerEpoch < e.epoch) {
      return {
        kind: 'error',
        errorCode: INVALID_PRODUCER_EPOCH,
        message: `producer ${info.producerId} epoch ${info.producerEpoch} is older than ${e.epoch}`,
      };
    }
    if (info.producerEpoch > e.epoch) {
      if (info.baseSequence === 0) return { kind: 'append' };
      return {
        kind: 'error',
        errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `producer ${info.producerId} new epoch ${info.producerEpoch} must start at sequence 0, not ${info.baseSequence}`,
      };
    }
    const last = lastSeqOf(info);
    for (const b of e.batches) {
      if (b.firstSeq === info.baseSequence && b.lastSeq === last)
        return { kind: 'duplicate', baseOffset: b.baseOffset };
    }
    const tail = e.batches[e.batches.length - 1];
    const expected = tail === undefined ? 0 : (tail.lastSeq + 1) % 2147483648;
    if (info.baseSequence !== expected) {
      return {
        kind: 'error',
        errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `producer ${info.producerId} sent sequence ${info.baseSequence}, expected ${expected}`,
      };
    }
    return { kind: 'append' };
  }

  /** Records an appended batch (also used to rebuild the state while recovering the log). */
  record(info: BatchInfo, baseOffset: number): void {
    if (info.producerId < 0) return;
    let e = this.producers.get(info.producerId);
    if (!e || info.producerEpoch > e.epoch) {
      e = { epoch: info.producerEpoch, batches: [] };
      this.producers.set(info.producerId, e);
    }
    e.batches.push({ firstSeq: info.baseSequence, lastSeq: lastSeqOf(info), baseOffset });
    if (e.batches.length > KEEP) e.batches.shift();
  }
}
