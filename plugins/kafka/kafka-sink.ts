import {
  EddyError,
  getOption,
  KafkaClient,
  type DataFrame,
  type KeyedRecord,
  type SinkProvider,
  type StreamSink,
} from '../../src/index.js';
import { clientOptions, producerSettings } from './client-config.js';

/**
 * Spark's Kafka sink on Eddy's own client: each output row becomes a message; columns value (string or binary,
 * required), key (optional), topic (unless the topic option is set), partition (optional; otherwise Kafka's
 * murmur2 of the key, or round-robin) and headers (optional, array<struct<key,value>> as the source gives them). Rows are read column by column from the batch and sent batched per
 * partition, acks=all by default as Spark's producer (`kafka.acks`, `kafka.compression.type` override).
 * Like Spark's, it is at-least-once: a batch re-run after a crash between send and commit is sent again (Kafka
 * transactions would be needed for more); within one run a batch id already sent is skipped.
 */
export const kafkaSinkProvider: SinkProvider = {
  shortName: 'kafka',
  createSink(options, ctx): StreamSink<DataFrame> {
    const client = clientOptions(options, 'producer');
    const producer = producerSettings(options);
    const topicOption = getOption(options, 'topic');
    const index = (name: string) => ctx.schema.fields.findIndex((f) => f.name.toLowerCase() === name);
    const valueAt = index('value');
    if (valueAt < 0) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `Required attribute 'value' not found; the Kafka sink writes a value column (string or binary), got [${ctx.schema.fieldNames.join(', ')}]`,
      );
    }
    const keyAt = index('key');
    const topicAt = index('topic');
    const partitionAt = index('partition');
    const headersAt = index('headers');
    const headersType = headersAt < 0 ? null : ctx.schema.fields[headersAt]!.dataType;
    if (headersType && headersType.kind !== 'array') {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `headers attribute type must be array<struct<key:string,value:binary>>, not ${headersType.kind}`,
      );
    }
    for (const [name, at] of [
      ['value', valueAt],
      ['key', keyAt],
    ] as const) {
      const kind = at < 0 ? null : ctx.schema.fields[at]!.dataType.kind;
      if (kind !== null && kind !== 'string' && kind !== 'binary') {
        throw new EddyError(
          'ANALYSIS_ERROR',
          `${name} attribute type must be a string or binary, not ${kind}; cast it, e.g. selectExpr('CAST(${name} AS STRING)')`,
        );
      }
    }
    if (topicOption === undefined && (topicAt < 0 || ctx.schema.fields[topicAt]!.dataType.kind !== 'string')) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        "topic option required when no 'topic' attribute is present; use .option('topic', ...) or add a string column topic",
      );
    }
    const partitionKind = partitionAt < 0 ? null : ctx.schema.fields[partitionAt]!.dataType.kind;
    if (partitionKind !== null && partitionKind !== 'int' && partitionKind !== 'long') {
      throw new EddyError('ANALYSIS_ERROR', `partition attribute type must be int, not ${partitionKind}`);
    }
    let kafka: KafkaClient | null = null;
    let lastBatch = -1;
    return {
      description: `KafkaSink[${topicOption ?? 'topic column'}]`,
      async addBatch(batchId, data) {
        if (batchId <= lastBatch) return;
        const byTopic = new Map<string, KeyedRecord[]>();
        for await (const batch of data.batches()) {
          const value = batch.column(valueAt);
          const key = keyAt < 0 ? null : batch.column(keyAt);
          const topic = topicAt < 0 ? null : batch.column(topicAt);
          const partition = partitionAt < 0 ? null : batch.column(partitionAt);
          const headers = headersAt < 0 ? null : batch.column(headersAt);
          for (let i = 0; i < batch.numRows; i++) {
            const t = topicOption ?? (topic!.get(i) as string | null);
            if (!t) {
              throw new EddyError(
                'INVALID_ARGUMENT',
                `Kafka sink: row ${i} of batch ${batchId} has a null topic; set the topic option or fill the topic column`,
              );
            }
            const record: KeyedRecord = { value: value.get(i) as string | Uint8Array | null };
            if (key) record.key = key.get(i) as string | Uint8Array | null;
            const hs = headers?.get(i) as { key: string; value: Uint8Array | string | null }[] | null | undefined;
            if (hs) record.headers = hs.map((h) => [h.key, h.value] as const);
            const p = partition?.get(i);
            if (p !== null && p !== undefined) record.partition = Number(p);
            let list = byTopic.get(t);
            if (!list) byTopic.set(t, (list = []));
            list.push(record);
          }
        }
        if (byTopic.size > 0) {
          kafka ??= await KafkaClient.connect(client);
          const k = kafka;
          await Promise.all(
            [...byTopic].map(([t, records]) =>
              k.send(t, records, {
                acks: producer.acks,
                compression: producer.compression,
                maxBatchBytes: producer.maxBatchBytes,
              }),
            ),
          );
        }
        lastBatch = batchId;
      },
      async stop() {
        const k = kafka;
        kafka = null;
        await k?.close();
      },
    };
  },
};
