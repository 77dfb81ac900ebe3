/**
 * Writing a plan's changes (shared by `patch` and `restore`): every file atomically with its mode, the
 * rows in one SQLite transaction, each file read back before the gateway starts again. Undone by
 * putting the backup back.
 */
import { promises as fs } from 'node:fs';
import type { Plan } from '../../plan/types.js';
import { ClawfixError } from '../../util/errors.js';
import { recordAfter, restoreFilesFromBackup } from '../backup.js';
import { lineColumn } from '../../openclaw/json-format.js';
import { firstJsonError } from '../../openclaw/json-scan.js';
import { hashFile, writeAtomic } from '../fs.js';
import { applyRowChanges, readRows, restoreRows } from '../sqlite.js';
import type { Tx } from './types.js';

export async function writeChanges(tx: Tx): Promise<void> {
  const plan = tx.plan;
  tx.journal.expected = plan.files.map((f) => ({ path: f.path, sha256: f.afterSha }));
  // The user's files one after another: a failure stops before the next is touched (the backup copies
  // and after-images, clawfix's own files, are written at once).
  for (const f of plan.files) await writeAtomic(f.path, f.after, f.mode, tx.ports.faults);
  if (plan.sqlite && plan.rows.length) await applyRowChanges(plan.sqlite.db, plan.rows, tx.ports.faults);
  // Read back before the gateway is started again (a running gateway may rewrite these files).
  await checkWritten(plan);
  await recordAfterState(tx);
}

/** What this transaction wrote, beside its backup, so that a rollback can undo just that. */
export async function recordAfterState(tx: Tx): Promise<void> {
  if (!tx.backup) return;
  const plan = tx.plan;
  const rows = plan.sqlite ? await readRows(plan.sqlite.db, plan.sqlite.preImage) : undefined;
  tx.backup = await recordAfter(plan.stateDir, tx.backup, plan.files, rows, tx.ports.faults);
}

export async function undoWrite(tx: Tx): Promise<void> {
  if (!tx.backup) return;
  await restoreFilesFromBackup(tx.plan.stateDir, tx.backup, tx.ports.faults);
  if (tx.backup.rows) await restoreRows(tx.backup.rows.db, tx.backup.rows.images, tx.ports.faults);
}

async function checkWritten(plan: Plan): Promise<void> {
  for (const f of plan.files) {
    // read back in chunks (a 20 MB store is not held twice)
    if ((await hashFile(f.path)).sha256 !== f.afterSha) throw new ClawfixError(`${f.path} does not read back as written`, { path: f.path });
    // What OpenClaw can read is what counts: its JSON state is read with JSON.parse(buf.toString('utf8')).
    // The file holds `after`'s bytes (same hash), and JSON.parse accepts them exactly when they have no
    // byte-order mark and clawfix's validating scan accepts `after`: checked so, without building the
    // tree of a 20 MB file. (A rollback puts back exactly the bytes the user had, readable or not.)
    if (plan.kind !== 'restore-files' && /\/(devices|identity)\/[^/]+\.json$/.test(f.path)) {
      const at = f.after.charCodeAt(0) === 0xfeff ? 0 : firstJsonError(f.after);
      if (at !== undefined) throw new ClawfixError(`${f.path} was written but OpenClaw could not read it (not JSON from ${lineColumn(f.after, at)})`, { path: f.path });
    }
    const mode = (await fs.stat(f.path)).mode & 0o777;
    if (mode !== f.mode) throw new ClawfixError(`${f.path} has mode ${mode.toString(8)} after writing, expected ${f.mode.toString(8)}`, { path: f.path });
  }
}
