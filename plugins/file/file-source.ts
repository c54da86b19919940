import {
  EddyError,
  getOption,
  listDatasetFiles,
  type DataFrame,
  type FileSystem,
  type PluginSource,
  type SourceProvider,
} from '../../src/index.js';

/**
 * Spark's file source: a folder watched for new csv, json or parquet files. Every file is given a sequence number
 * the first time it is seen, and the numbering is written to the source's own log in the checkpoint
 * (`sources/<i>/<end>`, one JSON list of file URIs per discovery) before the offset is returned, so an offset — a
 * count of files — always means the same files, across restarts too. Files are taken oldest first
 * (modification time, then name); `maxFilesPerTrigger` caps a batch. As in Spark, a streaming file source needs
 * its schema given (`.schema(...)`), and a file is read once: changing it later is not noticed.
 */
function fileSource(format: 'csv' | 'json' | 'parquet'): SourceProvider {
  return {
    shortName: format,
    createSource(options, ctx): PluginSource {
      if (ctx.path === undefined) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `readStream.format('${format}') needs the folder to watch: .load('dfs:///incoming')`,
        );
      }
      const schema = ctx.userSchema;
      if (schema === undefined) {
        throw new EddyError(
          'ANALYSIS_ERROR',
          `Schema must be specified when creating a streaming source DataFrame from ${format} files: ` +
            `.schema('name STRING, n INT') before load(${JSON.stringify(ctx.path)}) ` +
            `(eddy.read.${format}(folder) can infer it from files already there)`,
        );
      }
      const max = getOption(options, 'maxFilesPerTrigger');
      const maxFiles = max === undefined ? Infinity : Number(max);
      if (!(maxFiles >= 1)) {
        throw new EddyError('INVALID_ARGUMENT', `maxFilesPerTrigger ${JSON.stringify(max)} must be a positive integer`);
      }
      const { fs: watchedFs, path: watched } = ctx.session.resolvePath(ctx.path);
      const readOptions: Record<string, string> = {};
      for (const [k, v] of Object.entries(options)) if (k.toLowerCase() !== 'maxfilespertrigger') readOptions[k] = v;
      const known: string[] = [];
      const knownSet = new Set<string>();
      let log: { fs: FileSystem; dir: string } | undefined;
      const remember = (uri: string): void => {
        if (knownSet.has(uri)) return;
        known.push(uri);
        knownSet.add(uri);
      };

      /** Lists the folder, numbers and logs files not seen before, and returns the next batch's end. */
      const discover = async (start: string | null): Promise<string | null> => {
        if (!log) throw new EddyError('ILLEGAL_STATE', 'the file source was not initialized by its query');
        const found = (await watchedFs.exists(watched)) ? await listDatasetFiles(watchedFs, watched) : [];
        const fresh = found
          .filter((f) => !knownSet.has(f.uri))
          .sort((a, b) => a.modificationTime - b.modificationTime || (a.path < b.path ? -1 : 1))
          .map((f) => f.uri);
        if (fresh.length > 0) {
          await log.fs.writeFile(`${log.dir}/${known.length + fresh.length}`, JSON.stringify(fresh), {
            overwrite: true,
          });
          for (const u of fresh) remember(u);
        }
        const from = start === null ? 0 : Number(start);
        const end = Math.min(known.length, from + maxFiles);
        return end === 0 ? null : String(end);
      };
      let discovering: Promise<unknown> = Promise.resolve();

      const read = async (uri: string): Promise<DataFrame> =>
        ctx.session.read.format(format).schema(schema).options(readOptions).load(uri);

      return {
        schema,
        description: `FileStreamSource[${watchedFs.uri(watched)}]`,
        async initialize({ fs, metadataDir }) {
          log = { fs, dir: metadataDir };
          if (!(await fs.exists(metadataDir))) return;
          const entries = (await fs.list(metadataDir))
            .filter((s) => /^\d+$/.test(s.name))
            .sort((a, b) => Number(a.name) - Number(b.name));
          for (const e of entries) {
            const uris = JSON.parse(Buffer.from(await fs.readFile(e.path)).toString('utf8')) as string[];
            for (const u of uris) remember(u);
          }
        },
        // The query loop and processAllAvailable() may ask at the same time: discoveries are made one at a time.
        latestOffset(start) {
          const next = discovering.then(() => discover(start));
          discovering = next.catch(() => undefined);
          return next;
        },
        async getBatch(start, end) {
          const from = start === null ? 0 : Number(start);
          const to = end === null ? from : Number(end);
          if (to > known.length) {
            throw new EddyError(
              'CORRUPT_DATA',
              `offset ${to} of ${watchedFs.uri(watched)} names files this source has no record of; ` +
                `its log under the checkpoint's sources/ folder is missing or damaged`,
            );
          }
          const frames = await Promise.all(known.slice(from, to).map(read));
          return frames.reduce((a, b) => a.union(b), ctx.session.createDataFrame([], schema));
        },
        async commit() {},
        async stop() {},
      };
    },
  };
}

export const fileSources: SourceProvider[] = [fileSource('csv'), fileSource('json'), fileSource('parquet')];
