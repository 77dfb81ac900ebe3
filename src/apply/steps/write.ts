/**
 * Writing a plan's changes (shared by `patch` and `restore`): every file atomically with its mode, the
 * rows in one SQLite transaction, each file read back before the gateway starts again. Undone by
 * putting the backup back.
 */
import { promises as fs } from 'node:fs';
import type { Plan } from '../../plan/types.js';
import { ClawfixError } from '../../util/errors.js';
import { sha256 } from '../../util/hash.js';
import { restoreFilesFromBackup } from '../backup.js';
import { writeAtomic } from '../fs.js';
import { applyRowChanges, restoreRows } from '../sqlite.js';
import type { Tx } from './types.js';

export async function writeChanges(tx: Tx): Promise<void> {
  const plan = tx.plan;
  tx.journal.expected = plan.files.map((f) => ({ path: f.path, sha256: f.afterSha }));
  for (const f of plan.files) await writeAtomic(f.path, f.after, f.mode, tx.ports.faults);
  if (plan.sqlite && plan.rows.length) await applyRowChanges(plan.sqlite.db, plan.rows, tx.ports.faults);
  // Read back before the gateway is started again (a running gateway may rewrite these files).
  await checkWritten(plan);
}

export async function undoWrite(tx: Tx): Promise<void> {
  if (!tx.backup) return;
  await restoreFilesFromBackup(tx.plan.stateDir, tx.backup, tx.ports.faults);
  if (tx.backup.rows) await restoreRows(tx.backup.rows.db, tx.backup.rows.images, tx.ports.faults);
}

async function checkWritten(plan: Plan): Promise<void> {
  for (const f of plan.files) {
    const now = await fs.readFile(f.path);
    if (sha256(now) !== f.afterSha) throw new ClawfixError(`${f.path} does not read back as written`, { path: f.path });
    const mode = (await fs.stat(f.path)).mode & 0o777;
    if (mode !== f.mode) throw new ClawfixError(`${f.path} has mode ${mode.toString(8)} after writing, expected ${f.mode.toString(8)}`, { path: f.path });
  }
}
