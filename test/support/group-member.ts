import { GroupConsumer, type GroupBatch } from '../../src/broker/client/group-consumer.js';

/**
 * An Eddy GroupConsumer in group "g" on topic "t" (earliest offsets, a 6 s session, 100 ms heartbeats) that records
 * in `seen` which member read each value, and commits each batch after reading it. The caller closes it.
 */
export async function startGroupMember(
  bootstrapServers: string,
  seen: Map<string, string[]>,
  name: string,
): Promise<GroupConsumer> {
  const c = await GroupConsumer.connect({
    bootstrapServers,
    groupId: 'g',
    topics: ['t'],
    autoOffsetReset: 'earliest',
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 100,
  });
  c.run(async (batch: GroupBatch) => {
    for (let i = 0; i < batch.records.count; i++) {
      const v = batch.records.values[i]!.toString();
      seen.set(v, [...(seen.get(v) ?? []), name]);
    }
    await c.commit(batch.topic, batch.partition, batch.nextOffset);
  });
  return c;
}
