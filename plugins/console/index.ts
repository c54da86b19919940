import { EddyError, getOption, type DataFrame, type EddyPlugin, type StreamSink } from '../../src/index.js';

const RULE = '-------------------------------------------';

/**
 * Spark's console sink: each batch's output printed with its batch number, as `show()` prints it. Options
 * numRows (default 20) and truncate (default true). For debugging: it keeps no log, so a batch re-run after a
 * restart is printed again (as in Spark).
 */
export const consolePlugin: EddyPlugin = {
  name: 'console',
  sinks: [
    {
      shortName: 'console',
      allowsTemporaryCheckpoint: true,
      createSink(options): StreamSink<DataFrame> {
        const numRowsText = getOption(options, 'numRows') ?? '20';
        const numRows = Number(numRowsText);
        if (!Number.isInteger(numRows) || numRows < 0) {
          throw new EddyError(
            'INVALID_ARGUMENT',
            `console sink option numRows=${numRowsText} must be a whole number ≥ 0`,
          );
        }
        const truncateText = (getOption(options, 'truncate') ?? 'true').toLowerCase();
        if (truncateText !== 'true' && truncateText !== 'false') {
          throw new EddyError('INVALID_ARGUMENT', `console sink option truncate=${truncateText} must be true or false`);
        }
        let lastBatch = -1;
        return {
          description: `ConsoleSink[numRows=${numRows}, truncate=${truncateText}]`,
          async addBatch(batchId, data) {
            if (batchId <= lastBatch) return;
            const table = await data.showString(numRows, truncateText === 'true');
            process.stdout.write(`${RULE}\nBatch: ${batchId}\n${RULE}\n${table}\n`);
            lastBatch = batchId;
          },
        };
      },
    },
  ],
};
