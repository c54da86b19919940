import { EddyError, describeValue, isEddyError } from '../common/errors.js';
import type { FileStatus } from './filesystem.js';
import { joinPath, pathComponents, pathIn } from './fs-path.js';

/**
 * Hadoop's globStatus, per path component: `*` (any run of characters), `?` (one character), `[abc]`, `[a-z]`,
 * `[^a]` / `[!a]`, `{a,b}` (alternatives, which may themselves hold wildcards) and `\x` for a literal x.
 * Written once over stat/list so every FileSystem globs the same way.
 */

export interface GlobSource {
  readonly scheme: string;
  stat(path: string): Promise<FileStatus>;
  list(path: string): Promise<FileStatus[]>;
}

export function hasGlob(component: string): boolean {
  return /(?<!\\)[*?[{]/.test(component);
}

/** Compiles one path component's pattern into an anchored regular expression. */
export function compileGlob(pattern: string): RegExp {
  let re = '';
  let i = 0;
  let braces = 0;
  const bad = (why: string): never => {
    throw new EddyError('INVALID_ARGUMENT', `glob ${describeValue(pattern)} is malformed: ${why}`);
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (i + 1 >= pattern.length) bad('it ends with a lone "\\"');
      re += escapeRe(pattern[i + 1]!);
      i += 2;
      continue;
    }
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) bad('a "[" has no closing "]"');
      let body = pattern.slice(i + 1, end);
      let negate = false;
      if (body.startsWith('^') || body.startsWith('!')) {
        negate = true;
        body = body.slice(1);
      }
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end + 1;
      continue;
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += escapeRe(c);
    i++;
  }
  if (braces > 0) bad('a "{" has no closing "}"');
  return new RegExp(`^${re}$`, 's');
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function unescape(component: string): string {
  return component.replace(/\\(.)/g, '$1');
}

/** Every existing path matching the pattern, sorted by path; [] when nothing matches. */
export async function globStatus(fs: GlobSource, pattern: string): Promise<FileStatus[]> {
  if (pattern.includes('\0')) {
    throw new EddyError('INVALID_ARGUMENT', `glob ${describeValue(pattern)} contains a NUL byte; remove it`);
  }
  // Normalise the separators and `..` before matching, but keep the pattern characters as typed.
  const parts = pathComponents(pathIn(fs.scheme, pattern, 'glob'));
  let current: string[] = ['/'];
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    const next: string[] = [];
    if (!hasGlob(part)) {
      const name = unescape(part);
      for (const dir of current) next.push(joinPath(dir, name));
    } else {
      const re = compileGlob(part);
      for (const dir of current) {
        let entries: FileStatus[];
        try {
          const st = await fs.stat(dir);
          if (!st.isDirectory) continue;
          entries = await fs.list(dir);
        } catch (e) {
          if (isEddyError(e, 'NOT_FOUND')) continue;
          throw e;
        }
        for (const st of entries) if (re.test(st.name)) next.push(st.path);
      }
    }
    current = next;
    if (current.length === 0) return [];
  }
  const out: FileStatus[] = [];
  for (const p of current) {
    try {
      out.push(await fs.stat(p));
    } catch (e) {
      if (!isEddyError(e, 'NOT_FOUND') && !isEddyError(e, 'INVALID_ARGUMENT')) throw e;
    }
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
