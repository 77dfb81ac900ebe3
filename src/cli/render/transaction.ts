/** The human summary of a finished transaction (repair, rollback), shared by both. */
import type { ExecuteResult } from '../../apply/execute.js';
import { scopeOf, type Plan } from '../../plan/types.js';
import { ClawfixError } from '../../util/errors.js';
import type { GatewayCommands } from '../../usecase/reports.js';
import type { Out } from '../io.js';
import { heldBack } from './plan.js';

const OPENCLAW_COMMANDS: GatewayCommands = { stop: 'openclaw gateway stop', start: 'openclaw gateway start' };

export function renderTransaction(out: Out, plan: Plan, res: ExecuteResult, what: 'repair' | 'rollback', cmds: GatewayCommands = OPENCLAW_COMMANDS): void {
  const c = out.colors;
  if (res.ok) {
    out.result(c.green(`✔ ${what === 'repair' ? 'Repaired' : 'Rolled back'}: ${plan.title}`));
    if (res.backupId) out.result(`  backup ${res.backupId} — undo with: clawfix rollback ${res.backupId}`);
    if (res.rebased) out.result(c.dim('  re-based onto the current file: same change'));
    for (const n of res.ran.notes) out.result(`  ${n}`);
    const withheld = scopeOf(plan)?.withheld ?? [];
    if (withheld.length) out.result(c.yellow(`  held back: ${heldBack(withheld)}`));
    return;
  }
  out.error(`✖ ${what} failed: ${res.error?.message ?? 'unknown error'}`);
  const hint = hintOf(res.error);
  if (hint) out.error(`  → ${hint}`);
  if (res.rollbackErrors.length) {
    out.error('The rollback did not complete. To finish it by hand:');
    if (res.backupId) {
      out.error(
        `  1. ${cmds.stop}\n  2. clawfix rollback ${res.backupId} --yes   (or copy the files from ${plan.stateDir}/clawfix/backups/${res.backupId}/ back, same mode and owner)\n  3. ${cmds.start}`,
      );
    } else out.error(`  nothing had been written yet; make sure the gateway runs: ${cmds.start}`);
    for (const e of res.rollbackErrors) out.error(`  (${e.step}: ${e.error.message})`);
  } else {
    out.info(c.yellow(`Everything was rolled back: the store is as it was${plan.gatewayWasRunning ? ' and the gateway is running' : ''}.`));
  }
}

/** The next step a typed error carries (e.g. who holds the port of a gateway that will not stop). */
function hintOf(err: Error | undefined): string | undefined {
  return err instanceof ClawfixError ? err.hint : undefined;
}

/** The transaction fields of a command's JSON document. */
export function transactionJson(stateDir: string, res: ExecuteResult | undefined) {
  return {
    applied: res?.applied ?? [],
    backup: res?.backupId ? { id: res.backupId, path: `${stateDir}/clawfix/backups/${res.backupId}` } : null,
    rolledBack: res?.rolledBack ?? false,
    rebased: res?.rebased ?? false,
    ...(res?.error ? { error: res.error.message } : {}),
    ...(hintOf(res?.error) ? { hint: hintOf(res?.error) } : {}),
  };
}
