/**
 * `clawfix fix` output. Human: the cause and the plan as they happen (`repairShow`), then the outcome,
 * the summary and the advice that keeps it from coming back. JSON (one document, always this shape):
 * { ok, dryRun, outcome, openclaw, findings, plan, rebased, applied, backup, rolledBack, withheld, error?, exitCode }.
 */
import { problems, roleOf } from '../../detect/index.js';
import { scopeOf } from '../../plan/types.js';
import type { RepairShow } from '../../usecase/repair-flow.js';
import type { RepairReport } from '../../usecase/reports.js';
import type { Out } from '../io.js';
import { installJson, renderFinding, renderFindings } from './findings.js';
import { heldBack, planJson, renderPlan } from './plan.js';
import { renderTransaction, transactionJson } from './transaction.js';

export function repairShow(out: Out): RepairShow | undefined {
  if (out.json) return undefined;
  return {
    cause: (f) => out.result(renderFinding(f, out, 1).join('\n') + '\n'),
    plan: async (p) => {
      out.result(await renderPlan(out, p));
      out.result('');
    },
  };
}

function renderOutcome(out: Out, r: RepairReport): void {
  const c = out.colors;
  if (r.message) return out.result(r.message);
  switch (r.outcome) {
    case 'nothing-to-repair': {
      const bad = problems(r.findings);
      if (!bad.length) return out.result(c.green('✔ Nothing to repair: no pairing problems found.'));
      out.result('Nothing clawfix can repair automatically. What it found:\n');
      for (const block of renderFindings(bad, out)) out.result(block.join('\n') + '\n');
      return;
    }
    case 'nothing-to-grant': {
      const t = r.target!;
      if (t.deferred?.length) return out.result(spawnHeldBack(t));
      return out.result(t.withheld.length ? `Nothing to grant: what is missing was held back: ${heldBack(t.withheld)}.` : `Device ${t.deviceId} already holds ${t.requested.join(', ')}; nothing to grant.`);
    }
    case 'planned':
      return out.result(c.dim('Dry run: nothing was changed. Apply with `clawfix fix --yes`.'));
    case 'cancelled':
      return out.result('Nothing was changed.');
    default:
      renderTransaction(out, r.plan!, r.result!, 'repair', r.gatewayCommands);
      renderAdvice(out, r);
  }
}

/** A spawn that needs operator.admin, without consent: nothing was granted, and why. */
function spawnHeldBack(t: NonNullable<RepairReport['target']>): string {
  const calls = (t.spawn ?? []).map((c) => `${c.scope} (${c.call})`).join(' and ');
  return (
    `Nothing was granted: a sub-agent spawn needs ${calls}, and granting ${t.deferred!.join(', ')} alone would not let it run. ` +
    'Rerun with --allow-admin (or confirm operator.admin in the wizard) to grant all of it in one repair.'
  );
}

function renderAdvice(out: Out, r: RepairReport): void {
  const advice = r.findings.filter((f) => roleOf(f.id) === 'advice');
  if (!advice.length) return;
  out.result(out.colors.bold('\nTo keep this from happening again:'));
  for (const f of advice) out.result(`  • ${f.title}\n    ${f.suggestedFix.description}${f.suggestedFix.command ? `: ${f.suggestedFix.command}` : ''}`);
}

export async function renderRepair(out: Out, r: RepairReport): Promise<void> {
  if (!out.json) return renderOutcome(out, r);
  const plan = r.result?.ran ?? r.plan;
  out.writeJson({
    // A transaction's own success (a repair that held operator.admin back is ok, with exit 1); else: nothing wrong.
    ok: r.result ? r.result.ok : r.exitCode === 0,
    dryRun: r.dryRun,
    outcome: r.outcome,
    openclaw: installJson(r.snapshot),
    findings: r.findings,
    plan: plan ? await planJson(out, plan) : null,
    ...transactionJson(r.snapshot.stateDir, r.result),
    withheld: (plan ? scopeOf(plan)?.withheld : r.target?.withheld) ?? [],
    ...(r.target?.deferred?.length ? { deferred: r.target.deferred } : {}),
    exitCode: r.exitCode,
  });
}
