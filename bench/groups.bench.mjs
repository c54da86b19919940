// Group coordinator: OffsetCommit throughput through the coordinator (validation, state machine checks, the
// CRC-framed state log, in-memory apply), beside the same frames appended raw to a file in the same run — the
// limit of the storage format on this disk. Each commit is awaited before the next, as a consumer commits.
// Usage: npm run bench -- groups   (or: node bench/groups.bench.mjs [commits=20000] [partitions per commit=10]).
// Figures also go to bench/results/groups.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'src');
const { GroupCoordinator } = await import(join(dist, 'broker', 'group', 'coordinator.js'));
const { commitOffsets, fetchOffsets } = await import(join(dist, 'broker', 'group', 'offsets.js'));
const { crc32c } = await import(join(dist, 'common', 'checksum.js'));

const commits = Number(process.argv[2] ?? 20_000);
const partitions = Number(process.argv[3] ?? 10);
const work = mkdtempSync(join(tmpdir(), 'eddy-bench-groups-'));

function seconds() {
  return Number(process.hrtime.bigint()) / 1e9;
}

function request(i) {
  return {
    groupId: 'bench',
    generationId: -1,
    memberId: '',
    retentionTimeMs: -1,
    topics: [
      {
        name: 'events',
        partitions: Array.from({ length: partitions }, (_, p) => ({
          partitionIndex: p,
          committedOffset: BigInt(i * 100 + p),
          committedLeaderEpoch: -1,
          commitTimestamp: -1,
          committedMetadata: '',
        })),
      },
    ],
  };
}

/** The frames the store writes for one commit, built the same way (JSON payload, length, CRC32C). */
function frames(i) {
  const bufs = [];
  for (let p = 0; p < partitions; p++) {
    const payload = Buffer.from(
      JSON.stringify({
        t: 'o',
        g: 'bench',
        tp: 'events',
        p,
        o: String(i * 100 + p),
        e: -1,
        m: '',
        ts: Date.now(),
        x: null,
      }),
    );
    const h = Buffer.alloc(8);
    h.writeUInt32BE(payload.length, 0);
    h.writeUInt32BE(crc32c(payload), 4);
    bufs.push(h, payload);
  }
  return Buffer.concat(bufs);
}

try {
  // Reference: sequential awaited appends of the same bytes, nothing else.
  const fh = await open(join(work, 'raw.log'), 'a');
  let t = seconds();
  for (let i = 0; i < commits; i++) await fh.write(frames(i));
  const raw = seconds() - t;
  await fh.close();

  const c = await GroupCoordinator.open({ dataDir: join(work, 'coordinator') });
  t = seconds();
  for (let i = 0; i < commits; i++) {
    const out = await commitOffsets(c, request(i));
    if (out.topics[0].partitions.some((p) => p.errorCode !== 0)) throw new Error(`commit ${i} refused`);
  }
  const coord = seconds() - t;
  t = seconds();
  const fetches = commits;
  for (let i = 0; i < fetches; i++) fetchOffsets(c, 'bench', null);
  const fetch = seconds() - t;
  const last = fetchOffsets(c, 'bench', null).topics[0].partitions[0].committedOffset;
  if (last !== BigInt((commits - 1) * 100)) throw new Error(`last committed offset ${last} is wrong`);
  await c.close();

  const rows = [
    ['raw framed append (reference)', commits / raw, (commits * partitions) / raw, 1],
    ['coordinator OffsetCommit', commits / coord, (commits * partitions) / coord, raw / coord],
    ['coordinator OffsetFetch (all)', fetches / fetch, (fetches * partitions) / fetch, null],
  ];
  console.log(`group coordinator: ${commits} commits of ${partitions} partitions each, awaited one by one`);
  console.log('(other work shares these cores, so absolute numbers are pessimistic)\n');
  console.log(
    `${'what'.padEnd(32)} ${'requests/s'.padStart(12)} ${'offsets/s'.padStart(12)} ${'vs reference'.padStart(13)}`,
  );
  for (const [what, rps, ops, ratio] of rows) {
    console.log(
      `${what.padEnd(32)} ${rps.toFixed(0).padStart(12)} ${ops.toFixed(0).padStart(12)} ${(ratio === null ? '-' : `${(ratio * 100).toFixed(0)}%`).padStart(13)}`,
    );
  }
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(
    join(here, 'results', 'groups.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        cores: cpus().length,
        commits,
        partitionsPerCommit: partitions,
        rows: rows.map(([what, requestsPerSec, offsetsPerSec, vsReference]) => ({
          what,
          requestsPerSec,
          offsetsPerSec,
          vsReference,
        })),
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
