// Broker throughput: kcat (librdkafka) into the built-in broker running as its own process, then kcat -C back
// out, for 100 B and 1 KiB messages, acks=1 and acks=all — beside the loopback limit measured in the same run
// (one process writing 1 MiB chunks into a TCP socket, another discarding them). A second table produces 1 KiB
// messages with 1, 2 and 4 kcat processes in parallel, each into its own topic, to tell the broker's bound from
// a single producer's. Every row reports the broker's CPU seconds and its resident memory (RSS) before the run
// and at its peak, sampled every 20 ms, for the "flat memory" check.
//
// Usage: npm run bench -- broker
//        node bench/broker.bench.mjs [scale] [single|parallel]   (scale 1 = 1,000,000 × 100 B and 256 MB of 1 KiB)
// EDDY_BENCH_BROKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" passes node flags to the broker process.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const here = dirname(fileURLToPath(import.meta.url));
// EDDY_BENCH_BROKER_BIN runs another build's CLI as the broker (an A/B against an older commit).
const bin = process.env.EDDY_BENCH_BROKER_BIN ?? join(here, '..', 'dist', 'src', 'cli', 'bin.js');
const numeric = process.argv.slice(2).filter((a) => /^[\d.]+$/.test(a));
const sections = process.argv.slice(2).filter((a) => !/^[\d.]+$/.test(a));
const scale = Number(numeric[0] ?? 1);
const run = (name) => sections.length === 0 || sections.includes(name);
const nodeArgs = (process.env.EDDY_BENCH_BROKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const work = mkdtempSync(join(tmpdir(), 'eddy-bench-broker-'));
// Brokers this script started are killed if it dies half way, so none is left running.
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

try {
  execFileSync('kcat', ['-V'], { stdio: 'pipe' });
} catch {
  console.error('kcat is not installed (apt-get install -y kcat); the broker benchmark needs it');
  process.exit(2);
}

/**
 * Producer settings, as Kafka's own producer-perf runs tune theirs: batches up to 1 MB (librdkafka's
 * batch.size, just under the broker's message.max.bytes), up to 100,000 messages a batch, a 5 ms linger and a
 * 1 GiB / 1,000,000-message client queue so that reading the file never waits on the network.
 */
const PRODUCER_TUNING = [
  'batch.size=1000000',
  'batch.num.messages=100000',
  'linger.ms=5',
  'queue.buffering.max.kbytes=1048576',
  'queue.buffering.max.messages=1000000',
].flatMap((kv) => ['-X', kv]);

function now() {
  return Number(process.hrtime.bigint()) / 1e9;
}

/**
 * Loopback limit: bytes/s one process can push through a TCP socket to another that discards them. With
 * `toFile`, the receiver instead does the least a broker must: checks a CRC32C of every chunk and appends it to
 * a file (no framing, no protocol) — the ceiling for a single-threaded Node broker on this machine.
 */
async function loopback(totalBytes, toFile = null) {
  const sink = toFile
    ? `
    const net = require('node:net'); const fs = require('node:fs');
    const { crc32c } = require(${JSON.stringify(require.resolve('@node-rs/crc32'))});
    const fd = fs.openSync(${JSON.stringify(toFile)}, 'a'); let pos = 0;
    const srv = net.createServer((s) => {
      s.on('data', (d) => { crc32c(d, 0); pos += fs.writeSync(fd, d, 0, d.length, pos); });
      s.on('end', () => { s.end(); srv.close(); fs.closeSync(fd); });
    });
    srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));`
    : `
    const net = require('node:net');
    const srv = net.createServer((s) => { s.on('data', () => {}); s.on('end', () => { s.end(); srv.close(); }); });
    srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));`;
  const child = spawn(process.execPath, ['-e', sink], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) =>
    createInterface({ input: child.stdout }).once('line', (l) => resolve(Number(l))),
  );
  const src = `
    const net = require('node:net');
    const chunk = Buffer.alloc(1 << 20, 97); let left = ${totalBytes};
    const s = net.connect(${port}, '127.0.0.1', () => {
      const t0 = process.hrtime.bigint();
      const pump = () => { while (left > 0) { left -= chunk.length; if (!s.write(chunk)) return s.once('drain', pump); } s.end(); };
      s.on('close', () => { console.log(Number(process.hrtime.bigint() - t0) / 1e9); });
      s.resume(); pump();
    });`;
  const out = execFileSync(process.execPath, ['-e', src]).toString().trim();
  await new Promise((r) => child.on('exit', r));
  if (toFile) rmSync(toFile, { force: true });
  return totalBytes / Number(out);
}

async function startBroker(dataDir) {
  const child = spawn(process.execPath, [...nodeArgs, bin, 'broker', 'start', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const port = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (l) => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`broker exited ${c}`)));
  });
  return {
    port,
    pid: child.pid,
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSecs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Samples a process's RSS every 20 ms until the returned function is called; that returns the peak. */
function watchRss(pid) {
  let peak = rssMB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMB(pid));
  }, 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssMB(pid));
  };
}

const haveTime = spawnSync('/usr/bin/time', ['-f', '%U', 'true']).status === 0;

/** Runs a command to completion; resolves with the CPU seconds it used (user + system), via /usr/bin/time. */
function runAsync(cmd, args) {
  return new Promise((resolve, reject) => {
    const argv = haveTime ? ['/usr/bin/time', ['-f', 'cpu %U %S', cmd, ...args]] : [cmd, args];
    const p = spawn(argv[0], argv[1], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.once('error', reject);
    p.once('exit', (code) => {
      const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(err);
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`));
      else resolve(m ? Number(m[1]) + Number(m[2]) : NaN);
    });
  });
}

function messageFile(count, size, tag = '') {
  const path = join(work, `msgs-${count}-${size}${tag}.txt`);
  const line = (i) => {
    const head = `${tag}${i}:`;
    return head + 'x'.repeat(Math.max(0, size - head.length));
  };
  const chunks = [];
  for (let i = 0; i < count; i++) chunks.push(line(i));
  writeFileSync(path, chunks.join('\n') + '\n');
  return path;
}

/** Produces each file with its own kcat process into its own topic, all at once; returns wall s, CPU s, RSS. */
async function produceParallel(b, files, acks) {
  const bs = `127.0.0.1:${b.port}`;
  // Auto-create the topics first so that creation is not timed.
  for (let i = 0; i < files.length; i++) spawnSync('kcat', ['-b', bs, '-L', '-t', `bench-${i}`], { stdio: 'ignore' });
  const rssBefore = rssMB(b.pid);
  const peak = watchRss(b.pid);
  const c0 = cpuSecs(b.pid);
  const t0 = now();
  const clientCpu = await Promise.all(
    files.map((file, i) =>
      runAsync('kcat', [
        '-b',
        bs,
        '-P',
        '-t',
        `bench-${i}`,
        '-p',
        '0',
        '-X',
        `acks=${acks}`,
        ...PRODUCER_TUNING,
        '-l',
        file,
      ]),
    ),
  );
  const secs = now() - t0;
  const clientCpuSum = clientCpu.reduce((a, x) => a + x, 0);
  return { secs, cpu: cpuSecs(b.pid) - c0, clientCpu: clientCpuSum, rssBefore, rssPeak: peak() };
}

async function consume(b, topic, count) {
  const bs = `127.0.0.1:${b.port}`;
  const rssBefore = rssMB(b.pid);
  const peak = watchRss(b.pid);
  const c0 = cpuSecs(b.pid);
  const t0 = now();
  const clientCpu = await runAsync('kcat', [
    '-b',
    bs,
    '-C',
    '-t',
    topic,
    '-p',
    '0',
    '-o',
    'beginning',
    '-c',
    String(count),
    '-q',
    '-f',
    '%s\n',
  ]);
  const secs = now() - t0;
  return { secs, cpu: cpuSecs(b.pid) - c0, clientCpu, rssBefore, rssPeak: peak() };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const limit = await loopback(Math.round(2 * 1024 ** 3 * Math.min(1, scale)));
const rawLoop = await loopback(Math.round(1024 ** 3 * Math.min(1, scale)), join(work, 'raw-loop.log'));
const pct = (bytesPerSec) => `${((100 * bytesPerSec) / limit).toFixed(0)}%`;
const result = {
  date: new Date().toISOString(),
  cores: cpus().length,
  loadAverage: loadavg()[0],
  loopbackBytesPerSec: limit,
  rawLoopBytesPerSec: rawLoop,
  producerTuning: PRODUCER_TUNING,
};
console.log(
  `\nbroker throughput via kcat (librdkafka 2.0.2), ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}`,
);
console.log(`loopback limit (1 TCP stream, receiver discards): ${fmt(limit / 1e6)} MB/s`);
console.log(
  `raw loop (1 TCP stream, receiver CRC32Cs and appends to a file): ${fmt(rawLoop / 1e6)} MB/s = ${pct(rawLoop)} of loopback`,
);
console.log(`kcat producer settings: ${PRODUCER_TUNING.filter((a) => a !== '-X').join(' ')}`);

if (run('single')) {
  const cases = [
    { name: '100 B', size: 100, count: Math.round(1_000_000 * scale) },
    { name: '1 KiB', size: 1024, count: Math.round(250_000 * scale) },
  ];
  const rows = [];
  for (const c of cases) {
    const file = messageFile(c.count, c.size);
    const bytes = statSync(file).size - c.count; // payload bytes, without the newlines
    for (const acks of ['1', 'all']) {
      const dataDir = join(work, `data-${c.size}-${acks}`);
      mkdirSync(dataDir);
      const b = await startBroker(dataDir);
      const p = await produceParallel(b, [file], acks);
      const q = await consume(b, 'bench-0', c.count);
      await b.stop();
      rows.push({ message: c.name, acks, count: c.count, bytes, produce: p, consume: q });
      rmSync(dataDir, { recursive: true, force: true });
    }
    rmSync(file);
  }
  result.single = rows;
  console.log('\none producer, then one consumer (RSS: broker before → peak, MB)\n');
  console.log(
    '| message | acks | produce msg/s | produce MB/s | % loopback | broker CPU s | kcat CPU s | RSS MB | consume msg/s | consume MB/s | % loopback | broker CPU s | kcat CPU s | RSS MB |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const cells = [r.produce, r.consume].map((x) =>
      [
        fmt(r.count / x.secs),
        fmt(r.bytes / x.secs / 1e6),
        pct(r.bytes / x.secs),
        x.cpu.toFixed(2),
        x.clientCpu.toFixed(2),
        `${fmt(x.rssBefore)} → ${fmt(x.rssPeak)}`,
      ].join(' | '),
    );
    console.log(`| ${r.message} | ${r.acks} | ${cells[0]} | ${cells[1]} |`);
  }
}

if (run('parallel')) {
  const total = Math.round(250_000 * scale);
  const rows = [];
  for (const n of [1, 2, 4]) {
    const files = Array.from({ length: n }, (_, i) => messageFile(Math.round(total / n), 1024, `p${n}-${i}-`));
    const bytes = files.reduce((s, f) => s + statSync(f).size, 0) - total;
    for (const acks of ['1', 'all']) {
      const dataDir = join(work, `data-par-${n}-${acks}`);
      mkdirSync(dataDir);
      const b = await startBroker(dataDir);
      const p = await produceParallel(b, files, acks);
      await b.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rows.push({ producers: n, acks, count: total, bytes, ...p });
    }
    for (const f of files) rmSync(f);
  }
  result.parallel = rows;
  // The 2-core ceiling is what the work measured would allow if broker and producers had both cores to
  // themselves and overlapped perfectly: bytes / ((broker CPU + kcat CPU) / 2). It is the physical limit for
  // this client and this broker on this machine, beside the loopback's (which does one copy on each side).
  console.log(`\n1 KiB produce, ${fmt(total)} messages split over N kcat processes, each into its own topic\n`);
  console.log(
    '| producers | acks | msg/s | MB/s | % loopback | wall s | broker CPU s | kcat CPU s | 2-core ceiling MB/s | RSS MB before → peak |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const ceiling = r.bytes / ((r.cpu + r.clientCpu) / 2) / 1e6;
    console.log(
      `| ${r.producers} | ${r.acks} | ${fmt(r.count / r.secs)} | ${fmt(r.bytes / r.secs / 1e6)} | ${pct(r.bytes / r.secs)} | ${r.secs.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.clientCpu.toFixed(2)} | ${fmt(ceiling)} (${pct(ceiling * 1e6)}) | ${fmt(r.rssBefore)} → ${fmt(r.rssPeak)} |`,
    );
  }
}

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'broker.json'), JSON.stringify(result, null, 2));
rmSync(work, { recursive: true, force: true });
