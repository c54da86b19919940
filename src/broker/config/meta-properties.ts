import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EddyError } from '../../common/errors.js';
import { parseProperties } from './broker-config.js';

/**
 * `<dataDir>/meta.properties`, as Kafka writes it: the cluster id (22-character URL-safe base64 of a random
 * UUID) and the node id this data belongs to. Created on first start; a later start with another node.id is
 * refused, because the logs would then be served under a different identity.
 */
export function loadOrCreateMeta(dataDir: string, nodeId: number): { clusterId: string } {
  const path = join(dataDir, 'meta.properties');
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    const props = parseProperties(text);
    const stored = props['node.id'] ?? props['broker.id'];
    if (stored !== undefined && Number(stored) !== nodeId) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `the data dir ${dataDir} belongs to node.id ${stored}, not ${nodeId}; start with node.id=${stored} or use another data dir`,
      );
    }
    if (props['cluster.id']) return { clusterId: props['cluster.id'] };
  }
  const clusterId = randomBytes(16).toString('base64url');
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(
      fd,
      `#\n# Written by Eddy's broker; do not edit.\nversion=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`,
    );
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return { clusterId };
}
