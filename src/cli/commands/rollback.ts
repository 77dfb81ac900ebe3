/**
 * `clawfix rollback [id]`: restore a backup through the same pipeline as a repair: lock, stop the
 * gateway (JSON store), back up the current state (so the rollback can itself be undone), restore,
 * start, verify.
 */
import { exitCodeOf, runPlan } from '../../usecase/repair.js';
import { gatewayCommandsOf, type RestoreReport } from '../../usecase/reports.js';
import { prepareRestore } from '../../usecase/restore.js';
import { openSession } from '../../usecase/session.js';
import { EXIT } from '../../util/errors.js';
import { askRestore } from '../../wizard/questions.js';
import type { Ctx } from '../context.js';
import { renderPlan } from '../render/plan.js';
import { renderRestore } from '../render/restore.js';
import { stepReporter } from '../render/steps.js';

export async function rollback(ctx: Ctx, a: { id?: string; yes: boolean; force?: boolean }): Promise<number> {
  const { out } = ctx;
  const session = await openSession(ctx.app, { dryRun: false });
  const prep = await prepareRestore(ctx.app, session, a.id, !!a.force);
  let report: RestoreReport;
  if (prep.kind === 'same') report = { outcome: 'same', backupId: prep.backupId, exitCode: EXIT.OK };
  else {
    if (!out.json) out.result((await renderPlan(out, prep.plan)) + '\n');
    if (!a.yes && out.interactive && !(await askRestore(await ctx.deps.prompt(), prep.backupId))) {
      report = { outcome: 'cancelled', backupId: prep.backupId, plan: prep.plan, exitCode: EXIT.OK };
    } else {
      const result = await runPlan(ctx.app, session, prep.plan, 'rollback', stepReporter(out, ctx.deps, ctx.deps.env));
      const gatewayCommands = gatewayCommandsOf(session.gateway.describe);
      report = { outcome: result.ok ? 'restored' : 'failed', backupId: prep.backupId, plan: prep.plan, result, gatewayCommands, exitCode: exitCodeOf(prep.plan, result) };
    }
  }
  await renderRestore(out, session.snapshot.stateDir, report);
  return report.exitCode;
}
