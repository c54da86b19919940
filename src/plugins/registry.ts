import { EddyError, describeValue } from '../common/errors.js';
import type { EddyPlugin, SinkProvider, SourceProvider } from './types.js';

/**
 * Sources and sinks by short name (case-insensitive, as Spark's format names). A name registered twice is an
 * error unless `replace` is asked for: two plugins silently fighting over `kafka` would be hard to debug.
 */
export class PluginRegistry {
  private readonly sourceMap = new Map<string, SourceProvider>();
  private readonly sinkMap = new Map<string, SinkProvider>();
  private readonly pluginNames: string[] = [];

  register(plugin: EddyPlugin, options: { replace?: boolean } = {}): void {
    if (!plugin || typeof plugin.name !== 'string' || plugin.name === '') {
      throw new EddyError('PLUGIN_ERROR', `a plugin needs a non-empty name, got ${describeValue(plugin)}`);
    }
    for (const s of plugin.sources ?? []) this.add(this.sourceMap, s, 'source', plugin.name, options.replace);
    for (const s of plugin.sinks ?? []) this.add(this.sinkMap, s, 'sink', plugin.name, options.replace);
    this.pluginNames.push(plugin.name);
  }

  private add<T extends { shortName: string }>(
    map: Map<string, T>,
    p: T,
    kind: string,
    plugin: string,
    replace = false,
  ): void {
    if (!p || typeof p.shortName !== 'string' || !/^[A-Za-z][\w.-]*$/.test(p.shortName)) {
      throw new EddyError(
        'PLUGIN_ERROR',
        `plugin ${plugin}: ${kind} short name ${describeValue(p?.shortName)} must be a word like "kafka"`,
      );
    }
    const key = p.shortName.toLowerCase();
    if (map.has(key) && !replace) {
      throw new EddyError(
        'PLUGIN_ERROR',
        `plugin ${plugin}: a ${kind} named "${p.shortName}" is already registered; choose another short name`,
      );
    }
    map.set(key, p);
  }

  get plugins(): readonly string[] {
    return [...this.pluginNames];
  }
  get sourceNames(): string[] {
    return [...this.sourceMap.values()].map((s) => s.shortName).sort();
  }
  get sinkNames(): string[] {
    return [...this.sinkMap.values()].map((s) => s.shortName).sort();
  }

  source(name: string): SourceProvider {
    const p = this.sourceMap.get(String(name).toLowerCase());
    if (!p) {
      throw new EddyError(
        'NOT_FOUND',
        `unknown streaming source format ${describeValue(name)}; known sources: ${this.sourceNames.join(', ') || 'none'}. ` +
          `Load a plugin with Eddy.start({ plugins: [...] }) to add one`,
      );
    }
    return p;
  }

  sink(name: string): SinkProvider {
    const p = this.sinkMap.get(String(name).toLowerCase());
    if (!p) {
      throw new EddyError(
        'NOT_FOUND',
        `unknown streaming sink format ${describeValue(name)}; known sinks: ${this.sinkNames.join(', ') || 'none'}. ` +
          `Load a plugin with Eddy.start({ plugins: [...] }) to add one`,
      );
    }
    return p;
  }

  hasSource(name: string): boolean {
    return this.sourceMap.has(name.toLowerCase());
  }
}
