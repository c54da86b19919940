// Summarizes a V8 .cpuprofile (node --cpu-prof): self time by function and by source file, top N each.
// Usage: node bench/cpuprofile-summary.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

const [file, nText] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/cpuprofile-summary.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const n = Number(nText ?? 25);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((x) => [x.id, x]));
const self = new Map();
const dt = p.timeDeltas;
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const files = new Map();
for (const [id, us] of self) {
  const cf = byId.get(id).callFrame;
  const short = cf.url.replace(/^.*\/(dist|node_modules)\//, '$1/');
  const k = `${cf.functionName || '(anonymous)'} ${short}:${cf.lineNumber + 1}`;
  fn.set(k, (fn.get(k) ?? 0) + us);
  const f = short || cf.functionName;
  files.set(f, (files.get(f) ?? 0) + us);
}
const show = (title, m) => {
  console.log(`\n${title}`);
  console.log('| self ms | % | where |\n|---:|---:|---|');
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`| ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)} | ${k} |`);
  }
};
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
show('by function (self time)', fn);
show('by file (self time)', files);
