/** A snapshot alone, for `diagnose`: nothing of the repair side is loaded. Its secrets go to the redactor. */
import { commandRunner, runVersion } from '../openclaw/exec.js';
import { takeSnapshot, type SnapshotRead } from '../snapshot/index.js';
import type { Snapshot } from '../types.js';
import type { AppCtx } from './context.js';

/** The snapshot with what it read (the JSON store files, reused by planning while unchanged on disk). */
export async function readSnapshot(app: AppCtx): Promise<SnapshotRead> {
  const r = await takeSnapshot(app.snapshotOptions, { env: app.env, now: app.now, runVersion, runCommand: commandRunner(app.env) });
  app.learnSecrets(r.secrets);
  return r;
}

export async function snapshot(app: AppCtx): Promise<Snapshot> {
  return (await readSnapshot(app)).snapshot;
}
