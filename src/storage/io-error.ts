import { EddyError, describeValue, type ErrorCode } from '../common/errors.js';

/** Maps a Node.js file-system error to an EddyError that names the operation and the path. */
export function ioError(e: unknown, op: string, path: string): EddyError {
  if (e instanceof EddyError) return e;
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  const detail = e instanceof Error ? e.message : String(e);
  let code: ErrorCode = 'IO_ERROR';
  let hint = '';
  switch (errno) {
    case 'ENOENT':
      code = 'NOT_FOUND';
      hint = '; check the path';
      break;
    case 'EEXIST':
    case 'ENOTEMPTY':
      code = 'ALREADY_EXISTS';
      break;
    case 'ENOTDIR':
      code = 'INVALID_ARGUMENT';
      hint = '; a component of the path is a file, not a directory';
      break;
    case 'EISDIR':
      code = 'INVALID_ARGUMENT';
      hint = '; the path is a directory';
      break;
    case 'ENOSPC':
    case 'EDQUOT':
      hint = '; the disk is full — free space and retry (nothing already stored was changed)';
      break;
    case 'EACCES':
    case 'EPERM':
      code = 'IO_ERROR';
      hint = '; check the permissions';
      break;
  }
  return new EddyError(code, `${op} ${describeValue(path)} failed: ${detail}${hint}`, {
    cause: e,
    ...(code === 'IO_ERROR' && (errno === 'EACCES' || errno === 'EPERM') ? { retriable: false } : {}),
  });
}

export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}
