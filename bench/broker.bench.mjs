// Broker throughput: kcat -P -l FILE (librdkafka, default batching) into the built-in broker running as its own
// process, then kcat -C back out, for 100 B and 1 KiB messages, acks=1 and acks=all — beside the loopback limit
// measured in the same run (one process writing 1 MiB chunks into a TCP socket, another discarding them).
// Usage: npm run bench -- broker   (or: node bench/broker.bench.mjs [scale], scale 1 = 1,000,000 small messages)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'dist', 'src', 'cli', 'bin.js');
const scale = Number(process.argv[2] ?? 1);
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

function now() {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** Loopback limit: bytes/s one process can push through a TCP socket to another that discards them. */
async function loopback(totalBytes) {
  const sink = `
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
  return totalBytes / Number(out);
}

async function startBroker(dataDir) {
  const child = spawn(process.execPath, [bin, 'broker', 'start', '--port', '0', '--data-dir', dataDir], {
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

function messageFile(count, size) {
  const path = join(work, `msgs-${count}-${size}.txt`);
  const line = (i) => {
    const head = `${i}:`;
    return head + 'x'.repeat(Math.max(0, size - head.length));
  };
  const chunks = [];
  for (let i = 0; i < count; i++) chunks.push(line(i));
  writeFileSync(path, chunks.join('\n') + '\n');
  return path;
}

const cases = [
  { name: '100 B', size: 100, count: Math.round(1_000_000 * scale) },
  { name: '1 KiB', size: 1024, count: Math.round(250_000 * scale) },
];
const rows = [];
const limit = await loopback(Math.round(2 * 1024 ** 3 * Math.min(1, scale)));
for (const c of cases) {
  const file = messageFile(c.count, c.size);
  const bytes = statSync(file).size - c.count; // payload bytes, without the newlines
  for (const acks of ['1', 'all']) {
    const dataDir = join(work, `data-${c.size}-${acks}`);
    mkdirSync(dataDir);
    const b = await startBroker(dataDir);
    const bs = `127.0.0.1:${b.port}`;
    spawnSync('kcat', ['-b', bs, '-L', '-t', 'bench'], { stdio: 'ignore' }); // auto-create the topic
    let c0 = cpuSecs(b.pid);
    let t0 = now();
    const p = spawnSync('kcat', ['-b', bs, '-P', '-t', 'bench', '-p', '0', '-X', `acks=${acks}`, '-l', file], {
      stdio: 'inherit',
    });
    const produceSecs = now() - t0;
    const produceCpu = cpuSecs(b.pid) - c0;
    if (p.status !== 0) throw new Error(`kcat -P failed: ${p.status}`);
    c0 = cpuSecs(b.pid);
    t0 = now();
    const q = spawnSync(
      'kcat',
      ['-b', bs, '-C', '-t', 'bench', '-p', '0', '-o', 'beginning', '-c', String(c.count), '-q', '-f', '%s\n'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        maxBuffer: 1 << 30,
      },
    );
    const consumeSecs = now() - t0;
    const consumeCpu = cpuSecs(b.pid) - c0;
    if (q.status !== 0) throw new Error(`kcat -C failed: ${q.status}`);
    await b.stop();
    rows.push({
      message: c.name,
      acks,
      count: c.count,
      produceSecs,
      consumeSecs,
      produceCpu,
      consumeCpu,
      produceMsgs: c.count / produceSecs,
      produceMBs: bytes / produceSecs / 1e6,
      consumeMsgs: c.count / consumeSecs,
      consumeMBs: bytes / consumeSecs / 1e6,
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
// The broker CPU column shows how much of the wall time the broker itself was busy; on a loaded machine the rest
// is kcat and waiting for a core.
console.log(
  `\nbroker throughput via kcat (librdkafka 2.0.2), ${cpus().length} cores; loopback limit ${fmt(limit / 1e6)} MB/s\n`,
);
console.log(
  '| message | acks | produce msg/s | produce MB/s | % loopback | broker CPU s | consume msg/s | consume MB/s | % loopback | broker CPU s |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.message} | ${r.acks} | ${fmt(r.produceMsgs)} | ${fmt(r.produceMBs)} | ${((100 * r.produceMBs * 1e6) / limit).toFixed(0)}% | ${r.produceCpu.toFixed(2)} | ${fmt(r.consumeMsgs)} | ${fmt(r.consumeMBs)} | ${((100 * r.consumeMBs * 1e6) / limit).toFixed(0)}% | ${r.consumeCpu.toFixed(2)} |`,
  );
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'broker.json'),
  JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, loopbackBytesPerSec: limit, rows }, null, 2),
);
rmSync(work, { recursive: true, force: true });
