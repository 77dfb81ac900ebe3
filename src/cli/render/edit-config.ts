/**
 * `clawfix edit-config` output: hazards with their source lines, the outcome. JSON (one document):
 * { config, dryRun, ok, changed, hazards, plan?, applied?, backup?, rolledBack?, editedCopy?, error?, exitCode }.
 */
import path from 'node:path';
import type { ExecuteResult } from '../../apply/execute.js';
import type { Hazard } from '../../config-edit/validate.js';
import { restarts, type Plan } from '../../plan/types.js';
import type { GatewayCommands } from '../../usecase/reports.js';
import type { Out } from '../io.js';

function sourceLine(text: string, line: number): string | undefined {
  const l = text.split(/\r\n|\n|\r/)[line - 1];
  if (l === undefined) return undefined;
  return l.length > 160 ? `${l.slice(0, 159)}…` : l;
}

export function renderHazards(out: Out, text: string, hazards: readonly Hazard[]): string[] {
  const c = out.colors;
  const lines: string[] = [];
  for (const h of hazards) {
    const where = h.line !== undefined ? `line ${h.line}${h.column !== undefined ? `, column ${h.column}` : ''}: ` : '';
    const mark = h.severity === 'error' ? c.red('✖ error') : c.yellow('▲ warning');
    lines.push(`${mark} ${where}${h.message}${h.preexisting ? c.dim(' (already in the config before this edit)') : ''}`);
    const src = h.line !== undefined ? sourceLine(text, h.line) : undefined;
    if (src !== undefined) lines.push(c.dim(`    ${String(h.line).padStart(4)} │ ${src}`));
  }
  return lines;
}

/** The JSON result document (only in --json mode). */
export function editResult(out: Out, config: string, dryRun: boolean, o: Record<string, unknown>): void {
  if (out.json) out.writeJson({ config, dryRun, ...o });
}

export function renderEditSuccess(out: Out, plan: Plan, res: ExecuteResult, real: string): void {
  if (out.json) return;
  out.result(out.colors.green(`✔ Installed the edited config${restarts(plan) ? '; the gateway restarted with it' : ''}: ${real}`));
  if (res.backupId) out.result(`  backup ${res.backupId} — undo with: clawfix rollback ${res.backupId}`);
  for (const n of plan.notes) out.result(`  ${n}`);
}

export function renderEditFailure(
  out: Out,
  o: { plan: Plan; res: ExecuteResult; real: string; mode: number; backupPath: string | undefined; copy: string; logFiles: string[]; cmds: GatewayCommands },
): void {
  if (out.json) return;
  const c = out.colors;
  const { res, plan } = o;
  out.error(`✖ edit-config failed: ${res.error?.message ?? 'unknown error'}`);
  if (res.rollbackErrors.length) {
    out.error('The rollback did not complete. To finish it by hand:');
    if (res.backupId) out.error(`  1. ${o.cmds.stop}\n  2. clawfix rollback ${res.backupId} --yes   (or copy ${o.backupPath}/0-${path.basename(o.real)} back to ${o.real}, mode ${o.mode.toString(8)})\n  3. ${o.cmds.start}`);
    else out.error(`  the config had not been written yet; make sure the gateway runs: ${o.cmds.start}`);
    for (const e of res.rollbackErrors) out.error(`  (${e.step}: ${e.error.message})`);
  } else {
    const patched = res.applied.includes('patch');
    const where = patched ? 'the old config is in place' : 'your edit was not written';
    out.info(c.yellow(`Everything was rolled back: ${where}${plan.gatewayWasRunning ? ` and the gateway is running${patched ? ' it' : ''}` : ''}.`));
    if (patched && o.logFiles.length) out.info(`  why the gateway did not come up with the edit: see its log (${o.logFiles.join(', ')})`);
  }
  out.info(`  Your edited version is kept at ${o.copy} (readable only by you); delete it when you are done.`);
}
