import { describe, expect, it } from 'vitest';
import { isEddyError } from '../common/errors.js';
import { FileSystemRegistry } from './registry.js';
import { LocalFileSystem } from './local.js';

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isEddyError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

/** A second scheme for routing tests: the local disk under another name. */
class OtherScheme extends LocalFileSystem {
  override readonly scheme = 'dfs';
}

describe('FileSystemRegistry', () => {
  const reg = new FileSystemRegistry({ cwd: '/work/here' });
  const dfs = new OtherScheme();
  reg.register(dfs);

  it('resolves dfs URIs, file URIs and plain paths', () => {
    expect(reg.resolve('dfs:///a/b')).toEqual({ fs: dfs, path: '/a/b' });
    expect(reg.resolve('dfs:/a//b/')).toEqual({ fs: dfs, path: '/a/b' });
    expect(reg.resolve('DFS://localhost/a/./c/../b').path).toBe('/a/b');
    expect(reg.resolve('dfs://')).toEqual({ fs: dfs, path: '/' });
    expect(reg.resolve('file:///abs/path').fs.scheme).toBe('file');
    expect(reg.resolve('file:///abs/path').path).toBe('/abs/path');
    expect(reg.resolve('/abs/x').path).toBe('/abs/x');
    expect(reg.resolve('rel/x').path).toBe('/work/here/rel/x');
    expect(reg.resolve('../sib').path).toBe('/work/sib');
    expect(reg.resolve('dfs:///a%20b').path).toBe('/a%20b');
    expect(reg.qualify('rel')).toBe('file:///work/here/rel');
    expect(reg.schemes).toEqual(['dfs', 'file']);
  });

  it('relative paths default to the process working directory', () => {
    expect(new FileSystemRegistry().resolve('x').path).toBe(`${process.cwd()}/x`);
  });

  it('rejects unknown schemes, NUL bytes, climbing above the root, hosts and relative URIs', () => {
    const unknown = errorOf(() => reg.resolve('s3://bucket/key'));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toContain('s3://');
    expect(unknown.message).toContain('dfs://, file://');
    expect(errorOf(() => reg.resolve('dfs:///a\0b')).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => reg.resolve('dfs:///a/../../etc')).message).toContain('climbs above the root');
    expect(errorOf(() => reg.resolve('file:///../etc/passwd')).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => reg.resolve('../../../x')).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => reg.resolve('dfs://namenode:8020/a')).message).toContain('namenode:8020');
    expect(errorOf(() => reg.resolve('dfs:a/b')).message).toContain('relative path');
    expect(errorOf(() => reg.resolve('')).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => reg.register(new LocalFileSystem())).code).toBe('ALREADY_EXISTS');
  });
});
