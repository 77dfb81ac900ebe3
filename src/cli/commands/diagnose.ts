/** `clawfix diagnose`: one snapshot, every detector, findings with evidence. Exit 0 none, 1 problems. */
import { problems, runDetectors } from '../../detect/index.js';
import { takeSnapshot } from '../../snapshot/index.js';
import { EXIT } from '../../util/errors.js';
import { commandRunner, runVersion, type Ctx } from '../context.js';
import { describeSnapshot, diagnoseJson, renderFinding } from '../render.js';

export async function diagnose(ctx: Ctx): Promise<number> {
  const { out } = ctx;
  const t0 = Date.now();
  const snapshot = await takeSnapshot(ctx.snapshotOptions, { env: ctx.deps.env, now: ctx.deps.now, runVersion, runCommand: commandRunner(ctx.deps.env) });
  const findings = runDetectors(snapshot);
  const bad = problems(findings);
  out.debug(`snapshot + detectors in ${Date.now() - t0} ms; log bytes read: ${snapshot.logs.bytesRead}`);
  if (out.json) {
    out.writeJson(diagnoseJson(snapshot, findings, bad.length === 0));
    return bad.length ? EXIT.PROBLEM : EXIT.OK;
  }
  for (const l of describeSnapshot(snapshot, out)) out.result(l);
  out.result('');
  if (!findings.length) {
    out.result(out.colors.green('✔ No pairing problems found.'));
    return EXIT.OK;
  }
  findings.forEach((f, i) => {
    for (const l of renderFinding(f, out, i + 1)) out.result(l);
    out.result('');
  });
  const repairable = bad.filter((f) => f.suggestedFix.kind === 'clawfix');
  if (repairable.length) out.result(`Run ${out.colors.cyan('clawfix fix --dry-run')} to preview the repair, ${out.colors.cyan('clawfix fix')} to apply it.`);
  else if (!bad.length) out.result(out.colors.green('✔ No pairing problems found (notes above are informational).'));
  return bad.length ? EXIT.PROBLEM : EXIT.OK;
}
