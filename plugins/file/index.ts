import { randomUUID } from 'node:crypto';
import {
  EddyError,
  getOption,
  loggedBatches,
  writeFileSinkLog,
  type DataFrame,
  type EddyPlugin,
  type SinkFileStatus,
  type SinkProvider,
  type StreamSink,
} from '../../src/index.js';
import { fileSources } from './file-source.js';

/**
 * Spark's file sink for parquet, json and csv: each batch is written with the DataFrame writer into a staging
 * folder, its files moved into the output folder, then listed in `<path>/_spark_metadata/<batchId>`. Readers
 * (eddy.read) read such a folder through that log, so a batch that crashed before logging leaves no visible
 * rows and its re-run writes them once: exactly once. Append mode only, as in Spark.
 */
function fileSink(format: 'parquet' | 'json' | 'csv'): SinkProvider {
  return {
    shortName: format,
    supportedOutputModes: ['append'],
    async createSink(options, ctx): Promise<StreamSink<DataFrame>> {
      const path = getOption(options, 'path');
      if (!path) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `the ${format} sink needs an output folder: .option('path', 'dfs:///out') or .start('dfs:///out')`,
        );
      }
      const { fs, path: root } = ctx.session.resolvePath(path);
      const writerOptions: Record<string, string> = {};
      for (const [k, v] of Object.entries(options)) {
        if (k.toLowerCase() !== 'path' && k.toLowerCase() !== 'checkpointlocation') writerOptions[k] = v;
      }
      await fs.mkdirs(root);
      const done = new Set(await loggedBatches(fs, root));
      return {
        description: `FileSink[${fs.uri(root)}]`,
        async addBatch(batchId, data) {
          if (done.has(batchId)) return;
          const files: SinkFileStatus[] = [];
          if ((await data.count()) > 0) {
            const staging = `${root}/_staging/${batchId}-${randomUUID()}`;
            await data.write.mode('overwrite').format(format).options(writerOptions).save(fs.uri(staging));
            for (const st of await fs.list(staging)) {
              if (st.isDirectory || st.name.startsWith('_') || st.name.startsWith('.')) continue;
              const target = `${root}/${st.name}`;
              await fs.rename(st.path, target);
              const moved = await fs.stat(target);
              files.push({
                path: moved.uri,
                size: moved.length,
                isDir: false,
                modificationTime: moved.modificationTime,
                blockReplication: 1,
                blockSize: moved.length,
                action: 'add',
              });
            }
            await fs.delete(staging, true);
          }
          await writeFileSinkLog(fs, root, batchId, files);
          done.add(batchId);
        },
      };
    },
  };
}

export const filePlugin: EddyPlugin = {
  name: 'file',
  sources: fileSources,
  sinks: [fileSink('parquet'), fileSink('json'), fileSink('csv')],
};
