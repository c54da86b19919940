import kafkajs from 'kafkajs';
import { EddyError, getOption, type DataFrame, type Row, type SinkProvider, type StreamSink } from '../../src/index.js';

const { Kafka, logLevel } = kafkajs;

/**
 * Spark's Kafka sink: each output row becomes a message; columns value (string or binary, required), key
 * (optional), topic (unless the topic option is set) and partition (optional). Like Spark's, it is
 * at-least-once: a batch re-run after a crash between send and commit is sent again (Kafka transactions would
 * be needed for more); within one run a batch id already sent is skipped.
 */
export const kafkaSinkProvider: SinkProvider = {
  shortName: 'kafka',
  createSink(options, ctx): StreamSink<DataFrame> {
    const servers = getOption(options, 'kafka.bootstrap.servers');
    if (!servers) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        "Option 'kafka.bootstrap.servers' must be specified for configuring Kafka producer",
      );
    }
    const topicOption = getOption(options, 'topic');
    const field = (name: string) => ctx.schema.fields.find((f) => f.name.toLowerCase() === name);
    const value = field('value');
    if (!value) {
      throw new EddyError(
        'ANALYSIS_ERROR',
        `Required attribute 'value' not found; the Kafka sink writes a value column (string or binary), got [${ctx.schema.fieldNames.join(', ')}]`,
      );
    }
    for (const [name, f] of [
      ['value', value],
      ['key', field('key')],
    ] as const) {
      if (f && f.dataType.kind !== 'string' && f.dataType.kind !== 'binary') {
        throw new EddyError(
          'ANALYSIS_ERROR',
          `${name} attribute type must be a string or binary, not ${f.dataType.kind}; cast it, e.g. selectExpr('CAST(${name} AS STRING)')`,
        );
      }
    }
    if (topicOption === undefined && field('topic')?.dataType.kind !== 'string') {
      throw new EddyError(
        'ANALYSIS_ERROR',
        "topic option required when no 'topic' attribute is present; use .option('topic', ...) or add a string column topic",
      );
    }
    const partitionField = field('partition');
    const kafka = new Kafka({
      clientId: 'eddy-streaming-sink',
      brokers: servers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    let connected = false;
    let lastBatch = -1;
    const bytes = (v: unknown): Buffer | string | null =>
      v === null || v === undefined ? null : v instanceof Uint8Array ? Buffer.from(v) : String(v);
    return {
      description: `KafkaSink[${topicOption ?? 'topic column'}]`,
      async addBatch(batchId, data) {
        if (batchId <= lastBatch) return;
        const rows: Row[] = await data.collect();
        if (rows.length > 0) {
          if (!connected) {
            await producer.connect();
            connected = true;
          }
          const byTopic = new Map<
            string,
            { key: Buffer | string | null; value: Buffer | string | null; partition?: number }[]
          >();
          for (const r of rows) {
            const lower = Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), v]));
            const topic = topicOption ?? (lower['topic'] as string | null);
            if (!topic)
              throw new EddyError(
                'INVALID_ARGUMENT',
                `Kafka sink: a row has a null topic: ${JSON.stringify(Object.keys(r))}`,
              );
            const msg = {
              key: bytes(lower['key']),
              value: bytes(lower['value']),
              ...(partitionField && lower['partition'] !== null ? { partition: Number(lower['partition']) } : {}),
            };
            const list = byTopic.get(topic) ?? [];
            list.push(msg);
            byTopic.set(topic, list);
          }
          await producer.sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          });
        }
        lastBatch = batchId;
      },
      async stop() {
        if (connected) await producer.disconnect();
      },
    };
  },
};
