import * as fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import { EddyError } from '../../common/errors.js';
import { crc32c } from '../../common/checksum.js';
import { ioError } from '../io-error.js';

/**
 * The fsimage: the whole namespace as of transaction `txid`, as one JSON document behind a header line
 * `EDDYIMG1 <crc32c hex> <byte length>\n`. It is written to a temp file, fsynced and renamed over the old one,
 * so the image on disk is always a complete checkpoint.
 */
export interface ImageContent {
  txid: number;
  nextBlockId: number;
  root: unknown;
}

const MAGIC = 'EDDYIMG1';

export async function writeImage(file: string, image: ImageContent): Promise<void> {
  const body = Buffer.from(JSON.stringify(image));
  const header = Buffer.from(`${MAGIC} ${crc32c(body).toString(16).padStart(8, '0')} ${body.length}\n`);
  const tmp = `${file}.ckpt`;
  try {
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(Buffer.concat([header, body]));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
    const dir = await fsp.open(dirname(file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw ioError(e, 'write fsimage', file);
  }
}

export async function readImage(file: string): Promise<ImageContent> {
  let data: Buffer;
  try {
    data = await fsp.readFile(file);
  } catch (e) {
    throw ioError(e, 'read fsimage', file);
  }
  const nl = data.indexOf(0x0a);
  const header = nl < 0 ? '' : data.toString('latin1', 0, nl);
  const m = /^EDDYIMG1 ([0-9a-f]{8}) (\d+)$/.exec(header);
  const body = data.subarray(nl + 1);
  if (!m || Number(m[2]) !== body.length || crc32c(body) !== Number.parseInt(m[1]!, 16)) {
    throw new EddyError(
      'CORRUPT_DATA',
      `the dfs fsimage ${file} fails its checksum; restore the store's name/ folder from a backup`,
    );
  }
  return JSON.parse(body.toString('utf8')) as ImageContent;
}
