/**
 * One clawfix at a time per state dir: the lock is the directory <state>/clawfix/repair.lock, made with
 * mkdir (atomic: one of two racing clawfixes gets EEXIST), its mtime refreshed every 5 s while held, and
 * a lock not refreshed for 30 s is stale and taken over. That is proper-lockfile's protocol, which
 * clawfix used before (loading it cost ~10 ms of every repair): an older clawfix and this one respect
 * each other's locks. A lock left by a killed clawfix (its journal names a dead pid) is taken over by
 * the recovery, never silently.
 *
 * A clawfix can also be killed while it holds the lock with no journal on disk (between taking the
 * lock and writing its first journal entry, or between removing its journal and releasing the lock).
 * So that the next run need not wait 30 s for that lock to go stale, every clawfix that may hold the
 * lock says so first: an empty `repair.lock.<pid>` written before it tries, removed after it released.
 * A held lock whose only such marks name dead processes is taken over; a lock with no mark at all (an
 * unknown holder) or with the mark of a live clawfix is respected.
 */
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
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

/** A held lock not refreshed for this long is stale; a held one is refreshed this often. */
const STALE_MS = 30_000;
const UPDATE_MS = 5_000;

/** mkdir of the lock dir: true if this call made it, false if it exists (held, or stale). */
function tryMkdir(target: string): boolean {
  try {
    mkdirSync(target, { mode: 0o700 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Takes the lock dir, taking over a stale one (not refreshed for STALE_MS) once. false: someone holds it. */
function takeDir(target: string): boolean {
  if (tryMkdir(target)) return true;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(target).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return tryMkdir(target); // released meanwhile
    throw err;
  }
  if (Date.now() - mtimeMs <= STALE_MS) return false;
  rmSync(target, { recursive: true, force: true });
  return tryMkdir(target);
}

/** Holds the taken lock dir: refreshed while held, removed on release or when the process exits. */
function hold(target: string): () => void {
  const refresh = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(target, now, now);
    } catch {
      /* removed under us (a forced takeover): the next clawfix decides; nothing to refresh */
    }
  }, UPDATE_MS).unref();
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    clearInterval(refresh);
    process.removeListener('exit', release);
    rmSync(target, { recursive: true, force: true });
  };
  process.once('exit', release); // a clawfix that exits holding it (an uncaught error) leaves no lock behind
  return release;
}

export async function acquireLock(stateDir: string, opts: { force?: boolean } = {}): Promise<Release> {
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
  let taken: boolean;
  try {
    taken = takeDir(target);
    if (!taken) {
      const others = marks(dir);
      // Every clawfix that could hold it is gone (killed with -9 while holding it): take it over.
      if (others.length && others.every(dead)) {
        rmSync(target, { recursive: true, force: true });
        taken = tryMkdir(target);
      }
    }
  } catch (err) {
    unmark();
    throw new ClawfixError(`could not take the lock ${target}: ${(err as Error).message}`, { path: target });
  }
  if (!taken) {
    unmark();
    throw new ClawfixError(`another clawfix is repairing this OpenClaw state dir (lock ${target} is held)`, {
      hint: 'wait for it to finish; if no clawfix is running, the lock goes stale after 30 s',
      path: target,
    });
  }
  const release = hold(target);
  // Marks left by killed runs mean nothing once the lock is ours.
  for (const pid of marks(dir)) if (dead(pid)) rmSync(`${target}.${pid}`, { force: true });
  return async () => {
    try {
      release();
    } catch {
      /* already gone: nothing left to do */
    }
    unmark();
  };
}
