// Deterministic benchmark inputs, generated once into a cache folder (never committed).
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { seededRandom as rng } from '../dist/src/common/random.js';

async function writeLines(path, rows, makeLine, header) {
  const tmp = `${path}.tmp`;
  const out = createWriteStream(tmp);
  if (header) out.write(`${header}\n`);
  let buf = '';
  for (let i = 0; i < rows; i++) {
    buf += makeLine(i) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.write(buf);
  out.end();
  await once(out, 'finish');
  renameSync(tmp, path);
}

/** events.csv: id,category,value,flag — `rows` rows with a header. */
export async function eventsCsv(dir, rows) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `events-${rows}.csv`);
  if (existsSync(path)) return path;
  const r = rng(1);
  await writeLines(
    path,
    rows,
    (i) => `${i},c${Math.floor(r() * 50)},${(r() * 1000).toFixed(3)},${r() < 0.5 ? 'true' : 'false'}`,
    'id,category,value,flag',
  );
  return path;
}

/** wide.csv: 20 numeric columns x0..x19 with a header. */
export async function wideCsv(dir, rows) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `wide-${rows}.csv`);
  if (existsSync(path)) return path;
  const r = rng(2);
  const header = Array.from({ length: 20 }, (_, j) => `x${j}`).join(',');
  await writeLines(path, rows, () => Array.from({ length: 20 }, () => (r() * 100).toFixed(4)).join(','), header);
  return path;
}
