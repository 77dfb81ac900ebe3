/** A plan for people (steps, commands, notes, the diff) and as JSON; why held-back scopes were held back. */
import { stepTitle } from '../../apply/steps/index.js';
import { planDiff } from '../../plan/diff.js';
import { restarts, scopeOf, type Plan } from '../../plan/types.js';
import type { Out } from '../io.js';

export async function renderPlan(out: Out, plan: Plan): Promise<string> {
  const c = out.colors;
  const lines: string[] = [c.bold(`Plan: ${plan.title}`)];
  const scope = scopeOf(plan);
  if (scope?.requested.length) lines.push(`  requested ${scope.requested.join(', ')} · granting ${c.bold(scope.grant.join(', ') || '(nothing)')}`);
  if (scope?.withheld.length) lines.push(c.yellow(`  held back: ${heldBack(scope.withheld)}`));
  lines.push('  steps:');
  plan.steps.forEach((s, i) => lines.push(`    ${i + 1}. ${stepTitle(plan, s)}`));
  if (plan.commands.length) {
    lines.push('  commands:');
    for (const cmd of plan.commands) lines.push(`    $ ${cmd}`);
  }
  for (const n of plan.notes) lines.push(c.dim(`  note: ${n}`));
  const diff = await planDiff(plan, out.redactor);
  if (diff) lines.push('', diff.trimEnd());
  return lines.join('\n');
}

export async function planJson(out: Out, plan: Plan) {
  const scope = scopeOf(plan);
  return out.redactor.value({
    id: plan.id,
    kind: plan.kind,
    title: plan.title,
    deviceId: scope?.deviceId ?? null,
    requestId: scope?.requestId ?? null,
    requested: scope?.requested ?? [],
    grant: scope?.grant ?? [],
    withheld: scope?.withheld ?? [],
    restart: restarts(plan),
    steps: plan.steps.map((name) => ({ name, title: stepTitle(plan, name) })),
    commands: plan.commands,
    notes: plan.notes,
    files: plan.files.map((f) => ({ path: f.path, mode: `0${f.mode.toString(8)}` })),
    rows: plan.rows.map((r) => ({ table: r.table, key: r.key, action: r.after ? 'update' : 'delete' })),
    diff: await planDiff(plan, out.redactor),
  });
}

/** Why each held-back scope was not granted, and how to grant it if the user really wants to. */
export function heldBack(withheld: readonly string[]): string {
  return withheld
    .map((x) =>
      x === 'operator.admin'
        ? 'operator.admin (full control: rerun with --allow-admin, or confirm it interactively, if you really want it)'
        : `${x} (not a scope clawfix knows: approve the request with \`openclaw devices approve <id>\` if you trust it)`,
    )
    .join('; ');
}
