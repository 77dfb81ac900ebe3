/**
 * `clawfix fix`: plan the smallest repair for the implicated device, show it, and apply it as one
 * transaction. --dry-run prints the same plan object and changes nothing; --yes never prompts.
 */
import { executePlan } from '../../apply/execute.js';
import { newBackupId } from '../../apply/backup.js';
import { get } from '../../openclaw/config.js';
import { readRawJson } from '../../openclaw/json-store.js';
import { storePaths } from '../../openclaw/paths.js';
import { readDeviceRows } from '../../apply/sqlite.js';
import { buildJsonScopePlan, buildRestartPlan, buildSqlitePlan, chooseTarget, type PlanChoices, type Target } from '../../plan/build.js';
import type { Plan } from '../../plan/types.js';
import type { Snapshot } from '../../types.js';
import { problems } from '../../detect/index.js';
import { diagnoseJson, renderFinding } from '../render.js';
import { ClawfixError, EXIT } from '../../util/errors.js';
import { ADMIN } from '../../util/scopes.js';
import type { Ctx } from '../context.js';
import type { FixArgs } from '../main.js';
import { heldBack, openSession, planJson, renderPlan, stepReporter, summarize, type Session } from '../session.js';

export interface Prompter {
  confirm(message: string, dflt: boolean): Promise<boolean>;
  select<T extends string>(message: string, choices: { name: string; value: T; description?: string }[]): Promise<T>;
  checkbox(message: string, choices: { name: string; value: string; checked: boolean; description?: string }[]): Promise<string[]>;
}

/**
 * Inquirer's three prompts clawfix uses (each its own package: @inquirer/prompts would bring all ten),
 * on the command's own streams (stdin, prompts on stderr so stdout stays clean).
 */
export async function inquirerPrompter(ctx: Ctx): Promise<Prompter> {
  const [{ default: confirm }, { default: select }, { default: checkbox }] = await Promise.all([
    import('@inquirer/confirm'),
    import('@inquirer/select'),
    import('@inquirer/checkbox'),
  ]);
  const io = { input: ctx.deps.stdin, output: ctx.deps.stderr, ...(ctx.deps.signal ? { signal: ctx.deps.signal } : {}) };
  return {
    confirm: (message, dflt) => confirm({ message, default: dflt }, io),
    select: (message, choices) => select({ message, choices }, io),
    checkbox: (message, choices) => checkbox({ message, choices, required: true }, io),
  };
}

/** Findings that are advice for next time rather than something this repair changes. */
const ADVICE = new Set(['era-never-approves', 'config-edited-while-running', 'stale-service-token', 'several-state-dirs']);

const ADMIN_WARNING =
  'operator.admin lets the device change the gateway config, approve other devices, and run anything an owner can. Grant it only if you trust every sub-agent on this machine.';

export async function makePlan(ctx: Ctx, session: Session, target: Target, choices: PlanChoices): Promise<Plan> {
  const s = session.snapshot;
  const id = newBackupId(ctx.deps.now());
  const cmds = session.gateway.describe();
  if (target.kind === 'restart') return buildRestartPlan(s, id, target, cmds);
  if (s.era.store === 'json') {
    const p = storePaths(s.stateDir);
    const [paired, pending, deviceAuth] = await Promise.all([readRawJson(p.paired), readRawJson(p.pending), readRawJson(p.deviceAuth)]);
    return buildJsonScopePlan(s, id, target, { paired, pending, deviceAuth }, cmds);
  }
  const db = storePaths(s.stateDir).sqlite;
  const rows = await readDeviceRows(db, target.deviceId!);
  if (!rows.paired) throw new ClawfixError(`device ${target.deviceId} vanished from ${db} while planning`, { hint: 'run clawfix again' });
  return buildSqlitePlan(s, id, target, { paired: rows.paired, pending: rows.pending, ...(rows.authToken ? { authToken: rows.authToken } : {}) }, db, choices, cmds.approve);
}

export async function fix(ctx: Ctx, args: FixArgs, prompter?: Prompter, opened?: Session): Promise<number> {
  const { out } = ctx;
  const session = opened ?? (await openSession(ctx, { dryRun: args.dryRun }));
  const s = session.snapshot;
  const findings = session.findings;
  const ask = !args.yes && !args.dryRun && out.interactive ? (prompter ?? (await inquirerPrompter(ctx))) : undefined;

  const choices: PlanChoices = { allowAdmin: args.allowAdmin, ...(args.device ? { device: args.device } : {}), ...(args.scopes ? { scopes: args.scopes } : {}) };
  if (!args.device && ask) {
    const devs = findings.filter((f) => f.id === 'scope-upgrade' && f.device);
    if (devs.length > 1) {
      choices.device = await ask.select(
        'Several devices were refused scopes. Which one should be repaired?',
        devs.map((f) => ({ name: f.title, value: f.device!.deviceId })),
      );
    }
  }
  let target = chooseTarget(s, findings, choices);
  // Explain the cause first; the questions and the plan come after it.
  if (target?.finding && !out.json) out.result(renderFinding(target.finding, out, 1).join('\n') + '\n');
  if (target?.kind === 'scope' && target.withheld.includes(ADMIN) && ask) {
    out.info(out.colors.yellow(`⚠ ${ADMIN_WARNING}`));
    const ok = await ask.confirm('The device also asked for operator.admin. Grant operator.admin too?', false);
    if (ok) {
      choices.allowAdmin = true;
      target = chooseTarget(s, findings, choices);
    }
  }

  if (!target) {
    const bad = problems(findings);
    if (out.json) {
      out.writeJson({ ...diagnoseJson(s, findings, bad.length === 0), plan: null, applied: [], backup: null, rolledBack: false, exitCode: bad.length ? EXIT.PROBLEM : EXIT.OK });
    } else if (!bad.length) {
      out.result(out.colors.green('✔ Nothing to repair: no pairing problems found.'));
    } else {
      out.result('Nothing clawfix can repair automatically. What it found:\n');
      bad.forEach((f, i) => out.result(renderFinding(f, out, i + 1).join('\n') + '\n'));
    }
    return bad.length ? EXIT.PROBLEM : EXIT.OK;
  }
  if (target.kind === 'scope' && !target.grant.length) {
    const msg = target.withheld.length
      ? `Nothing to grant: what is missing was held back: ${heldBack(target.withheld)}.`
      : `Device ${target.deviceId} already holds ${target.requested.join(', ')}; nothing to grant.`;
    if (out.json) out.writeJson({ ok: false, findings, plan: null, applied: [], backup: null, rolledBack: false, withheld: target.withheld, exitCode: EXIT.PROBLEM });
    else out.result(msg);
    return target.withheld.length ? EXIT.PROBLEM : EXIT.OK;
  }
  if (!s.store.ok && target.kind === 'scope') {
    throw new ClawfixError(`cannot repair: ${s.store.error}`, { hint: 'fix or restore the store first', ...(s.store.errorPath ? { path: s.store.errorPath } : {}) });
  }

  const noPort = target.kind === 'scope' && s.era.store === 'json' ? unknownGatewayPort(s, ctx.deps.env) : undefined;
  if (noPort) {
    throw new ClawfixError(
      `cannot repair safely: ${noPort}, so clawfix cannot tell which port the gateway listens on or whether it is running, and the JSON store must never be edited under a running gateway; nothing was changed`,
      { hint: 'fix the config first (`clawfix edit-config`), or set OPENCLAW_GATEWAY_PORT, then run clawfix again', path: s.config.path },
    );
  }

  let plan = await makePlan(ctx, session, target, choices);
  if (!out.json) {
    out.result(await renderPlan(ctx, plan));
    out.result('');
  }
  if (args.dryRun) {
    if (out.json) out.writeJson({ ok: true, dryRun: true, findings, plan: await planJson(plan), applied: [], backup: null, rolledBack: false, exitCode: EXIT.OK });
    else out.result(out.colors.dim('Dry run: nothing was changed. Apply with `clawfix fix --yes`.'));
    return EXIT.OK;
  }
  // Interactive: apply, adjust the scopes (same planner, new plan), or leave.
  while (ask && target.kind === 'scope') {
    const action = await ask.select('What now?', [
      { name: 'Apply this repair', value: 'apply' },
      { name: 'Change which scopes to grant', value: 'scopes' },
      { name: 'Cancel (change nothing)', value: 'cancel' },
    ]);
    if (action === 'apply') break;
    if (action === 'cancel') {
      out.result('Nothing was changed.');
      return EXIT.OK;
    }
    const offered = [...new Set([...target.requested, ...target.grant, ...target.withheld])].filter((x) => !target!.approved.includes(x));
    const picked = await ask.checkbox(
      'Scopes to grant (space to toggle, enter to confirm)',
      offered.map((x) => ({ name: x === ADMIN ? `${x}  (full control: see warning)` : x, value: x, checked: target!.grant.includes(x) })),
    );
    let allowAdmin = choices.allowAdmin;
    if (picked.includes(ADMIN) && !allowAdmin) {
      out.info(out.colors.yellow(`⚠ ${ADMIN_WARNING}`));
      allowAdmin = await ask.confirm('Really grant operator.admin?', false);
    }
    Object.assign(choices, { device: target.deviceId, scopes: picked, allowAdmin });
    target = chooseTarget(s, findings, choices)!;
    if (!target.grant.length) {
      out.result('Those scopes are already approved; nothing to grant.');
      return EXIT.OK;
    }
    plan = await makePlan(ctx, session, target, choices);
    out.result(await renderPlan(ctx, plan));
    out.result('');
  }
  if (ask && target.kind !== 'scope' && !(await ask.confirm('Apply this repair?', true))) {
    out.result('Nothing was changed.');
    return EXIT.OK;
  }

  const res = await executePlan(plan, 'fix', { gateway: session.gateway, now: ctx.deps.now, logFiles: s.logs.files, log: (m) => out.info(out.colors.dim(`  ${m}`)) }, {
    ...(ctx.deps.signal ? { signal: ctx.deps.signal } : {}),
    onEvent: stepReporter(ctx),
  });
  const code = summarize(ctx, plan, res, 'repair');
  const advice = findings.filter((f) => ADVICE.has(f.id));
  if (!out.json && advice.length) {
    out.result(out.colors.bold('\nTo keep this from happening again:'));
    for (const f of advice) out.result(`  • ${f.title}\n    ${f.suggestedFix.description}${f.suggestedFix.command ? `: ${f.suggestedFix.command}` : ''}`);
  }
  if (out.json) {
    out.writeJson({
      ok: res.ok,
      findings,
      plan: await planJson(plan),
      applied: res.applied,
      backup: res.backupId ? { id: res.backupId, path: `${s.stateDir}/clawfix/backups/${res.backupId}` } : null,
      rolledBack: res.rolledBack,
      withheld: plan.withheld,
      ...(res.error ? { error: res.error.message } : {}),
      exitCode: code,
    });
  }
  return code;
}

/**
 * Why the gateway's port cannot be known, when it cannot: the config exists but does not parse or is
 * not an object, or names a gateway / gateway.port that is not usable (OpenClaw's env override aside).
 * A running gateway would then be probed on the wrong port and look stopped.
 */
function unknownGatewayPort(s: Snapshot, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const fromEnv = Number(env.OPENCLAW_GATEWAY_PORT ?? env.CLAWDBOT_GATEWAY_PORT);
  if (Number.isInteger(fromEnv) && fromEnv > 0 && fromEnv < 65536) return undefined;
  if (s.config.error) return s.config.error;
  const g = get(s.config.value, 'gateway');
  if (g !== undefined && (g === null || typeof g !== 'object' || Array.isArray(g))) return `${s.config.path}: "gateway" is not an object`;
  const p = get(s.config.value, 'gateway.port');
  if (p !== undefined && !(typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536)) {
    return `${s.config.path}: gateway.port ${JSON.stringify(p)} is not a port number`;
  }
  return undefined;
}
