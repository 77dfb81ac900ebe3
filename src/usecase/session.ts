/**
 * Opening a session: snapshot, finish or undo an interrupted transaction if one is journaled (then
 * snapshot again), detect. One code path for every command that may change something.
 */
import type { GatewayControl } from '../apply/gateway.js';
import { recoverIfNeeded, type RecoveryReport } from '../apply/recover.js';
import { runDetectors } from '../detect/index.js';
import { commandRunner, runVersion } from '../openclaw/exec.js';
import { takeSnapshot } from '../snapshot/index.js';
import type { Finding, Snapshot } from '../types.js';
import type { AppCtx } from './context.js';
import { gatewayFor } from './gateway.js';

export interface Session {
  snapshot: Snapshot;
  findings: Finding[];
  gateway: GatewayControl;
  recovery?: RecoveryReport;
}

/** A snapshot alone (diagnose): its secrets go to the redactor. */
export async function snapshot(app: AppCtx): Promise<Snapshot> {
  const r = await takeSnapshot(app.snapshotOptions, { env: app.env, now: app.now, runVersion, runCommand: commandRunner(app.env) });
  app.learnSecrets(r.secrets);
  return r.snapshot;
}

export async function openSession(app: AppCtx, opts: { dryRun: boolean }): Promise<Session> {
  let s = await snapshot(app);
  let gateway = gatewayFor(app, s);
  const recovery = await recoverIfNeeded(s.stateDir, gateway, { dryRun: opts.dryRun, ...(app.faults ? { faults: app.faults } : {}) });
  if (recovery) {
    for (const m of recovery.messages) app.log(`recovered: ${m}`, 'warn');
    s = await snapshot(app);
    gateway = gatewayFor(app, s);
  }
  return { snapshot: s, findings: runDetectors(s), gateway, ...(recovery ? { recovery } : {}) };
}
