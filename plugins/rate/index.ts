import { EddyError, getOption, parseSchema, type EddyPlugin, type PluginSource } from '../../src/index.js';

const SCHEMA = parseSchema('timestamp TIMESTAMP, value BIGINT');

/**
 * Spark's rate source: `rowsPerSecond` rows each second, columns timestamp and value (0, 1, 2, ...). The offset
 * is the number of whole seconds since the query first started, pinned in the checkpoint, so a range always
 * yields the same values and timestamps (row v has timestamp start + floor(v * 1000 / rowsPerSecond) ms).
 */
export const ratePlugin: EddyPlugin = {
  name: 'rate',
  sources: [
    {
      shortName: 'rate',
      createSource(options, ctx): PluginSource {
        if (ctx.userSchema) {
          throw new EddyError(
            'ANALYSIS_ERROR',
            'The rate source does not support a user-specified schema (timestamp, value)',
          );
        }
        const text = getOption(options, 'rowsPerSecond') ?? '1';
        const rps = Number(text);
        if (!Number.isInteger(rps) || rps <= 0) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `rate source option rowsPerSecond=${text} must be a positive whole number`,
          );
        }
        let startMs: number | null = null;
        const start = (): number => {
          if (startMs === null) throw new EddyError('ILLEGAL_STATE', 'rate source used before initialize()');
          return startMs;
        };
        return {
          schema: SCHEMA,
          description: `RateStreamV2[rowsPerSecond=${rps}]`,
          async initialize(sctx) {
            const file = `${sctx.metadataDir}/start-time`;
            if (await sctx.fs.exists(file)) {
              startMs = Number(
                Buffer.from(await sctx.fs.readFile(file))
                  .toString('utf8')
                  .split('\n')[1],
              );
            } else {
              startMs = Date.now();
              await sctx.fs.mkdirs(sctx.metadataDir);
              await sctx.fs.writeFile(file, `v1\n${startMs}`, { overwrite: false });
            }
          },
          latestOffset() {
            const seconds = Math.floor((Date.now() - start()) / 1000);
            return Promise.resolve(seconds === 0 ? null : String(seconds));
          },
          getBatch(from, to) {
            const s = start();
            const first = (from === null ? 0 : Number(from)) * rps;
            const end = (to === null ? 0 : Number(to)) * rps;
            const rows: unknown[][] = [];
            for (let v = first; v < end; v++) rows.push([new Date(s + Math.floor((v * 1000) / rps)), BigInt(v)]);
            return Promise.resolve(ctx.session.createDataFrame(rows, SCHEMA));
          },
          commit: () => Promise.resolve(),
          stop: () => Promise.resolve(),
        };
      },
    },
  ],
};
