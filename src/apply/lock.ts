/**
 * One clawfix at a time per state dir: a proper-lockfile lock on <state>/clawfix. A lock left by a
 * killed clawfix (its journal names a dead pid) is taken over by the recovery, never silently.
 *
 * A clawfix can also be killed while it holds the lock with no journal on disk (between taking the
 * lock and writing its first journal entry, or between removing its journal and releasing the lock).
 * So that the next run need not wait 30 s for that lock to go stale, every clawfix that may hold the
 * lock says so first: an empty `repair.lock.<pid>` written before it tries, removed after it released.
 * A held lock whose only such marks name dead processes is taken over; a lock with no mark at all (an
 * unknown holder) or with the mark of a live clawfix is respected.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdirOwned } from './fs.js';
import path from 'node:path';
import { clawfixDir } from '../records/journal.js';
import { ClawfixError } from '../util/errors.js';

export type Release = () => Promise<void>;

export function lockPath(stateDir: string): string {
  return path.join(clawfixDir(stateDir), 'repair.lock');
}

/** pids of the clawfix processes that marked themselves as (possible) lock holders. */
function marks(dir: string): number[] {
  try {
    return readdirSync(dir)
      .map((n) => /^repair\.lock\.(\d+)$/.exec(n)?.[1])
      .filter((p): p is string => p !== undefined)
      .map(Number)
      .filter((p) => p !== process.pid);
  } catch {
    return [];
  }
}

/** Dead for sure (ESRCH); EPERM or a reused pid count as alive (the lock then just goes stale). */
function dead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export async function acquireLock(stateDir: string, opts: { force?: boolean } = {}): Promise<Release> {
  const lockfile = (await import('proper-lockfile')).default;
  const dir = clawfixDir(stateDir);
  mkdirOwned(dir, 0o700);
  const target = lockPath(stateDir);
  const mine = `${target}.${process.pid}`;
  const unmark = () => rmSync(mine, { force: true });
  try {
    writeFileSync(mine, '', { mode: 0o600 });
  } catch {
    /* unmarked, a lock left by a kill -9 of this run just goes stale after 30 s */
  }
  if (opts.force) rmSync(target, { recursive: true, force: true });
  // The synchronous form (no retries, so nothing to wait for): a mkdir and a stat, without thread-pool round trips.
  const take = () => lockfile.lockSync(dir, { lockfilePath: target, realpath: false, stale: 30_000, update: 5_000, retries: 0 });
  let release: () => void;
  try {
    try {
      release = take();
    } catch (err) {
      const others = marks(dir);
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || !others.length || !others.every(dead)) throw err;
      // Every clawfix that could hold it is gone (killed with -9 while holding it): take it over.
      rmSync(target, { recursive: true, force: true });
      release = take();
    }
  } catch (err) {
    unmark();
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new ClawfixError(`another clawfix is repairing this OpenClaw state dir (lock ${target} is held)`, {
        hint: 'wait for it to finish; if no clawfix is running, the lock goes stale after 30 s',
        path: target,
      });
    }
    throw new ClawfixError(`could not take the lock ${target}: ${(err as Error).message}`, { path: target });
  }
  // Marks left by killed runs mean nothing once the lock is ours.
  for (const pid of marks(dir)) if (dead(pid)) rmSync(`${target}.${pid}`, { force: true });
  return async () => {
    try {
      release();
    } catch {
      /* already released or compromised: nothing left to do */
    }
    unmark();
  };
}
