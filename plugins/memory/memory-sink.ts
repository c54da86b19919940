import { DataFrame, EddyError, type RecordBatch, type SinkProvider, type StreamSink } from '../../src/index.js';

/**
 * Spark's memory sink: the output is kept as a table named after the query (`eddy.table(queryName)`). In
 * complete mode each batch replaces the table, otherwise rows are appended. A batch id already written is
 * ignored, so a re-run batch adds nothing.
 */
export const memorySinkProvider: SinkProvider = {
  shortName: 'memory',
  allowsTemporaryCheckpoint: true,
  createSink(_options, ctx): StreamSink<DataFrame> {
    const name = ctx.queryName;
    if (!name) {
      throw new EddyError('INVALID_ARGUMENT', "queryName must be specified for memory sink: .queryName('counts')");
    }
    let batches: RecordBatch[] = [];
    let lastBatch = -1;
    const publish = () =>
      ctx.session.createOrReplaceTempView(name, DataFrame.fromBatches(ctx.schema, [batches], ctx.session));
    publish();
    return {
      description: `MemorySink[${name}]`,
      async addBatch(batchId, data) {
        if (batchId <= lastBatch) return;
        const batch = await data.collectBatch();
        const rows = batch.numRows === 0 ? [] : [batch];
        batches = ctx.outputMode === 'complete' ? rows : [...batches, ...rows];
        publish();
        lastBatch = batchId;
      },
    };
  },
};
