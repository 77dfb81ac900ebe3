/**
 * What fix, rollback and the wizard share: snapshot + recovery, the gateway port, plan rendering and
 * running a plan with a visible step list. One code path for every way in.
 */
import { cliGatewayControl, type GatewayControl } from '../apply/gateway.js';
import { recoverIfNeeded, type RecoveryReport } from '../apply/recover.js';
import type { ExecuteResult } from '../apply/execute.js';
import type { StepEvent, Step } from '../apply/pipeline.js';
import { runDetectors } from '../detect/index.js';
import { planDiff } from '../plan/diff.js';
import type { Plan } from '../plan/types.js';
import { takeSnapshot } from '../snapshot/index.js';
import { gatewayPort, loadConfig } from '../openclaw/config.js';
import type { Finding, Snapshot } from '../types.js';
import { EXIT } from '../util/errors.js';
import { redactValue } from '../util/redact.js';
import { makeSpinner } from '../util/spinner.js';
import { commandRunner, runVersion, type Ctx } from './context.js';

export interface Session {
  snapshot: Snapshot;
  findings: Finding[];
  gateway: GatewayControl;
  recovery?: RecoveryReport;
}

function envNumber(env: Ctx['deps']['env'], name: string, dflt: number): number {
  const v = Number(env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

function gatewayOnPort(ctx: Ctx, s: Snapshot, port: number): GatewayControl {
  const env: Record<string, string | undefined> = { ...ctx.deps.env };
  // Point the CLI at the same state when clawfix was pointed somewhere explicitly.
  if (s.stateDirSource === 'flag') env.OPENCLAW_STATE_DIR = s.stateDir;
  if (ctx.args.config) env.OPENCLAW_CONFIG_PATH = s.config.path;
  return cliGatewayControl({
    executable: s.openclaw.executable,
    stateDir: s.stateDir,
    configPath: s.config.path,
    version: s.openclaw.version,
    port,
    args: s.stateDirSource === 'profile' && s.profile ? ['--profile', s.profile] : [],
    env,
    stopTimeoutMs: envNumber(ctx.deps.env, 'CLAWFIX_STOP_TIMEOUT_MS', 30_000),
    startTimeoutMs: envNumber(ctx.deps.env, 'CLAWFIX_START_TIMEOUT_MS', 90_000),
  });
}

/**
 * The gateway, addressed on the port the config file on disk names at each call: a repair or rollback
 * that changes gateway.port (edit-config, a restored config) stops on the old port, starts on the new
 * one, and a rollback's start goes back to the old one, exactly what the gateway itself does.
 */
export function gatewayFor(ctx: Ctx, s: Snapshot, configFile: string = s.config.path): GatewayControl {
  const base = gatewayOnPort(ctx, s, s.gateway.port);
  const current = async (): Promise<GatewayControl> => {
    const c = await loadConfig(configFile);
    const port = c.value ? gatewayPort(c.value, ctx.deps.env) : s.gateway.port;
    return port === s.gateway.port ? base : gatewayOnPort(ctx, s, port);
  };
  let stopper: GatewayControl = base;
  return {
    isUp: async () => (await current()).isUp(),
    stop: async (signal) => {
      stopper = await current();
      return stopper.stop(signal);
    },
    stopIssued: () => stopper.stopIssued(),
    forgetForeground: () => base.forgetForeground(),
    start: async (signal) => (await current()).start(signal),
    approve: (id, signal) => base.approve(id, signal),
    listPending: (signal) => base.listPending(signal),
    describe: () => base.describe(),
  };
}

/** Snapshot, finish or undo an interrupted transaction if one is journaled, and detect. */
export async function openSession(ctx: Ctx, opts: { dryRun: boolean }): Promise<Session> {
  const snap = () => takeSnapshot(ctx.snapshotOptions, { env: ctx.deps.env, now: ctx.deps.now, runVersion, runCommand: commandRunner(ctx.deps.env) });
  let snapshot = await snap();
  let gateway = gatewayFor(ctx, snapshot);
  const recovery = await recoverIfNeeded(snapshot.stateDir, gateway, opts);
  if (recovery) {
    for (const m of recovery.messages) ctx.out.info(`${ctx.out.colors.yellow('recovered:')} ${m}`);
    snapshot = await snap();
    gateway = gatewayFor(ctx, snapshot);
  }
  return { snapshot, findings: runDetectors(snapshot), gateway, ...(recovery ? { recovery } : {}) };
}

export async function renderPlan(ctx: Ctx, plan: Plan): Promise<string> {
  const c = ctx.out.colors;
  const lines: string[] = [c.bold(`Plan: ${plan.title}`)];
  if (plan.requested.length) lines.push(`  requested ${plan.requested.join(', ')} · granting ${c.bold(plan.grant.join(', ') || '(nothing)')}`);
  if (plan.withheld.length) lines.push(c.yellow(`  held back: ${heldBack(plan.withheld)}`));
  lines.push('  steps:');
  plan.steps.forEach((s, i) => lines.push(`    ${i + 1}. ${s.title}`));
  if (plan.commands.length) {
    lines.push('  commands:');
    for (const cmd of plan.commands) lines.push(`    $ ${cmd}`);
  }
  for (const n of plan.notes) lines.push(c.dim(`  note: ${n}`));
  const diff = await planDiff(plan);
  if (diff) lines.push('', diff.trimEnd());
  return lines.join('\n');
}

export async function planJson(plan: Plan) {
  return redactValue({
    id: plan.id,
    kind: plan.kind,
    title: plan.title,
    deviceId: plan.deviceId ?? null,
    requestId: plan.requestId ?? null,
    requested: plan.requested,
    grant: plan.grant,
    withheld: plan.withheld,
    restart: plan.restart,
    steps: plan.steps,
    commands: plan.commands,
    notes: plan.notes,
    files: plan.files.map((f) => ({ path: f.path, mode: `0${f.mode.toString(8)}` })),
    rows: plan.rows.map((r) => ({ table: r.table, key: r.key, action: r.after ? 'update' : 'delete' })),
    diff: await planDiff(plan),
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

const MARK: Partial<Record<StepEvent, string>> = { done: '✔', fail: '✖', undone: '↺', 'undo-failed': '✖' };

/** The live step list: a spinner on the running step (TTY only), then ✔/✖/↺ lines on stderr. */
export function stepReporter(ctx: Ctx) {
  const c = ctx.out.colors;
  const spin = makeSpinner(ctx.deps.stderr, !ctx.out.json && !ctx.deps.env.CI);
  return (step: Step, ev: StepEvent, err?: Error) => {
    if (ev === 'start' || ev === 'undo') {
      ctx.out.debug(`… ${ev === 'undo' ? 'undoing: ' : ''}${step.title}`);
      spin.start(ev === 'undo' ? `Undoing: ${step.title}` : step.title);
      return;
    }
    spin.stop();
    const mark = MARK[ev] ?? '·';
    const color = ev === 'done' ? c.green : ev === 'undone' ? c.yellow : c.red;
    const label = ev === 'undone' ? `undid: ${step.title}` : ev === 'undo-failed' ? `could not undo: ${step.title}` : step.title;
    ctx.out.info(`${color(mark)} ${label}${err ? c.dim(` — ${err.message}`) : ''}`);
  };
}

/** Exit code and human summary of a transaction. */
export function summarize(ctx: Ctx, plan: Plan, res: ExecuteResult, what: 'repair' | 'rollback'): number {
  const c = ctx.out.colors;
  if (res.ok) {
    if (!ctx.out.json) {
      ctx.out.result(c.green(`✔ ${what === 'repair' ? 'Repaired' : 'Rolled back'}: ${plan.title}`));
      if (res.backupId) ctx.out.result(`  backup ${res.backupId} — undo with: clawfix rollback ${res.backupId}`);
      for (const n of plan.notes) ctx.out.result(`  ${n}`);
      if (plan.withheld.length) ctx.out.result(c.yellow(`  held back: ${heldBack(plan.withheld)}`));
    }
    return plan.withheld.length ? EXIT.PROBLEM : EXIT.OK;
  }
  const code = res.rollbackErrors.length ? EXIT.ROLLBACK_INCOMPLETE : res.interrupted ? EXIT.INTERRUPTED : EXIT.PROBLEM;
  if (!ctx.out.json) {
    ctx.out.error(`✖ ${what} failed: ${res.error?.message ?? 'unknown error'}`);
    if (res.rollbackErrors.length) {
      ctx.out.error('The rollback did not complete. To finish it by hand:');
      if (res.backupId) ctx.out.error(`  1. openclaw gateway stop\n  2. clawfix rollback ${res.backupId} --yes   (or copy the files from ${plan.stateDir}/clawfix/backups/${res.backupId}/ back, same mode)\n  3. openclaw gateway start`);
      else ctx.out.error('  nothing had been written yet; make sure the gateway runs: openclaw gateway start');
      for (const e of res.rollbackErrors) ctx.out.error(`  (${e.step}: ${e.error.message})`);
    } else {
      ctx.out.info(c.yellow(`Everything was rolled back: the store is as it was${plan.gatewayWasRunning ? ' and the gateway is running' : ''}.`));
    }
  }
  return code;
}
