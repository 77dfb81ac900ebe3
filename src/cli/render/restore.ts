/**
 * `clawfix rollback` output. JSON (one document): { ok, restored, outcome, plan, applied, backup,
 * rolledBack, rebased, error?, exitCode } — `backup` is the backup of the state just before the rollback.
 */
import type { RestoreReport } from '../../usecase/reports.js';
import type { Out } from '../io.js';
import { planJson } from './plan.js';
import { renderTransaction, transactionJson } from './transaction.js';

export async function renderRestore(out: Out, stateDir: string, r: RestoreReport): Promise<void> {
  if (out.json) {
    out.writeJson({
      ok: r.result ? r.result.ok : r.exitCode === 0,
      restored: r.backupId,
      outcome: r.outcome,
      plan: r.plan ? await planJson(out, r.plan) : null,
      ...transactionJson(stateDir, r.result),
      exitCode: r.exitCode,
    });
    return;
  }
  if (r.outcome === 'same') out.result(`Backup ${r.backupId} matches the current state: nothing to restore.`);
  else if (r.outcome === 'cancelled') out.result('Nothing was changed.');
  else renderTransaction(out, r.plan!, r.result!, 'rollback', r.gatewayCommands);
}
