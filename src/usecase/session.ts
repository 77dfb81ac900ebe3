/**
 * Opening a session: snapshot, finish or undo an interrupted transaction if one is journaled (then
 * snapshot again), detect. One code path for every command that may change something.
 */
import type { GatewayControl } from '../apply/gateway.js';
import { recoverIfNeeded, type RecoveryReport } from '../apply/recover.js';
import { runDetectors } from '../detect/index.js';
import type { Finding, Snapshot } from '../types.js';
import type { AppCtx } from './context.js';
import { gatewayFor } from './gateway.js';
import { snapshot } from './look.js';

export interface Session {
  snapshot: Snapshot;
  findings: Finding[];
  gateway: GatewayControl;
  recovery?: RecoveryReport;
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
