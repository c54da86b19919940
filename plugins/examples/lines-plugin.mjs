// A worked example of an Eddy plugin (see plugins/README.md): a `lines` source that reads a growing text file
// (offsets are byte positions, so a range always yields the same lines) and a `jsonl` sink that appends one JSON
// line per row to a file and remembers written batch ids in a marker folder, so a repeated batch adds nothing.
// Load it with Eddy.start({ plugins: ['./plugins/examples/lines-plugin.mjs'] }).
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EddyError, getOption, parseSchema } from 'eddy';

const schema = parseSchema('value STRING');

function requireOption(options, key) {
  const v = getOption(options, key);
  if (v === undefined) throw new EddyError('INVALID_ARGUMENT', `the lines plugin needs .option('${key}', ...)`);
  return v;
}

const linesSource = {
  shortName: 'lines',
  createSource(options, ctx) {
    const path = requireOption(options, 'path');
    const text = async () => (existsSync(path) ? readFile(path, 'utf8') : '');
    return {
      schema,
      description: `lines[${path}]`,
      // The end of the last complete line: a line still being written is left for the next batch.
      async latestOffset() {
        const end = (await text()).lastIndexOf('\n') + 1;
        return end === 0 ? null : String(end);
      },
      async getBatch(start, end) {
        const from = start === null ? 0 : Number(start);
        const to = end === null ? from : Number(end);
        const lines = (await text())
          .slice(from, to)
          .split('\n')
          .filter((l) => l !== '');
        // The schema as DDL: it means the same to whichever copy of Eddy the session comes from.
        return ctx.session.createDataFrame(
          lines.map((l) => [l]),
          'value STRING',
        );
      },
      async commit() {},
      async stop() {},
    };
  },
};

const jsonlSink = {
  shortName: 'jsonl',
  supportedOutputModes: ['append'],
  async createSink(options) {
    const path = requireOption(options, 'path');
    const done = `${path}.batches`;
    await mkdir(done, { recursive: true });
    return {
      description: `jsonl[${path}]`,
      async addBatch(batchId, df) {
        const marker = join(done, String(batchId));
        if (existsSync(marker)) return;
        const rows = await df.collect();
        await appendFile(
          path,
          rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) + '\n').join(''),
        );
        await writeFile(marker, '');
      },
    };
  },
};

export default { name: 'lines-example', sources: [linesSource], sinks: [jsonlSink] };
