import { KafkaClient } from '../broker/client/kafka-client.js';

/** One output message: the input's key, the answer (or dead letter) as JSON text or its UTF-8 bytes. */
export interface OutputRecord {
  key: Uint8Array | null;
  value: string | Uint8Array;
}

/**
 * Writes answers and dead letters with Eddy's Kafka client, keyed like the input (murmur2 of the key, as every
 * Kafka client's default partitioner), acknowledged by all in-sync replicas before write() resolves. The client
 * cuts large writes into record batches under message.max.bytes and pipelines them.
 */
export class AnswerWriter {
  private constructor(private readonly client: KafkaClient) {}

  static async connect(bootstrapServers: string): Promise<AnswerWriter> {
    return new AnswerWriter(await KafkaClient.connect({ bootstrapServers, clientId: 'eddy-serve' }));
  }

  async write(topic: string, records: readonly OutputRecord[]): Promise<void> {
    await this.client.send(topic, records, { acks: -1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
