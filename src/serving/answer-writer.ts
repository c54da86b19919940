import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
type Producer = ReturnType<InstanceType<typeof Kafka>['producer']>;

/** One output message: the input's key, the answer (or dead letter) as JSON text. */
export interface OutputRecord {
  key: Uint8Array | null;
  value: string;
}

/**
 * Kafka's default message.max.bytes is 1 MB per record batch, and a micro-batch's answers easily exceed it
 * (10,000 answers of 400 bytes), so sends are cut into requests of about this many bytes.
 */
const MAX_REQUEST_BYTES = 512 * 1024;

/** Writes answers and dead letters, acknowledged by all in-sync replicas before write() resolves. */
export class AnswerWriter {
  private constructor(private readonly producer: Producer) {}

  static async connect(bootstrapServers: string): Promise<AnswerWriter> {
    const kafka = new Kafka({
      clientId: 'eddy-serve',
      brokers: bootstrapServers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    return new AnswerWriter(producer);
  }

  async write(topic: string, records: readonly OutputRecord[]): Promise<void> {
    let from = 0;
    while (from < records.length) {
      let bytes = 0;
      let to = from;
      while (to < records.length && (to === from || bytes < MAX_REQUEST_BYTES)) {
        const r = records[to++]!;
        bytes += r.value.length * 3 + (r.key?.length ?? 0) + 32;
      }
      await this.producer.send({
        topic,
        acks: -1,
        messages: records.slice(from, to).map((r) => ({ key: asBuffer(r.key), value: r.value })),
      });
      from = to;
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** A Buffer over the same bytes (kafkajs wants Buffers; the source's columns may hold plain Uint8Arrays). */
function asBuffer(b: Uint8Array | null): Buffer | null {
  if (b === null || Buffer.isBuffer(b)) return b;
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
