/**
 * approve: OpenClaw's own `openclaw devices approve <exact requestId>` (it re-issues the token), after
 * re-listing the requests (ids expire). If the request is gone or the approval is refused, the same
 * rows are widened in one SQLite transaction instead. Undone by restoring the rows' pre-image.
 */
import { restoreRows, applyRowChanges } from '../sqlite.js';
import type { StepDef } from './types.js';
import { recordAfterState } from './write.js';

export const approve: StepDef = {
  name: 'approve',
  title: () => 'Approve the exact pending request',
  async run(tx, signal) {
    const plan = tx.plan;
    if (plan.kind !== 'sqlite-approve') throw new Error(`approve step in a ${plan.kind} plan`);
    const g = tx.ports.gateway;
    const id = plan.scope.requestId;
    let approved = false;
    try {
      const pending = await g.listPending(signal);
      if (pending.some((p) => p.requestId === id)) {
        await g.approve(id, signal);
        approved = true;
      } else {
        tx.ports.log(`request ${id} is no longer pending; widening the rows directly instead`);
      }
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
