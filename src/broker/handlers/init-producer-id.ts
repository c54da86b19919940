import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type BrokerCore } from '../core.js';
import type { Handler } from '../handler.js';

interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId?: number;
  producerEpoch?: number;
}

const FILE = '__producer_id';

/**
 * InitProducerId (key 22) for idempotent producers: hands out producer ids that are never reused, even across
 * restarts (the next id is persisted before it is returned). v3+ may present the current id and epoch to get a
 * bumped epoch. Transactional ids are refused: Eddy has no transaction coordinator.
 */
export function initProducerIdHandler(core: BrokerCore): Handler {
  const path = join(core.services.dataDir, FILE);
  let next: number;
  try {
    next = Number(readFileSync(path, 'utf8').trim()) || 0;
  } catch {
    next = 0;
  }
  const allocate = (): number => {
    const id = next++;
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${next}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    return id;
  };
  return async (request: InitProducerIdRequest) => {
    if (request.transactionalId !== null && request.transactionalId !== undefined) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        producerId: -1,
        producerEpoch: -1,
      };
    }
    const pid = request.producerId ?? -1;
    const epoch = request.producerEpoch ?? -1;
    if (pid >= 0 && epoch >= 0 && pid < next && epoch < 32766) {
      return { throttleTimeMs: 0, errorCode: 0, producerId: pid, producerEpoch: epoch + 1 };
    }
    return { throttleTimeMs: 0, errorCode: 0, producerId: allocate(), producerEpoch: 0 };
  };
}
