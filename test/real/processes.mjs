/**
 * Ending the gateways a run started — only those: by the pids the service wrapper recorded, and only
 * when /proc shows the process still carries this service dir's marker in its environment (a recycled
 * pid is left alone), plus every process carrying that marker (the gateway's helpers: 9.x's spawn
 * broker, sqlite workers). SIGTERM, then SIGKILL after a grace period.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Alive and not a zombie (exited, not yet reaped by its parent). */
export function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    return !/^\S+ \S+ Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/\(.*\)/, 'x'));
  } catch {
    return false;
  }
}

function ours(pid, svcDir) {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`CLAWFIX_E2E_SERVICE_DIR=${svcDir}`);
  } catch {
    return false;
  }
}

export function recordedPids(svcDir) {
  try {
    return [...new Set(fs.readFileSync(path.join(svcDir, 'pids.log'), 'utf8').split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0))];
  } catch {
    return [];
  }
}

/**
 * The live processes of this service dir: the recorded gateway pids, plus (Linux) every process whose
 * environment carries the marker — the gateway's children and a CLI call the wrapper passed through.
 */
export function livePids(svcDir) {
  const found = new Set(recordedPids(svcDir).filter((pid) => alive(pid) && ours(pid, svcDir)));
  let entries = [];
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    /* no /proc */
  }
  for (const d of entries) {
    const pid = Number(d);
    if (pid !== process.pid && alive(pid) && ours(pid, svcDir)) found.add(pid);
  }
  return [...found];
}

/** Synchronous variant for process 'exit' handlers: SIGKILL at once. */
export function killRecordedSync(svcDir) {
  const killed = [];
  for (const pid of livePids(svcDir)) {
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      /* gone */
    }
  }
  return killed;
}

/** SIGTERM, then SIGKILL after graceMs. Returns the pids that were still running. */
export async function killRecorded(svcDir, graceMs = 10_000) {
  const targets = livePids(svcDir);
  for (const pid of targets) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + graceMs;
  while (targets.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of targets) {
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  return targets;
}
