import type { FileSystem } from '../../storage/filesystem.js';
import type { InputSplit } from '../../storage/splits.js';

const NL = 0x0a;

/**
 * The lines of an input split, by the same rule as storage's readSplitLines (Hadoop's LineRecordReader: a
 * split other than the first skips its partial first line; each split reads past its end to finish the line
 * that starts at or before its end), but decoded a chunk at a time: one utf8 decode and one split('\n') per
 * chunk instead of a Buffer and a decode per line, which is most of the cost of reading CSV in JavaScript.
 */
export async function* splitLines(fs: FileSystem, split: InputSplit): AsyncIterable<string[]> {
  const file = await fs.open(split.path);
  try {
    const end = split.start + split.length;
    let skipping = split.start > 0;
    let carry: Buffer | null = null;
    let pos = split.start; // absolute offset of the next byte the stream yields
    for await (const raw of file.stream(split.start, file.length)) {
      let chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      const chunkPos = pos;
      pos += chunk.length;
      let from = 0;
      if (skipping) {
        const nl = chunk.indexOf(NL);
        if (nl < 0) continue;
        skipping = false;
        from = nl + 1;
        // A line starting after the end belongs to the next split.
        if (chunkPos + from > end) return;
      }
      // The first newline at or after `end` closes this split's last line.
      let stop = -1;
      if (pos > end) {
        const rel = Math.max(from, end - chunkPos);
        stop = chunk.indexOf(NL, rel);
      }
      const lastNl = stop >= 0 ? stop : chunk.lastIndexOf(NL);
      if (lastNl < from) {
        carry = carry ? Buffer.concat([carry, chunk.subarray(from)]) : Buffer.from(chunk.subarray(from));
        continue;
      }
      let text: string;
      if (carry) {
        chunk = Buffer.concat([carry, chunk.subarray(from, lastNl)]);
        text = chunk.toString('utf8');
      } else text = chunk.toString('utf8', from, lastNl);
      carry =
        stop >= 0
          ? null
          : lastNl + 1 < raw.byteLength
            ? Buffer.from(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).subarray(lastNl + 1))
            : null;
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
      }
      yield lines;
      if (stop >= 0) return;
    }
    // End of file: a last line without a newline.
    if (carry && carry.length > 0) {
      const l = carry.toString('utf8');
      yield [l.endsWith('\r') ? l.slice(0, -1) : l];
    }
  } finally {
    await file.close();
  }
}
