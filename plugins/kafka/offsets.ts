import { EddyError } from '../../src/index.js';

/** Per topic, per partition: an offset. Serialized as Spark's KafkaSourceOffset JSON: {"topic":{"0":23}}. */
export type PartitionOffsets = Map<string, Map<number, number>>;

/** Topics and partitions sorted, so equal offsets always serialize to the same string (the engine compares them). */
export function serializeOffsets(o: PartitionOffsets): string {
  const out: Record<string, Record<string, number>> = {};
  for (const topic of [...o.keys()].sort()) {
    const parts: Record<string, number> = {};
    for (const p of [...o.get(topic)!.keys()].sort((a, b) => a - b)) parts[String(p)] = o.get(topic)!.get(p)!;
    out[topic] = parts;
  }
  return JSON.stringify(out);
}

/** Parses offsets JSON; in startingOffsets, -2 means earliest and -1 latest, as in Spark. */
export function parseOffsets(json: string, what: string): PartitionOffsets {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new EddyError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(json)} is not JSON; expected e.g. {"topicA":{"0":23,"1":-1}} (-2 earliest, -1 latest)`,
      { cause: e },
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EddyError('INVALID_ARGUMENT', `${what} ${json} must be an object like {"topicA":{"0":23}}`);
  }
  const out: PartitionOffsets = new Map();
  for (const [topic, parts] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof parts !== 'object' || parts === null || Array.isArray(parts)) {
      throw new EddyError(
        'INVALID_ARGUMENT',
        `${what}: topic ${topic} must map partitions to offsets, got ${JSON.stringify(parts)}`,
      );
    }
    const m = new Map<number, number>();
    for (const [p, off] of Object.entries(parts as Record<string, unknown>)) {
      const pn = Number(p);
      if (!Number.isInteger(pn) || pn < 0 || typeof off !== 'number' || !Number.isInteger(off) || off < -2) {
        throw new EddyError(
          'INVALID_ARGUMENT',
          `${what}: partition ${JSON.stringify(p)} of ${topic} has offset ${JSON.stringify(off)}; give a partition number and an offset ≥ -2`,
        );
      }
      m.set(pn, off);
    }
    out.set(topic, m);
  }
  return out;
}

export function copyOffsets(o: PartitionOffsets): PartitionOffsets {
  return new Map([...o].map(([t, m]) => [t, new Map(m)]));
}
