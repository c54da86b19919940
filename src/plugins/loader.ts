import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EddyError, describeValue } from '../common/errors.js';
import type { EddyPlugin } from './types.js';

/** A plugin given to Eddy.start({ plugins }): the object itself, an npm package name, or a path to a module. */
export type PluginSpec = EddyPlugin | string;

/**
 * Loads a plugin module: `./x.js`, `/abs/x.js` and `file:` URLs as paths (relative to the working directory),
 * anything else as a package name resolved from the working directory's node_modules. The module exports the
 * plugin as `default` or as `plugin`.
 */
export async function loadPlugin(spec: PluginSpec): Promise<EddyPlugin> {
  if (typeof spec !== 'string') return check(spec, describeValue(spec));
  let url: string;
  if (spec.startsWith('file:')) url = spec;
  else if (spec.startsWith('.') || isAbsolute(spec)) url = pathToFileURL(resolve(spec)).href;
  else url = await resolvePackage(spec);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new EddyError('PLUGIN_ERROR', `plugin ${JSON.stringify(spec)} could not be loaded: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return check((mod['default'] ?? mod['plugin']) as EddyPlugin, JSON.stringify(spec));
}

async function resolvePackage(name: string): Promise<string> {
  const { createRequire } = await import('node:module');
  const require = createRequire(pathToFileURL(resolve('package.json')).href);
  try {
    return pathToFileURL(require.resolve(name)).href;
  } catch (e) {
    throw new EddyError(
      'PLUGIN_ERROR',
      `plugin package ${JSON.stringify(name)} was not found from ${process.cwd()}; npm install it, or give a path ` +
        `starting with ./ or /`,
      { cause: e },
    );
  }
}

function check(p: EddyPlugin | undefined, what: string): EddyPlugin {
  if (!p || typeof p !== 'object' || typeof p.name !== 'string') {
    throw new EddyError(
      'PLUGIN_ERROR',
      `plugin ${what} does not export a plugin ({ name, sources?, sinks? }) as default or as "plugin"`,
    );
  }
  return p;
}
