/** `clawfix diagnose`: one snapshot, every detector, findings with evidence. Exit 0 none, 1 problems. */
import { problems, runDetectors } from '../../detect/index.js';
import { snapshot } from '../../usecase/look.js';
import type { DiagnoseReport } from '../../usecase/reports.js';
import { EXIT } from '../../util/errors.js';
import type { Ctx } from '../context.js';
import { renderDiagnose } from '../render/diagnose.js';

export async function diagnose(ctx: Ctx): Promise<number> {
  const t0 = ctx.deps.now();
  const s = await snapshot(ctx.app);
  const findings = runDetectors(s);
  const report: DiagnoseReport = { snapshot: s, findings, elapsedMs: ctx.deps.now() - t0, exitCode: problems(findings).length ? EXIT.PROBLEM : EXIT.OK };
  renderDiagnose(ctx.out, report);
  return report.exitCode;
}
