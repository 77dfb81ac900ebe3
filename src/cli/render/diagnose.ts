/**
 * `clawfix diagnose` output. JSON (one document): { ok, openclaw: { version, executable, stateDir,
 * configPath, logFiles, store: { kind, era, reason, paths, ok, error? }, gateway: { running, port } }, findings }.
 */
import { problems } from '../../detect/index.js';
import type { DiagnoseReport } from '../../usecase/reports.js';
import type { Out } from '../io.js';
import { describeSnapshot, installJson, renderFindings } from './findings.js';

export function renderDiagnose(out: Out, r: DiagnoseReport): void {
  const s = r.snapshot;
  out.debug(`snapshot + detectors in ${r.elapsedMs} ms; log bytes read: ${s.logs.bytesRead}`);
  const bad = problems(r.findings);
  if (out.json) {
    out.writeJson({ ok: bad.length === 0, openclaw: installJson(s), findings: r.findings });
    return;
  }
  for (const l of describeSnapshot(s, out)) out.result(l);
  out.result('');
  if (!r.findings.length) {
    out.result(out.colors.green('✔ No pairing problems found.'));
    return;
  }
  for (const block of renderFindings(r.findings, out)) {
    for (const l of block) out.result(l);
    out.result('');
  }
  if (bad.some((f) => f.suggestedFix.kind === 'clawfix')) out.result(`Run ${out.colors.cyan('clawfix fix --dry-run')} to preview the repair, ${out.colors.cyan('clawfix fix')} to apply it.`);
  else if (!bad.length) out.result(out.colors.green('✔ No pairing problems found (notes above are informational).'));
}
