/** Typed errors: library code throws these, the CLI layer maps them to one message and an exit code. */

export const EXIT = {
  OK: 0,
  PROBLEM: 1,
  USAGE: 2,
  ROLLBACK_INCOMPLETE: 3,
  INTERRUPTED: 130,
} as const;

export class ClawfixError extends Error {
  readonly exitCode: number;
  /** What the user should do next (one line). */
  readonly hint: string | undefined;
  readonly path: string | undefined;
  constructor(message: string, opts: { exitCode?: number; hint?: string; path?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ClawfixError';
    this.exitCode = opts.exitCode ?? EXIT.PROBLEM;
    this.hint = opts.hint;
    this.path = opts.path;
  }
}

export class UsageError extends ClawfixError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.USAGE, ...(hint === undefined ? {} : { hint }) });
    this.name = 'UsageError';
  }
}

/** Human explanation of a Node fs error code, for messages that name the file and what to do. */
export function describeFsError(err: unknown, path: string): { message: string; hint: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return { message: `${path} does not exist`, hint: 'check --state-dir / --profile, or that OpenClaw has run once' };
    case 'EACCES':
    case 'EPERM':
      return {
        message: `permission denied on ${path}`,
        hint: 'run clawfix as the user who owns the OpenClaw state dir (not with sudo as someone else)',
      };
    case 'ENOSPC':
      return { message: `no space left on the device holding ${path}`, hint: 'free some disk space and run again' };
    case 'EROFS':
      return { message: `${path} is on a read-only file system`, hint: 'remount it read-write or point --state-dir elsewhere' };
    case 'EISDIR':
      return { message: `${path} is a directory where a file was expected`, hint: 'move the directory aside' };
    case 'ENOTDIR':
      return { message: `a parent of ${path} is not a directory`, hint: 'check the state dir layout' };
    default:
      return {
        message: `cannot access ${path}: ${(err as Error | undefined)?.message ?? String(err)}`,
        hint: 'check the file and its permissions',
      };
  }
}
