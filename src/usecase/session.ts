/**
 * Opening a session: snapshot, finish or undo an interrupted transaction if one is journaled (then
 * snapshot again), detect. One code path for every command that may change something.
 */
import type { GatewayControl } from '../apply/gateway.js';
import { recoverIfNeeded, type RecoveryReport } from '../apply/recover.js';
import { runDetectors } from '../detect/index.js';
import type { JsonInputs } from '../openclaw/json-store.js';
import type { Finding, Snapshot } from '../types.js';
import type { AppCtx } from './context.js';
import { gatewayFor } from './gateway.js';
import { readSnapshot } from './look.js';

export interface Session {
  snapshot: Snapshot;
  findings: Finding[];
  gateway: GatewayControl;
  recovery?: RecoveryReport;
  /** JSON era: the store files the snapshot read; planning reuses them while they are unchanged on disk. */
  raw?: Partial<JsonInputs>;
}


export async function openSession(app: AppCtx, opts: { dryRun: boolean }): Promise<Session> {
  let r = await readSnapshot(app);
  let gateway = gatewayFor(app, r.snapshot);
  const recovery = await recoverIfNeeded(r.snapshot.stateDir, gateway, { dryRun: opts.dryRun, ...(app.faults ? { faults: app.faults } : {}) });
  if (recovery) {
    for (const m of recovery.messages) app.log(`recovered: ${m}`, 'warn');
    r = await readSnapshot(app);
    gateway = gatewayFor(app, r.snapshot);
  }
  const s = r.snapshot;
  return { snapshot: s, findings: runDetectors(s), gateway, ...(recovery ? { recovery } : {}), ...(r.raw ? { raw: r.raw } : {}) };
}
