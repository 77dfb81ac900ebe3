/**
 * One repair from findings to outcome, the same for `clawfix fix` and the wizard: choose the target,
 * plan it, and (unless --dry-run) run it. Questions come through `ask` (the wizard's, only on a
 * terminal); progressive human output through `show` (the cause before any question, the plan before
 * it runs). Returns a report; prints nothing itself.
 */
import type { Step, StepEvent } from '../apply/pipeline.js';
import { problems } from '../detect/index.js';
import { repairKind } from '../plan/registry.js';
import type { Plan } from '../plan/types.js';
import type { Finding } from '../types.js';
import { EXIT } from '../util/errors.js';
import { ADMIN } from '../util/scopes.js';
import type { AppCtx } from './context.js';
import { gatewayCommandsOf, type RepairReport } from './reports.js';
import { exitCodeOf, planFor, runPlan, target as chooseTarget, type PlanChoices, type Target } from './repair.js';
import type { Session } from './session.js';

export interface RepairArgs {
  dryRun: boolean;
  device?: string;
  scopes?: string[];
  allowAdmin: boolean;
}

/** The wizard's questions (wizard/questions.ts). Each may reject with an AbortError: nothing changed then. */
export interface RepairQuestions {
  chooseDevice(candidates: Finding[]): Promise<string>;
  consentAdmin(reason: 'requested' | 'picked'): Promise<boolean>;
  nextAction(): Promise<'apply' | 'scopes' | 'cancel'>;
  pickScopes(offered: string[], granted: readonly string[]): Promise<string[]>;
  confirmApply(): Promise<boolean>;
}

export interface RepairShow {
  cause(f: Finding): void;
  plan(p: Plan): Promise<void>;
}

export interface RepairFlowPorts {
  ask?: RepairQuestions;
  show?: RepairShow;
  onStep?: (step: Step, ev: StepEvent, err?: Error) => void;
}

async function initialTarget(session: Session, choices: PlanChoices, p: RepairFlowPorts): Promise<Target | undefined> {
  if (!choices.device && p.ask) {
    const devs = session.findings.filter((f) => repairKind(f.id) === 'scope' && f.device);
    if (devs.length > 1) choices.device = await p.ask.chooseDevice(devs);
  }
  let t = chooseTarget(session, choices);
  if (t?.finding) p.show?.cause(t.finding);
  if (t?.kind === 'scope' && t.withheld.includes(ADMIN) && p.ask && (await p.ask.consentAdmin('requested'))) {
    choices.allowAdmin = true;
    t = chooseTarget(session, choices);
  }
  return t;
}

/** Interactive: apply, adjust the scopes (same planner, new plan), or leave. Returns the plan to run, or undefined (cancelled / nothing). */
async function adjust(app: AppCtx, session: Session, t: Target, plan: Plan, choices: PlanChoices, p: RepairFlowPorts): Promise<{ t: Target; plan: Plan } | 'cancelled' | 'nothing'> {
  const ask = p.ask!;
  for (;;) {
    const action = await ask.nextAction();
    if (action === 'apply') return { t, plan };
    if (action === 'cancel') return 'cancelled';
    const offered = [...new Set([...t.requested, ...t.grant, ...t.withheld])].filter((x) => !t.approved.includes(x));
    const picked = await ask.pickScopes(offered, t.grant);
    const allowAdmin = picked.includes(ADMIN) && !choices.allowAdmin ? await ask.consentAdmin('picked') : choices.allowAdmin;
    Object.assign(choices, { device: t.deviceId, scopes: picked, allowAdmin });
    t = chooseTarget(session, choices)!;
    if (!t.grant.length) return 'nothing';
    plan = await planFor(app, session, t, choices);
    await p.show?.plan(plan);
  }
}

export async function repairFlow(app: AppCtx, session: Session, args: RepairArgs, p: RepairFlowPorts = {}): Promise<RepairReport> {
  const base = { dryRun: args.dryRun, snapshot: session.snapshot, findings: session.findings };
  const choices: PlanChoices = { allowAdmin: args.allowAdmin, ...(args.device ? { device: args.device } : {}), ...(args.scopes ? { scopes: args.scopes } : {}) };
  let t = await initialTarget(session, choices, p);
  if (!t) return { ...base, outcome: 'nothing-to-repair', exitCode: problems(session.findings).length ? EXIT.PROBLEM : EXIT.OK };
  if (t.kind === 'scope' && !t.grant.length) return { ...base, outcome: 'nothing-to-grant', target: t, exitCode: t.withheld.length ? EXIT.PROBLEM : EXIT.OK };
  let plan = await planFor(app, session, t, choices);
  await p.show?.plan(plan);
  if (args.dryRun) return { ...base, outcome: 'planned', target: t, plan, exitCode: EXIT.OK };
  if (p.ask && t.kind === 'scope') {
    const next = await adjust(app, session, t, plan, choices, p);
    if (next === 'cancelled') return { ...base, outcome: 'cancelled', target: t, plan, exitCode: EXIT.OK };
    if (next === 'nothing') return { ...base, outcome: 'nothing-to-grant', target: t, message: 'Those scopes are already approved; nothing to grant.', exitCode: EXIT.OK };
    ({ t, plan } = next);
  } else if (p.ask && !(await p.ask.confirmApply())) {
    return { ...base, outcome: 'cancelled', target: t, plan, exitCode: EXIT.OK };
  }
  const result = await runPlan(app, session, plan, 'fix', p.onStep);
  return { ...base, outcome: result.ok ? 'repaired' : 'failed', target: t, plan, result, gatewayCommands: gatewayCommandsOf(session.gateway.describe), exitCode: exitCodeOf(plan, result) };
}
