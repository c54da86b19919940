import type { Admin } from 'kafkajs';
import { EddyError, describeValue } from '../common/errors.js';
import { commitOffsetsAsAdmin } from './offset-committer.js';

/**
 * `eddy consumer-groups --reset-offsets`: moves an inactive group's committed offsets, as kafka-consumer-groups.sh
 * does — to the earliest or latest offset, to a given offset, or shifted by N, always clamped to the partition's
 * available range. Without --execute it only shows the plan (Kafka's dry run).
 */

export interface ResetOptions {
  topic: string[];
  allTopics?: boolean;
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: string;
  shiftBy?: string;
  execute?: boolean;
  dryRun?: boolean;
}

type Plan = { topic: string; partition: number; offset: bigint }[];

function scenario(opts: ResetOptions): (current: bigint | null, low: bigint, high: bigint) => bigint {
  const chosen = [
    opts.toEarliest === true && '--to-earliest',
    opts.toLatest === true && '--to-latest',
    opts.toOffset !== undefined && '--to-offset',
    opts.shiftBy !== undefined && '--shift-by',
  ].filter((x): x is string => x !== false);
  if (chosen.length !== 1) {
    throw new EddyError(
      'USAGE',
      '--reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset <n>, --shift-by <n>' +
        (chosen.length > 1 ? ` (got ${chosen.join(' ')})` : ''),
    );
  }
  const integer = (v: string, flag: string): bigint => {
    if (!/^-?\d+$/.test(v.trim())) throw new EddyError('USAGE', `${flag} ${describeValue(v)} must be an integer`);
    return BigInt(v.trim());
  };
  const clamp = (o: bigint, low: bigint, high: bigint) => (o < low ? low : o > high ? high : o);
  if (opts.toEarliest) return (_c, low) => low;
  if (opts.toLatest) return (_c, _low, high) => high;
  if (opts.toOffset !== undefined) {
    const target = integer(opts.toOffset, '--to-offset');
    return (_c, low, high) => clamp(target, low, high);
  }
  const shift = integer(opts.shiftBy!, '--shift-by');
  // A partition without a committed offset shifts from the latest, as Kafka's tool does.
  return (current, low, high) => clamp((current ?? high) + shift, low, high);
}

export async function resetOffsets(
  admin: Admin,
  bootstrap: string,
  groupId: string,
  opts: ResetOptions,
  out: (s: string) => void,
): Promise<void> {
  if (opts.execute && opts.dryRun)
    throw new EddyError('USAGE', '--reset-offsets takes --execute or --dry-run, not both');
  if (opts.topic.length === 0 && !opts.allTopics) {
    throw new EddyError('USAGE', '--reset-offsets needs --topic <topic> or --all-topics');
  }
  const target = scenario(opts);
  const { groups } = await admin.describeGroups([groupId]);
  const state = groups[0]?.state ?? 'Dead';
  if (state !== 'Empty' && state !== 'Dead') {
    throw new EddyError(
      'ILLEGAL_STATE',
      `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${state}.`,
    );
  }
  const committed = new Map<string, bigint>();
  for (const t of await admin.fetchOffsets({ groupId })) {
    for (const p of t.partitions) if (p.offset !== '-1') committed.set(`${t.topic}\0${p.partition}`, BigInt(p.offset));
  }
  const topics = opts.allTopics
    ? [...new Set([...committed.keys()].map((k) => k.slice(0, k.lastIndexOf('\0'))))].sort()
    : opts.topic;
  const known = new Set(await admin.listTopics());
  const plan: Plan = [];
  for (const spec of topics) {
    // Kafka's --topic accepts "topic:0,2" to name partitions.
    const [topic, parts] = spec.includes(':')
      ? [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)]
      : [spec, ''];
    if (!known.has(topic)) throw new EddyError('NOT_FOUND', `Topic '${topic}' does not exist.`);
    const ranges = await admin.fetchTopicOffsets(topic);
    const wanted = parts === '' ? null : new Set(parts.split(',').map((p) => Number(p.trim())));
    for (const r of [...ranges].sort((a, b) => a.partition - b.partition)) {
      if (wanted !== null && !wanted.has(r.partition)) continue;
      const current = committed.get(`${topic}\0${r.partition}`) ?? null;
      plan.push({ topic, partition: r.partition, offset: target(current, BigInt(r.low), BigInt(r.high)) });
    }
    for (const p of wanted ?? []) {
      if (!ranges.some((r) => r.partition === p)) {
        throw new EddyError('NOT_FOUND', `Partition ${describeValue(p)} of topic '${topic}' does not exist.`);
      }
    }
  }
  if (!opts.execute && !opts.dryRun) {
    out(
      'WARN: No action will be performed as the --execute option is missing. Add --execute to reset the offsets, or --dry-run to only show them.\n',
    );
  }
  if (opts.execute && plan.length > 0) await commitOffsetsAsAdmin(bootstrap, groupId, plan);
  const rows = [
    ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
    ...plan.map((p) => [groupId, p.topic, String(p.partition), p.offset.toString()]),
  ];
  const widths = [30, 30, 10, 0].map((min, i) => Math.max(min, ...rows.map((r) => r[i]!.length)));
  out(
    '\n' +
      rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join(' ')).join('\n') +
      '\n',
  );
}
