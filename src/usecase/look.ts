/** A snapshot alone, for `diagnose`: nothing of the repair side is loaded. Its secrets go to the redactor. */
import { commandRunner, runVersion } from '../openclaw/exec.js';
import { takeSnapshot } from '../snapshot/index.js';
import type { Snapshot } from '../types.js';
import type { AppCtx } from './context.js';

export async function snapshot(app: AppCtx): Promise<Snapshot> {
  const r = await takeSnapshot(app.snapshotOptions, { env: app.env, now: app.now, runVersion, runCommand: commandRunner(app.env) });
  app.learnSecrets(r.secrets);
  return r.snapshot;
}
