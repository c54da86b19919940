import * as fsp from 'node:fs/promises';
import { EddyError } from '../../common/errors.js';
import { crc32c } from '../../common/checksum.js';
import { getLogger } from '../../common/log.js';
import { ioError } from '../io-error.js';
import type { EditOp } from './namespace.js';

const log = getLogger('dfs.edits');

export type LoggedOp = EditOp & { txid: number };

/**
 * The edit log (HDFS's `edits`): one line per namespace change, `<crc32c as 8 hex digits> <json>\n`, appended
 * and fsynced before the change is applied or acknowledged. A process killed mid-append leaves at most one torn
 * last line, which load() cuts off (that change was never acknowledged); a bad line followed by good ones is
 * real corruption and refuses to load.
 */
export class EditLog {
  /** Set when a failed append could not be cut back: appending more would bury a torn entry mid-log. */
  broken: unknown;

  private constructor(
    private readonly file: string,
    private fh: fsp.FileHandle,
    private size: number,
  ) {}

  /** Reads every intact op and opens the log for appending after them. */
  static async open(file: string): Promise<{ log: EditLog; ops: LoggedOp[] }> {
    let data: Buffer;
    try {
      data = await fsp.readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, 'read edit log', file);
      data = Buffer.alloc(0);
    }
    const ops: LoggedOp[] = [];
    let good = 0;
    while (good < data.length) {
      const nl = data.indexOf(0x0a, good);
      const parsed = nl < 0 ? undefined : parseLine(data.subarray(good, nl));
      if (!parsed) {
        const tail = nl < 0 ? -1 : data.indexOf(0x0a, nl + 1);
        if (nl >= 0 && (tail >= 0 || nl + 1 < data.length)) {
          throw new EddyError(
            'CORRUPT_DATA',
            `the dfs edit log ${file} is corrupt at byte ${good} (a damaged entry is followed by others); restore the store from a backup`,
          );
        }
        log.warn(`cutting a torn last entry (${data.length - good} bytes) off ${file}: a write that never completed`);
        break;
      }
      ops.push(parsed);
      good = nl + 1;
    }
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, 'a');
      if (good < data.length) {
        await fh.truncate(good);
        await fh.sync();
      }
    } catch (e) {
      throw ioError(e, 'open edit log', file);
    }
    return { log: new EditLog(file, fh, good), ops };
  }

  /** Appends and fsyncs one op; on failure the log is cut back so it holds only complete entries. */
  async append(op: LoggedOp): Promise<void> {
    const json = JSON.stringify(op);
    const body = Buffer.from(json);
    const line = Buffer.concat([
      Buffer.from(`${crc32c(body).toString(16).padStart(8, '0')} `),
      body,
      Buffer.from('\n'),
    ]);
    try {
      await this.fh.write(line, 0, line.length, null);
      await this.fh.datasync();
      this.size += line.length;
    } catch (e) {
      try {
        await this.fh.truncate(this.size);
      } catch (t) {
        this.broken = t;
      }
      throw ioError(e, 'append to edit log', this.file);
    }
  }

  get bytes(): number {
    return this.size;
  }

  /** Empties the log once a checkpoint holds everything in it. */
  async reset(): Promise<void> {
    try {
      await this.fh.truncate(0);
      await this.fh.sync();
      this.size = 0;
    } catch (e) {
      throw ioError(e, 'reset edit log', this.file);
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

function parseLine(line: Buffer): LoggedOp | undefined {
  if (line.length < 10 || line[8] !== 0x20) return undefined;
  const want = Number.parseInt(line.toString('latin1', 0, 8), 16);
  const body = line.subarray(9);
  if (!Number.isFinite(want) || crc32c(body) !== want) return undefined;
  try {
    const op = JSON.parse(body.toString('utf8')) as LoggedOp;
    return typeof op.txid === 'number' && typeof op.op === 'string' ? op : undefined;
  } catch {
    return undefined;
  }
}
