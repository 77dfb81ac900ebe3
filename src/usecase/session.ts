/**
 * Opening a session: snapshot, finish or undo an interrupted transaction if one is journaled (then
 * snapshot again), detect. One code path for every command that may change something.
 */
import type { GatewayControl } from '../apply/gateway.js';
import { recoverIfNeeded, type RecoveryReport } from '../apply/recover.js';
import { runDetectors } from '../detect/index.js';
import { commandRunner, runVersion } from '../openclaw/exec.js';
import type { JsonInputs } from '../openclaw/json-store.js';
import { takeSnapshot, type SnapshotRead } from '../snapshot/index.js';
import type { Finding, Snapshot } from '../types.js';
import type { AppCtx } from './context.js';
import { gatewayFor } from './gateway.js';

export interface Session {
  snapshot: Snapshot;
  findings: Finding[];
  gateway: GatewayControl;
  recovery?: RecoveryReport;
  /** JSON era: the store files the snapshot read; planning reuses them while they are unchanged on disk. */
  raw?: Partial<JsonInputs>;
}

async function read(app: AppCtx): Promise<SnapshotRead> {
  const r = await takeSnapshot(app.snapshotOptions, { env: app.env, now: app.now, runVersion, runCommand: commandRunner(app.env) });
  app.learnSecrets(r.secrets);
  return r;
}

/** A snapshot alone (diagnose): its secrets go to the redactor. */
export async function snapshot(app: AppCtx): Promise<Snapshot> {
  return (await read(app)).snapshot;
}

export async function openSession(app: AppCtx, opts: { dryRun: boolean }): Promise<Session> {
  let r = await read(app);
  let gateway = gatewayFor(app, r.snapshot);
  const recovery = await recoverIfNeeded(r.snapshot.stateDir, gateway, { dryRun: opts.dryRun, ...(app.faults ? { faults: app.faults } : {}) });
  if (recovery) {
    for (const m of recovery.messages) app.log(`recovered: ${m}`, 'warn');
    r = await read(app);
    gateway = gatewayFor(app, r.snapshot);
  }
  const s = r.snapshot;
  return { snapshot: s, findings: runDetectors(s), gateway, ...(recovery ? { recovery } : {}), ...(r.raw ? { raw: r.raw } : {}) };
}
