import { EddyError, describeValue } from '../common/errors.js';
import type { FileSystem, ReadableFile } from './filesystem.js';
import type { InputSplit } from './splits.js';

/** Lines longer than this are refused rather than buffered without bound (Hadoop's maxLineLength, default off). */
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

const NL = 0x0a;
const CR = 0x0d;

/**
 * The lines of bytes [start, start+length) of a file under Hadoop's LineRecordReader rule: a split other than
 * the first skips everything up to and including the first "\n" at or after its start, and every split keeps
 * reading past its end to finish a line that starts at or before its end. So a line starting at byte p belongs
 * to the one split with start < p ≤ end (or to the first split when p = 0), and every line is read exactly once.
 * Lines end at "\n"; a "\r" before it is dropped (CRLF files); the last line may lack a newline.
 * Yields lines in batches (one per chunk read) to keep the per-line cost low.
 */
export async function* lineBatches(
  file: ReadableFile,
  start: number,
  length: number,
  options: { maxLineBytes?: number } = {},
): AsyncIterable<string[]> {
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const end = start + length;
  // Absolute offset where the next line starts; -1 until the partial first line of a non-first split is skipped.
  let lineStart = start === 0 ? 0 : -1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let pos = start;
  for await (const raw of file.stream(start, file.length)) {
    const chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const chunkPos = pos;
    pos += chunk.length;
    let i = 0;
    if (lineStart < 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) continue;
      i = nl + 1;
      lineStart = chunkPos + i;
    }
    const lines: string[] = [];
    while (i < chunk.length) {
      if (lineStart > end) break;
      const nl = chunk.indexOf(NL, i);
      if (nl < 0) {
        pending.push(chunk.subarray(i));
        pendingBytes += chunk.length - i;
        if (pendingBytes > maxLine) {
          throw new EddyError(
            'CORRUPT_DATA',
            `a line at byte ${lineStart} is longer than ${maxLine} bytes; is this a text file? (raise maxLineBytes to read it)`,
          );
        }
        break;
      }
      let line: Buffer;
      if (pending.length > 0) {
        pending.push(chunk.subarray(i, nl));
        line = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
      } else line = chunk.subarray(i, nl);
      lines.push(decodeLine(line));
      i = nl + 1;
      lineStart = chunkPos + i;
    }
    if (lines.length > 0) yield lines;
    if (lineStart > end) return;
  }
  // End of file: a last line without a newline, if it starts inside this split.
  if (pendingBytes > 0 && lineStart >= 0 && lineStart <= end) yield [decodeLine(Buffer.concat(pending))];
}

function decodeLine(line: Buffer): string {
  const n = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
  return line.toString('utf8', 0, n);
}

/** Opens the split's file on `fs` and yields its lines in batches; the file is closed when iteration ends. */
export async function* readSplitLines(
  fs: FileSystem,
  split: InputSplit,
  options: { maxLineBytes?: number } = {},
): AsyncIterable<string[]> {
  if (split.start < 0 || split.length < 0) {
    throw new EddyError('INVALID_ARGUMENT', `split ${describeValue(split)} has a negative start or length`);
  }
  const file = await fs.open(split.path);
  try {
    yield* lineBatches(file, split.start, split.length, options);
  } finally {
    await file.close();
  }
}
