/**
 * One clawfix at a time per state dir: a proper-lockfile lock on <state>/clawfix. A lock left by a
 * killed clawfix (its journal names a dead pid) is taken over by the recovery, never silently.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ClawfixError } from '../util/errors.js';

export type Release = () => Promise<void>;

export function clawfixDir(stateDir: string): string {
  return path.join(stateDir, 'clawfix');
}

export function lockPath(stateDir: string): string {
  return path.join(clawfixDir(stateDir), 'repair.lock');
}

export async function acquireLock(stateDir: string, opts: { force?: boolean } = {}): Promise<Release> {
  const lockfile = (await import('proper-lockfile')).default;
  const dir = clawfixDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = lockPath(stateDir);
  if (opts.force) {
    const { rmSync } = await import('node:fs');
    rmSync(target, { recursive: true, force: true });
  }
  try {
    const release = await lockfile.lock(dir, { lockfilePath: target, realpath: false, stale: 30_000, update: 5_000, retries: 0 });
    return async () => {
      try {
        await release();
      } catch {
        /* already released or compromised: nothing left to do */
      }
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new ClawfixError(`another clawfix is repairing this OpenClaw state dir (lock ${target} is held)`, {
        hint: 'wait for it to finish; if no clawfix is running, the lock goes stale after 30 s',
        path: target,
      });
    }
    throw new ClawfixError(`could not take the lock ${target}: ${(err as Error).message}`, { path: target });
  }
}
