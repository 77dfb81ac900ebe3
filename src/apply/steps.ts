/**
 * Turns a Plan into transaction steps, each with its undo. The order of undos matters: `start` is
 * undone by stopping again, so the store is never restored under a running gateway.
 */
import { promises as fs } from 'node:fs';
import { readJsonStore, readRawJson } from '../openclaw/json-store.js';
import { storePaths } from '../openclaw/paths.js';
import { scanLogs } from '../openclaw/logs.js';
import { jsonGuard, planJsonPatch } from '../plan/json-scope.js';
import type { Plan } from '../plan/types.js';
import { ClawfixError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { missingScopes, parseScopeList } from '../util/scopes.js';
import { createBackup, readBackupFile, type BackupManifest } from './backup.js';
import { writeAtomic } from './fs.js';
import type { GatewayControl } from './gateway.js';
import type { Journal } from './journal.js';
import { acquireLock, type Release } from './lock.js';
import type { Step } from './pipeline.js';
import { applyRowChanges, readDeviceRows, readRows, restoreRows } from './sqlite.js';
import { testFault } from './test-hooks.js';
import { pollUntil } from '../util/poll.js';

export interface StepPorts {
  gateway: GatewayControl;
  /** How long a rollback waits for a stop that was already sent to take effect (default 30 s). */
  settleMs?: number;
  now: () => number;
  logFiles: string[];
  log: (msg: string) => void;
}

export interface TxState {
  release?: Release;
  backup?: BackupManifest;
  startMs?: number;
}

async function restoreFilesFromBackup(stateDir: string, m: BackupManifest): Promise<void> {
  for (const f of m.files) {
    let current: Buffer | undefined;
    try {
      current = await fs.readFile(f.path);
    } catch {
      current = undefined;
    }
    if (current && sha256(current) === f.sha256) {
      const st = await fs.stat(f.path);
      if ((st.mode & 0o777) === f.mode) continue;
    }
    const data = await readBackupFile(stateDir, m, f.name);
    if (sha256(data) !== f.sha256) throw new ClawfixError(`backup copy of ${f.path} is damaged; not restoring it`, { path: f.path });
    await writeAtomic(f.path, data, f.mode);
  }
}

export { restoreFilesFromBackup };

export function buildSteps(plan: Plan, journal: Journal, ports: StepPorts, st: TxState): Step[] {
  const g = ports.gateway;
  const wasUp = plan.gatewayWasRunning === true;
  const steps: Step[] = [];
  const names = plan.steps.map((s) => s.name);
  const title = (n: string) => plan.steps.find((s) => s.name === n)?.title ?? n;

  for (const name of names) {
    switch (name) {
      case 'lock':
        steps.push({
          name,
          title: title(name),
          run: async () => {
            st.release = await acquireLock(plan.stateDir);
          },
          // No undo: executePlan releases the lock after the transaction, once its journal is settled
          // (releasing it first would let another clawfix in before this one removed its journal).
        });
        break;
      case 'stop':
        steps.push({
          name,
          title: title(name),
          run: async (signal) => {
            if ((await g.isUp()) !== false) await g.stop(signal);
          },
          undo: async () => {
            if (!wasUp) return;
            if ((await g.isUp()) === true) {
              // A stop that reached the gateway may still be taking effect: let it settle, then start.
              const settling = g.stopIssued() && (await pollUntil(async () => (await g.isUp()) === false, { timeoutMs: ports.settleMs ?? 30_000 }));
              if (!settling) {
                await g.forgetForeground(); // the original gateway is still serving: never relaunch a copy
                return;
              }
            }
            await g.start();
          },
        });
        break;
      case 'guard':
        steps.push({
          name,
          title: title(name),
          run: async () => {
            if (plan.kind === 'config-edit') {
              // edit-config: the file must still hold what the user opened in the editor (checked with the gateway stopped).
              for (const f of plan.files) {
                const now = await fs.readFile(f.path).catch(() => undefined);
                if (!now || sha256(now) !== f.beforeSha) {
                  throw new ClawfixError(`${f.path} was changed by someone else while you were editing it`, { hint: 'nothing was written; run clawfix edit-config again', path: f.path });
                }
              }
              return;
            }
            if (plan.kind !== 'json-scope-upgrade' || !plan.deviceId) return;
            const p = storePaths(plan.stateDir);
            const [paired, pending, deviceAuth] = await Promise.all([readRawJson(p.paired), readRawJson(p.pending), readRawJson(p.deviceAuth)]);
            const inputs = { paired, pending, deviceAuth };
            const same = plan.files.every((f) => [paired, pending, deviceAuth].some((r) => r.path === f.path && r.text === f.before));
            if (same) return;
            // Something wrote the store after the plan (the running gateway records last-seen times).
            const fresh = planJsonPatch(inputs, plan.deviceId, plan.grant);
            if (plan.guard !== undefined && plan.guard !== jsonGuard(inputs, plan.deviceId, 'operator')) {
              throw new ClawfixError(
                `the store changed since the plan was made: device ${plan.deviceId}'s scopes, token or pending requests are different now (someone else edited it)`,
                { hint: 'nothing was written; run clawfix again to plan against the current state', path: p.paired },
              );
            }
            plan.files = fresh.files;
            ports.log('the gateway updated the store after planning (unrelated fields); the patch was re-applied to the current contents');
          },
        });
        break;
      case 'backup':
        steps.push({
          name,
          title: title(name),
          run: async () => {
            const rows = plan.sqlite ? { db: plan.sqlite.db, images: await readRows(plan.sqlite.db, plan.sqlite.preImage) } : undefined;
            st.backup = await createBackup({
              stateDir: plan.stateDir,
              id: plan.id,
              reason: plan.title,
              nowMs: ports.now(),
              files: plan.files.map((f) => f.path),
              ...(rows ? { rows } : {}),
            });
            journal.backupId = st.backup.id;
          },
        });
        break;
      case 'patch':
      case 'restore':
        steps.push({
          name,
          title: title(name),
          journaled: true, // recovery finishes a repair whose patch is done, and restores the backup otherwise
          run: async () => {
            journal.expected = plan.files.map((f) => ({ path: f.path, sha256: f.afterSha }));
            for (const f of plan.files) await writeAtomic(f.path, f.after, f.mode);
            if (plan.sqlite && plan.rows.length) await applyRowChanges(plan.sqlite.db, plan.rows);
            // Read back before the gateway is started again (a running gateway may rewrite these files).
            await checkWritten(plan);
          },
          undo: async () => {
            if (!st.backup) return;
            await restoreFilesFromBackup(plan.stateDir, st.backup);
            if (st.backup.rows) await restoreRows(st.backup.rows.db, st.backup.rows.images);
          },
        });
        break;
      case 'approve':
        steps.push({
          name,
          title: title(name),
          journaled: true,
          run: async (signal) => {
            const id = plan.requestId!;
            let approved = false;
            try {
              // Approved directly, without a `devices list` first (that is one more OpenClaw CLI run:
              // 1.4–4.5 s on 2026.9.6): a request that is no longer pending (expired, superseded) makes
              // the approval fail, and that lands in the same fallback as any other refusal.
              await g.approve(id, signal);
              approved = true;
            } catch (err) {
              if (signal?.aborted) throw err;
              ports.log(`OpenClaw's approval did not go through (${(err as Error).message}); widening the rows directly instead`);
            }
            if (!approved && plan.sqlite) await applyRowChanges(plan.sqlite.db, plan.rows);
          },
          undo: async () => {
            if (st.backup?.rows) await restoreRows(st.backup.rows.db, st.backup.rows.images);
          },
        });
        break;
      case 'start':
        steps.push({
          name,
          title: title(name),
          run: async (signal) => {
            st.startMs = ports.now();
            if ((await g.isUp()) !== true) await g.start(signal);
          },
          undo: async () => {
            // Stop again so the store is restored with the gateway down; `stop`'s undo brings it back.
            if ((await g.isUp()) !== false) await g.stop();
          },
        });
        break;
      case 'verify':
        steps.push({
          name,
          title: title(name),
          run: async () => {
            testFault('verify', plan.stateDir);
            await verify(plan, ports, st);
          },
        });
        break;
      default:
        throw new Error(`unknown step ${name}`);
    }
  }
  return steps;
}

async function checkWritten(plan: Plan): Promise<void> {
  for (const f of plan.files) {
    const now = await fs.readFile(f.path);
    if (sha256(now) !== f.afterSha) throw new ClawfixError(`${f.path} does not read back as written`, { path: f.path });
    const mode = (await fs.stat(f.path)).mode & 0o777;
    if (mode !== f.mode) throw new ClawfixError(`${f.path} has mode ${mode.toString(8)} after writing, expected ${f.mode.toString(8)}`, { path: f.path });
  }
}

/** After the gateway is back: it answers, and the store (by meaning, not bytes) shows the repair. */
async function verify(plan: Plan, ports: StepPorts, st: TxState): Promise<void> {
  const g = ports.gateway;
  // A restart plan must leave the gateway up; every other plan leaves it as it was found.
  const expectUp = plan.kind === 'restart' || plan.gatewayWasRunning === true;
  // Polled, not probed once: a real gateway is busy for a moment right after /healthz first answers
  // (2026.9.x starts its channels and sidecars then), and one 800 ms probe can time out.
  if (expectUp && !(await pollUntil(async () => (await g.isUp()) === true, { timeoutMs: 15_000 }))) {
    throw new ClawfixError('verification failed: the gateway does not answer after the repair');
  }
  if (plan.deviceId && plan.grant.length && (plan.kind === 'json-scope-upgrade' || plan.kind.startsWith('sqlite'))) {
    let approved: string[] = [];
    if (plan.store === 'json') {
      const r = await readJsonStore(plan.stateDir);
      const d = r.snapshot.paired.find((x) => x.deviceId === plan.deviceId);
      approved = d?.approvedScopes ?? d?.scopes ?? [];
    } else if (plan.sqlite) {
      const rows = await readDeviceRows(plan.sqlite.db, plan.deviceId);
      const raw = rows.paired?.approved_scopes_json ?? rows.paired?.scopes_json;
      approved = typeof raw === 'string' ? (JSON.parse(raw) as string[]) : [];
    }
    const still = missingScopes(plan.grant, approved);
    if (still.length) throw new ClawfixError(`verification failed: the store does not show ${still.join(', ')} for ${plan.deviceId} after the repair`);
    if (st.startMs !== undefined && ports.logFiles.length) {
      // A refusal after the restart is a failure only if the gateway still judged the device by the old
      // scopes (its audit line's scopesFrom lacks what was granted). A refusal for a scope the user held
      // back (operator.admin) is expected and reported by the summary instead.
      const scan = await scanLogs(ports.logFiles, { fromMs: st.startMs });
      const AUDIT = /reason=(scope|role)-upgrade device=(\S+) .*?scopesFrom=(\S+)/;
      for (const e of scan.events) {
        if (e.timeMs < st.startMs) continue;
        const m = AUDIT.exec(e.text);
        if (!m || m[2] !== plan.deviceId) continue;
        if (m[1] === 'role') throw new ClawfixError(`verification failed: after the restart the gateway refused ${plan.deviceId} as a role upgrade (no active operator token)`);
        const seen = parseScopeList(m[3]!);
        if (missingScopes(plan.grant, seen).length) {
          throw new ClawfixError(`verification failed: after the restart the gateway still judged ${plan.deviceId} by ${seen.join(', ') || '(no scopes)'} and refused it`);
        }
      }
    }
  }
}
