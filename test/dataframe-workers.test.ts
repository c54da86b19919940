import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Scan workers (option parallel=true) run compiled JavaScript, so this test uses the build in dist/
// (npm test builds it first).
const dist = new URL('../dist/src/index.js', import.meta.url);
const built = existsSync(dist);

describe.skipIf(!built)('CSV scans on worker threads (built package)', () => {
  let dir: string;
  let api: typeof import('../src/index.js');
  let eddy: import('../src/index.js').Eddy;
  beforeAll(async () => {
    api = (await import(dist.href)) as typeof import('../src/index.js');
    dir = await mkdtemp(join(tmpdir(), 'eddy-workers-'));
    eddy = await api.Eddy.start({ home: join(dir, 'home') });
    const lines = Array.from({ length: 20000 }, (_, i) => `${i},k${i % 7},${(i * 0.5).toFixed(1)}`);
    lines[12345] = 'not,a,number-row';
    await writeFile(join(dir, 'data.csv'), `id,k,v\n${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    await eddy.close();
    await rm(dir, { recursive: true, force: true });
  });

  const load = (parallel: boolean, mode = 'PERMISSIVE') =>
    eddy.read
      .option('header', true)
      .option('parallel', parallel)
      .option('maxPartitionBytes', 50_000)
      .option('mode', mode)
      .schema('id INT, k STRING, v DOUBLE')
      .csv(join(dir, 'data.csv'));

  it('gives the same rows as the in-process scan, in order', async () => {
    const par = await load(true);
    expect(await par.numPartitions()).toBeGreaterThan(4);
    const a = await par.collect();
    const b = await (await load(false)).collect();
    expect(a).toHaveLength(20000);
    expect(a).toEqual(b);
    expect(a[12345]).toEqual({ id: null, k: 'a', v: null });
    const counts = await par.groupBy('k').count().orderBy('k').collect();
    expect(counts.reduce((n, r) => n + Number(r['count']), 0)).toBe(20000);
  });

  it('prunes columns and applies pushed filters on the workers, with the in-process results', async () => {
    const { col } = api;
    const grouped = async (parallel: boolean): Promise<unknown> =>
      (await load(parallel)).filter(col('v').gt(100)).groupBy('k').count().orderBy('k').collect();
    expect(await grouped(true)).toEqual(await grouped(false));
    const picked = async (parallel: boolean): Promise<unknown> =>
      (await load(parallel)).filter("v >= 9000 AND k = 'k3'").select('id').collect();
    const rows = (await picked(true)) as { id: number }[];
    expect(rows.length).toBeGreaterThan(100);
    expect(rows).toEqual(await picked(false));
    // The malformed row's id is not read here, so FAILFAST has nothing to fail on (Spark 2.4+).
    expect(await (await load(true, 'FAILFAST')).select('k').count()).toBe(20000);
  });

  it('reads multiLine files on the workers, one partition per file', async () => {
    const ml = join(dir, 'multiline');
    for (const part of [0, 1]) {
      const rows = Array.from({ length: 3000 }, (_, i) => `${part * 3000 + i},"line ${i}\r\nnext, ""${i}"""`);
      await mkdir(ml, { recursive: true });
      await writeFile(join(ml, `part-${part}.csv`), `id,s\r\n${rows.join('\r\n')}\r\n`);
    }
    const read = (parallel: boolean) =>
      eddy.read
        .option('header', true)
        .option('multiLine', true)
        .option('parallel', parallel)
        .schema('id INT, s STRING')
        .csv(ml);
    const par = await read(true);
    expect(await par.numPartitions()).toBe(2);
    const rows = await par.collect();
    expect(rows).toHaveLength(6000);
    expect(rows[3001]).toEqual({ id: 3001, s: 'line 1\r\nnext, "1"' });
    expect(rows).toEqual(await (await read(false)).collect());
  });

  it('stops workers early for limit() and carries FAILFAST errors back', async () => {
    expect(await (await load(true)).limit(3).collect()).toEqual([
      { id: 0, k: 'k0', v: 0 },
      { id: 1, k: 'k1', v: 0.5 },
      { id: 2, k: 'k2', v: 1 },
    ]);
    await expect((await load(true, 'FAILFAST')).count()).rejects.toThrow(
      /Parse Mode: FAILFAST. CSV record "not,a,number-row"/,
    );
    // The pool is still usable after a failure.
    expect(await (await load(true)).count()).toBe(20000);
  });
});
