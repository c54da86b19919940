import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Eddy, LocalFileSystem, PluginRegistry, loadPlugin, type EddyPlugin } from '../index.js';
import { MemoryStream } from '../../plugins/memory/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-plugins-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const nullSink = (name: string): EddyPlugin => ({
  name,
  sinks: [{ shortName: name, createSink: () => ({ description: name, addBatch: async () => undefined }) }],
});

describe('plugin registry', () => {
  it('registers by case-insensitive short name and refuses a second plugin with the same name', () => {
    const r = new PluginRegistry();
    r.register(nullSink('Devnull'));
    expect(r.sink('devnull').shortName).toBe('Devnull');
    expect(() => r.register(nullSink('devnull'))).toThrow(/a sink named "devnull" is already registered/);
    r.register(nullSink('devnull'), { replace: true });
    expect(() => r.register({ name: 'bad', sinks: [{ shortName: '1 2', createSink: () => ({}) as never }] })).toThrow(
      /must be a word/,
    );
    expect(() => r.source('kafka')).toThrow(/unknown streaming source format "kafka"; known sources: none/);
  });

  it('loads a plugin module from a path, and refuses a module without a plugin or a missing package', async () => {
    const path = join(dir, 'my-plugin.mjs');
    await writeFile(
      path,
      `export default { name: 'mine', sinks: [{ shortName: 'mine', createSink: () => ({ description: 'mine', addBatch: async () => {} }) }] };`,
    );
    expect((await loadPlugin(path)).name).toBe('mine');
    const empty = join(dir, 'empty.mjs');
    await writeFile(empty, 'export const x = 1;');
    await expect(loadPlugin(empty)).rejects.toThrow(/does not export a plugin/);
    await expect(loadPlugin('eddy-no-such-plugin-package')).rejects.toThrow(/was not found from/);
    // A package name resolves from the working directory's node_modules (kafkajs is one, but not a plugin).
    await expect(loadPlugin('kafkajs')).rejects.toThrow(/plugin "kafkajs" does not export a plugin/);
  });

  it('Eddy.start({ plugins }) makes a plugin sink usable by writeStream.format()', async () => {
    const path = join(dir, 'collect.mjs');
    await writeFile(
      path,
      `export const seen = [];
       export const plugin = { name: 'collect', sinks: [{ shortName: 'collect', allowsTemporaryCheckpoint: true,
         createSink: () => ({ description: 'collect', addBatch: async (id, df) => { seen.push([id, await df.count()]); } }) }] };`,
    );
    const eddy = await Eddy.start({ home: join(dir, 'home'), broker: false, dfs: false, plugins: [path] });
    try {
      expect(eddy.plugins.sinkNames).toContain('collect');
      const input = new MemoryStream(eddy, 'v INT');
      const q = await input.toDF().writeStream.format('collect').start();
      input.addData([[1], [2]]);
      await q.processAllAvailable();
      await q.stop();
      const mod = (await import(path)) as { seen: [number, number][] };
      expect(mod.seen).toEqual([[0, 2]]);
    } finally {
      await eddy.close();
    }
  });
});

describe('built-in plugins', () => {
  it('rate: a range of seconds always yields the same values and timestamps', async () => {
    const eddy = await Eddy.start({ home: join(dir, 'home'), broker: false, dfs: false });
    try {
      const provider = eddy.plugins.source('rate');
      const fs = new LocalFileSystem();
      const make = async () => {
        const s = provider.createSource({ rowsPerSecond: '3' }, { session: eddy });
        await s.initialize!({ fs, metadataDir: join(dir, 'rate-meta') });
        return s;
      };
      const a = await make();
      const rows = await (await a.getBatch('1', '2')).collect();
      expect(rows.map((r) => r['value'])).toEqual([3n, 4n, 5n]);
      const t0 = (rows[0]!['timestamp'] as Date).getTime();
      expect((rows[2]!['timestamp'] as Date).getTime() - t0).toBe(1666 - 1000);
      // A new instance on the same metadata folder (a restart) reads the pinned start time.
      const b = await make();
      expect(await (await b.getBatch('1', '2')).collect()).toEqual(rows);
      expect(() => provider.createSource({ rowsPerSecond: '0' }, { session: eddy })).toThrow(/rowsPerSecond=0/);
    } finally {
      await eddy.close();
    }
  });

  it('console: the batch header then show(), honouring numRows and truncate', async () => {
    const eddy = await Eddy.start({ home: join(dir, 'home'), broker: false, dfs: false });
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      printed.push(String(s));
      return true;
    });
    try {
      const input = new MemoryStream(eddy, 's STRING');
      const q = await input.toDF().writeStream.format('console').option('numRows', 1).option('truncate', false).start();
      input.addData([['a value longer than twenty characters'], ['second']]);
      await q.processAllAvailable();
      await q.stop();
    } finally {
      spy.mockRestore();
      await eddy.close();
    }
    expect(printed.join('')).toBe(
      '-------------------------------------------\nBatch: 0\n-------------------------------------------\n' +
        '+-------------------------------------+\n' +
        '|s                                    |\n' +
        '+-------------------------------------+\n' +
        '|a value longer than twenty characters|\n' +
        '+-------------------------------------+\n' +
        'only showing top 1 row\n\n',
    );
  });
});
