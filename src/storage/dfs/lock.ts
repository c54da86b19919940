import * as fsp from 'node:fs/promises';
import { hostname } from 'node:os';
import { EddyError, describeValue } from '../../common/errors.js';
import { getLogger } from '../../common/log.js';
import { ioError } from '../io-error.js';

const log = getLogger('dfs.lock');

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

/**
 * `in_use.lock`, as HDFS storage directories have: one process owns a store at a time. The file is created
 * exclusively; a lock left by a process that is gone (same host, pid not alive) is taken over.
 */
export class StoreLock {
  private constructor(private readonly file: string) {}

  static async acquire(file: string): Promise<StoreLock> {
    const mine: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await fsp.writeFile(file, JSON.stringify(mine) + '\n', { flag: 'wx' });
        return new StoreLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(e, 'create lock', file);
      }
      let held: LockInfo | undefined;
      try {
        held = JSON.parse(await fsp.readFile(file, 'utf8')) as LockInfo;
      } catch {
        held = undefined; // unreadable or half-written: its writer died before finishing it
      }
      if (held && held.host === mine.host && held.pid === process.pid) {
        throw new EddyError(
          'ILLEGAL_STATE',
          `the store ${describeValue(file.replace(/\/in_use\.lock$/, ''))} is already open in this process; close the other Eddy session (or file system) first`,
        );
      }
      if (held && (held.host !== mine.host || isAlive(held.pid))) {
        throw new EddyError(
          'ILLEGAL_STATE',
          `the store ${describeValue(file.replace(/\/in_use\.lock$/, ''))} is in use by process ${held.pid} on ${held.host} since ${held.since}; stop that process, or use another --home`,
        );
      }
      log.warn(`taking over ${file}: its owner ${held ? `(pid ${held.pid})` : ''} is gone`);
      await fsp.rm(file, { force: true });
    }
    throw new EddyError('ILLEGAL_STATE', `could not take the store lock ${describeValue(file)}; retry`);
  }

  async release(): Promise<void> {
    await fsp.rm(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
