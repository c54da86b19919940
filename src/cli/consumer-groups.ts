import { Command } from 'commander';
import kafkajs, { type Admin, type GroupDescription } from 'kafkajs';
import { EddyError } from '../common/errors.js';
import { resetOffsets, type ResetOptions } from './consumer-groups-reset.js';
import { clientError, kafkaClient, parseBootstrap } from './kafka-client.js';

// kafkajs is CommonJS: Node resolves its classes through the default export only.
const { AssignerProtocol } = kafkajs;

/**
 * `eddy consumer-groups`: Kafka's kafka-consumer-groups.sh — list groups, describe a group's offsets and lag
 * (or its members, or its state), delete empty groups. Output columns and messages follow the Kafka tool.
 */

interface GroupsOptions extends ResetOptions {
  bootstrapServer?: string;
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  resetOffsets?: boolean;
  group: string[];
  allGroups?: boolean;
  members?: boolean;
  state?: boolean;
  offsets?: boolean;
}

type Out = (s: string) => void;
const ACTIONS = ['list', 'describe', 'delete', 'resetOffsets'] as const;
const flagOf = (a: (typeof ACTIONS)[number]) => (a === 'resetOffsets' ? '--reset-offsets' : `--${a}`);

export function registerConsumerGroups(program: Command, out: Out = (s) => process.stdout.write(s)): void {
  program
    .command('consumer-groups')
    .description("list, describe or delete consumer groups (Kafka's kafka-consumer-groups.sh)")
    .option('--bootstrap-server <host:port>', 'the broker(s) to connect to, comma-separated (required)')
    .option('--list', 'list all consumer groups, one per line')
    .option('--describe', "describe --group's offsets and lag per partition (see --members, --state)")
    .option('--delete', 'delete --group (only a group without active members)')
    .option(
      '--group <group>',
      'the group to describe or delete (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--all-groups', 'with --describe or --delete: every group')
    .option('--members', 'with --describe: list the active members and their partition counts')
    .option('--state', "with --describe: the group's coordinator, assignment strategy, state and member count")
    .option('--offsets', 'with --describe: offsets and lag per partition (the default)')
    .option('--reset-offsets', "move an inactive group's committed offsets (dry run unless --execute)")
    .option(
      '--topic <topic>',
      'with --reset-offsets: the topic, or topic:0,2 for some partitions (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--all-topics', 'with --reset-offsets: every topic the group has committed offsets for')
    .option('--to-earliest', 'with --reset-offsets: to the earliest available offset')
    .option('--to-latest', 'with --reset-offsets: to the end of each partition')
    .option('--to-offset <n>', 'with --reset-offsets: to this offset (clamped to the available range)')
    .option('--shift-by <n>', 'with --reset-offsets: move by n (negative moves back), clamped to the available range')
    .option('--execute', 'with --reset-offsets: apply the new offsets')
    .option('--dry-run', 'with --reset-offsets: only show the new offsets (the default)')
    .action(async (opts: GroupsOptions) => {
      await runConsumerGroups(opts, out);
    });
}

export async function runConsumerGroups(opts: GroupsOptions, out: Out): Promise<void> {
  const chosen = ACTIONS.filter((a) => opts[a] === true);
  if (chosen.length !== 1) {
    throw new EddyError('USAGE', `consumer-groups: give exactly one of ${ACTIONS.map(flagOf).join(', ')}`);
  }
  const action = chosen[0]!;
  const brokers = parseBootstrap(opts.bootstrapServer);
  if (action !== 'list' && opts.group.length === 0 && !opts.allGroups) {
    throw new EddyError('USAGE', `consumer-groups ${flagOf(action)} needs --group <group> or --all-groups`);
  }
  const admin = kafkaClient(brokers, 'eddy-consumer-groups').admin();
  try {
    await admin.connect();
  } catch (e) {
    throw clientError(e, `connecting to ${brokers.join(',')}`, brokers);
  }
  try {
    const all = async () => (await admin.listGroups()).groups.map((g) => g.groupId).sort();
    const groups = opts.allGroups ? await all() : opts.group;
    if (action === 'list') {
      for (const g of await all()) out(`${g}\n`);
    } else if (action === 'delete') {
      await deleteGroups(admin, groups, out);
    } else if (action === 'resetOffsets') {
      for (const g of groups) await resetOffsets(admin, brokers[0]!, g, opts, out);
    } else {
      for (const g of groups) await describe(admin, g, opts, out);
    }
  } catch (e) {
    throw clientError(e, `consumer-groups ${flagOf(action)}`, brokers);
  } finally {
    await admin.disconnect();
  }
}

async function deleteGroups(admin: Admin, groups: string[], out: Out): Promise<void> {
  const results = await admin.deleteGroups(groups).catch((e: unknown) => {
    // kafkajs reports per-group failures as one error carrying the groups.
    const failed = (e as { groups?: { groupId: string; error?: { type?: string; message?: string } }[] }).groups;
    if (failed === undefined) throw e;
    const detail = failed.map((g) => `'${g.groupId}': ${g.error?.type ?? g.error?.message ?? 'failed'}`).join(', ');
    throw new EddyError('ILLEGAL_STATE', `Deletion of some consumer groups failed: ${detail}`);
  });
  const names = results.map((r) => `'${r.groupId}'`).join(', ');
  out(`Deletion of requested consumer groups (${names}) was successful.\n`);
}

/** Left-aligned columns at least `min` wide, as kafka-consumer-groups.sh pads them. */
function table(rows: string[][], mins: number[]): string {
  const widths = mins.map((m, i) => Math.max(m, ...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
}

async function describe(admin: Admin, groupId: string, opts: GroupsOptions, out: Out): Promise<void> {
  const { groups } = await admin.describeGroups([groupId]);
  const g = groups[0];
  if (g === undefined || g.state === 'Dead')
    throw new EddyError('NOT_FOUND', `Consumer group '${groupId}' does not exist.`);
  if (opts.state) return describeState(g, out);
  if (g.state === 'PreparingRebalance' || g.state === 'CompletingRebalance') {
    out(`\nWarning: Consumer group '${groupId}' is rebalancing.\n`);
  } else if (g.members.length === 0) {
    out(`\nConsumer group '${groupId}' has no active members.\n`);
  }
  const assigned = new Map<string, { consumerId: string; host: string; clientId: string }>();
  const memberRows: string[][] = [];
  for (const m of g.members) {
    const decoded = decodeAssignment(g.protocolType, m.memberAssignment);
    let n = 0;
    for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) {
      for (const p of partitions) {
        assigned.set(`${topic}\0${p}`, { consumerId: m.memberId, host: m.clientHost, clientId: m.clientId });
        n++;
      }
    }
    memberRows.push([groupId, m.memberId, m.clientHost, m.clientId, String(n)]);
  }
  if (opts.members) {
    if (memberRows.length === 0) return;
    const header = ['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS'];
    out(`\n${table([header, ...memberRows], [15, 15, 15, 15, 0])}\n`);
    return;
  }
  const committed = new Map<string, string>();
  for (const t of await admin.fetchOffsets({ groupId })) {
    for (const p of t.partitions) if (p.offset !== '-1') committed.set(`${t.topic}\0${p.partition}`, p.offset);
  }
  const keys = [...new Set([...committed.keys(), ...assigned.keys()])].map((k) => {
    const i = k.lastIndexOf('\0');
    return { key: k, topic: k.slice(0, i), partition: Number(k.slice(i + 1)) };
  });
  keys.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const ends = new Map<string, string>();
  for (const topic of new Set(keys.map((k) => k.topic))) {
    for (const o of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}\0${o.partition}`, o.high);
  }
  const rows = keys.map(({ key, topic, partition }) => {
    const current = committed.get(key);
    const end = ends.get(key);
    const lag = current !== undefined && end !== undefined ? String(BigInt(end) - BigInt(current)) : '-';
    const owner = assigned.get(key);
    return [
      groupId,
      topic,
      String(partition),
      current ?? '-',
      end ?? '-',
      lag,
      owner?.consumerId ?? '-',
      owner?.host ?? '-',
      owner?.clientId ?? '-',
    ];
  });
  const header = [
    'GROUP',
    'TOPIC',
    'PARTITION',
    'CURRENT-OFFSET',
    'LOG-END-OFFSET',
    'LAG',
    'CONSUMER-ID',
    'HOST',
    'CLIENT-ID',
  ];
  out(`\n${table([header, ...rows], [15, 15, 10, 15, 15, 15, 15, 15, 0])}\n`);
}

/** A consumer-protocol assignment; other protocols (Kafka Connect, ...) carry no topic partitions to show. */
function decodeAssignment(protocolType: string, bytes: Buffer): { assignment: Record<string, number[]> } | null {
  if (protocolType !== 'consumer' || bytes.length === 0) return null;
  try {
    return AssignerProtocol.MemberAssignment.decode(bytes);
  } catch {
    return null;
  }
}

function describeState(g: GroupDescription, out: Out): void {
  const header = ['GROUP', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'];
  const row = [g.groupId, g.protocol === '' ? '-' : g.protocol, g.state, String(g.members.length)];
  out(`\n${table([header, row], [25, 20, 15, 0])}\n`);
}
