/**
 * approve: OpenClaw's own `openclaw devices approve <exact requestId>` (it re-issues the token). If the
 * request is gone (ids expire after 5 minutes) or the approval is refused, the same
 * rows are widened in one SQLite transaction instead. Undone by restoring the rows' pre-image.
 */
import { restoreRows, applyRowChanges } from '../sqlite.js';
import type { StepDef } from './types.js';
import { recordAfterState } from './write.js';

export const approve: StepDef = {
  name: 'approve',
  journaled: true, // recovery finishes a repair whose store change is done, and restores the backup otherwise
  title: () => 'Approve the exact pending request',
  async run(tx, signal) {
    const plan = tx.plan;
    if (plan.kind !== 'sqlite-approve') throw new Error(`approve step in a ${plan.kind} plan`);
    const g = tx.ports.gateway;
    const id = plan.scope.requestId;
    let approved = false;
    try {
      // Approved directly, without a `devices list` first (that is one more OpenClaw CLI run:
      // 1.4–4.5 s on 2026.9.6): a request that is no longer pending (expired, superseded) makes
      // the approval fail, and that lands in the same fallback as any other refusal.
      await g.approve(id, signal);
      approved = true;
    } catch (err) {
      if (signal?.aborted) throw err;
      tx.ports.log(`OpenClaw's approval did not go through (${(err as Error).message}); widening the rows directly instead`);
    }
    if (!approved) await applyRowChanges(plan.sqlite.db, plan.rows, tx.ports.faults);
    await recordAfterState(tx);
  },
  async undo(tx) {
    if (tx.backup?.rows) await restoreRows(tx.backup.rows.db, tx.backup.rows.images, tx.ports.faults);
  },
};
