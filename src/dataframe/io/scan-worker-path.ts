import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The compiled scan worker; absent when running from TypeScript sources (then scans run in-process). */
export const SCAN_WORKER_URL = new URL('./scan-worker.js', import.meta.url);

let exists: boolean | undefined;
export function workerScriptExists(): boolean {
  exists ??= import.meta.url.endsWith('.js') && existsSync(fileURLToPath(SCAN_WORKER_URL));
  return exists;
}
