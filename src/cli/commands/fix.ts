/**
 * `clawfix fix`: the repair flow (usecase/repair-flow.ts) without questions (--yes, --dry-run) or with
 * the wizard's (a terminal without --yes), rendered once. --dry-run shows the very plan --yes runs.
 */
import { openSession, type Session } from '../../usecase/session.js';
import type { RepairArgs } from '../../usecase/repair-flow.js';
import { repairFlow } from '../../usecase/repair-flow.js';
import { repairQuestions } from '../../wizard/questions.js';
import type { Ctx } from '../context.js';
import { renderRepair, repairShow } from '../render/repair.js';
import { stepReporter } from '../render/steps.js';

export interface FixArgs extends RepairArgs {
  yes: boolean;
}

export async function fix(ctx: Ctx, args: FixArgs, opened?: Session): Promise<number> {
  const session = opened ?? (await openSession(ctx.app, { dryRun: args.dryRun }));
  const interactive = !args.yes && !args.dryRun && ctx.out.interactive;
  const show = repairShow(ctx.out);
  const report = await repairFlow(ctx.app, session, args, {
    ...(interactive ? { ask: repairQuestions(await ctx.deps.prompt(), ctx.out) } : {}),
    ...(show ? { show } : {}),
    onStep: stepReporter(ctx.out, ctx.deps, ctx.deps.env),
  });
  await renderRepair(ctx.out, report);
  return report.exitCode;
}
