/**
 * verify: what the plan's `verify` spec asks for, once the gateway is back: it answers (polled: a real
 * gateway is busy for a moment right after /healthz first answers), the store (by meaning, not bytes)
 * shows the granted scopes, and the gateway's log shows no refusal of the device by its old scopes
 * since the restart. A refusal for a scope the user held back (operator.admin) is expected and
 * reported by the summary instead.
 */
import { readJsonStore } from '../../openclaw/json-store.js';
import { scanLogs } from '../../openclaw/logs.js';
import type { Plan } from '../../plan/types.js';
import { ClawfixError } from '../../util/errors.js';
import { pollUntil } from '../../util/poll.js';
import { missingScopes, parseScopeList, scopeSatisfied } from '../../util/scopes.js';
import { readDeviceRows } from '../sqlite.js';
import type { StepDef, Tx } from './types.js';

const AUDIT = /reason=(scope|role)-upgrade device=(\S+) .*?scopesFrom=(\S+)/;

async function approvedInStore(plan: Plan, deviceId: string): Promise<string[]> {
  if (plan.store === 'json') {
    // paired.json alone: a 20 MB pending.json has no say in what is approved
    const d = (await readJsonStore(plan.stateDir, { pending: false })).snapshot.paired.find((x) => x.deviceId === deviceId);
    return d?.approvedScopes ?? d?.scopes ?? [];
  }
  if (!plan.sqlite) return [];
  const rows = await readDeviceRows(plan.sqlite.db, deviceId);
  const raw = rows.paired?.approved_scopes_json ?? rows.paired?.scopes_json;
  return typeof raw === 'string' ? (JSON.parse(raw) as string[]) : [];
}

async function noNewRefusal(tx: Tx, deviceId: string, grant: readonly string[]): Promise<void> {
  const since = tx.startMs;
  if (since === undefined || !tx.ports.logFiles.length) return;
  const scan = await scanLogs(tx.ports.logFiles, { fromMs: since });
  for (const e of scan.events) {
    if (e.timeMs < since) continue;
    const m = AUDIT.exec(e.text);
    if (!m || m[2] !== deviceId) continue;
    if (m[1] === 'role') throw new ClawfixError(`verification failed: after the restart the gateway refused ${deviceId} as a role upgrade (no active operator token)`);
    const seen = parseScopeList(m[3]!);
    if (missingScopes(grant, seen).length) {
      throw new ClawfixError(`verification failed: after the restart the gateway still judged ${deviceId} by ${seen.join(', ') || '(no scopes)'} and refused it`);
    }
  }
}

export const verify: StepDef = {
  name: 'verify',
  title: (plan) => (plan.kind === 'config-edit' ? 'Verify the gateway answers' : 'Verify'),
  async run(tx) {
    const plan = tx.plan;
    tx.ports.faults?.fault('verify', plan.stateDir);
    const g = tx.ports.gateway;
    const expectUp = plan.verify.gateway === 'up' || plan.gatewayWasRunning === true;
    if (expectUp && !(await pollUntil(async () => (await g.isUp()) === true, { timeoutMs: 15_000 }))) {
      throw new ClawfixError('verification failed: the gateway does not answer after the repair');
    }
    const want = plan.verify.scopes;
    if (want) {
      const still = missingScopes(want.grant, await approvedInStore(plan, want.deviceId));
      if (still.length) throw new ClawfixError(`verification failed: the store does not show ${still.join(', ')} for ${want.deviceId} after the repair`);
    }
    const spawn = plan.verify.spawn;
    if (spawn) {
      const approved = new Set(await approvedInStore(plan, spawn.deviceId));
      const blocked = spawn.calls.filter((c) => !scopeSatisfied(c.scope, approved, spawn.rules));
      if (blocked.length) throw new ClawfixError(`verification failed: a sub-agent spawn's ${blocked.map((c) => `${c.call} (${c.scope})`).join(' and ')} would still be refused after the repair`);
    }
    const quiet = plan.verify.noNewRefusal;
    if (quiet) await noNewRefusal(tx, quiet.deviceId, quiet.grant);
  },
};
