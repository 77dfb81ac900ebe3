/**
 * The repair use case: which finding to repair, the plan for it (the raw store contents it needs are
 * read here, the planning itself is pure), the refusals that come before any plan can run, and running
 * it as one transaction. The CLI and the wizard drive it; neither plans nor writes by itself.
 */
import { newBackupId } from '../apply/backup.js';
import { executePlan, type ExecuteResult } from '../apply/execute.js';
import type { Step, StepEvent } from '../apply/pipeline.js';
import { readDeviceRows } from '../apply/sqlite.js';
import { get } from '../openclaw/config.js';
import { readJsonInputs } from '../openclaw/json-store.js';
import { storePaths } from '../openclaw/paths.js';
import { buildJsonScopePlan, buildRestartPlan, buildRewritePlan, buildSqlitePlan, chooseTarget, type PlanChoices, type Target } from '../plan/build.js';
import { containerRefusal } from '../plan/container-guard.js';
import { ownerRefusal } from '../plan/owner-guard.js';
import { remoteRefusal } from '../plan/remote-guard.js';
import { restarts, scopeOf, type Plan } from '../plan/types.js';
import type { Snapshot } from '../types.js';
import { ClawfixError, EXIT } from '../util/errors.js';
import type { AppCtx } from './context.js';
import type { Session } from './session.js';

export type { PlanChoices, Target } from '../plan/build.js';

/** Why the gateway's port cannot be known (the JSON store must never be edited under a running gateway). */
function unknownGatewayPort(s: Snapshot, env: AppCtx['env']): string | undefined {
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

/** The refusals that come before planning a target: this user cannot write the state dir, remote mode (the store that decides is on the gateway host), the store cannot be read, or the gateway's port is unknown. */
function refuseTarget(app: AppCtx, s: Snapshot, target: Target): void {
  const notOwner = ownerRefusal(s, target.kind === 'restart' ? 'restart' : 'repair');
  if (notOwner) throw notOwner;
  const remote = remoteRefusal(s, target.kind === 'restart' ? 'restart' : 'repair');
  if (remote) throw remote;
  if (target.kind === 'restart') return;
  if (target.kind === 'scope' && !s.store.ok) {
    throw new ClawfixError(`cannot repair: ${s.store.error}`, { hint: 'fix or restore the store first', ...(s.store.errorPath ? { path: s.store.errorPath } : {}) });
  }
  const noPort = s.era.store === 'json' ? unknownGatewayPort(s, app.env) : undefined;
  if (noPort) {
    throw new ClawfixError(
      `cannot repair safely: ${noPort}, so clawfix cannot tell which port the gateway listens on or whether it is running, and the JSON store must never be edited under a running gateway; nothing was changed`,
      { hint: 'fix the config first (`clawfix edit-config`), or set OPENCLAW_GATEWAY_PORT, then run clawfix again', path: s.config.path },
    );
  }
}

/** The target for these choices (undefined: nothing clawfix repairs). Throws usage errors for ambiguous choices. */
export function target(session: Session, choices: PlanChoices): Target | undefined {
  return chooseTarget(session.snapshot, session.findings, choices);
}

/** The plan for a target (a scope target must have something to grant). Reads the store's raw rows/files. */
export async function planFor(app: AppCtx, session: Session, t: Target, choices: PlanChoices): Promise<Plan> {
  const s = session.snapshot;
  refuseTarget(app, s, t);
  const id = newBackupId(app.now());
  const cmds = session.gateway.describe();
  let plan: Plan;
  if (t.kind === 'restart') plan = buildRestartPlan(s, id, t, cmds);
  else if (t.kind === 'rewrite') plan = buildRewritePlan(s, id, t, await readJsonInputs(s.stateDir, session.raw), cmds);
  else if (s.era.store === 'json') plan = buildJsonScopePlan(s, id, t, await readJsonInputs(s.stateDir, session.raw), cmds);
  else {
    const db = storePaths(s.stateDir).sqlite;
    const rows = await readDeviceRows(db, t.deviceId!);
    if (!rows.paired) throw new ClawfixError(`device ${t.deviceId} vanished from ${db} while planning`, { hint: 'run clawfix again' });
    plan = buildSqlitePlan(s, id, t, { paired: rows.paired, pending: rows.pending, ...(rows.authToken ? { authToken: rows.authToken } : {}) }, db, choices, cmds.approve);
  }
  const refusal = containerRefusal(s, t.kind === 'restart' ? 'restart' : 'repair', restarts(plan));
  if (refusal) throw refusal;
  return plan;
}

/** Runs the plan as one transaction (journaled, undone on failure or interrupt). */
export function runPlan(
  app: AppCtx,
  session: Session,
  plan: Plan,
  command: 'fix' | 'rollback' | 'edit-config',
  onEvent?: (step: Step, ev: StepEvent, err?: Error) => void,
): Promise<ExecuteResult> {
  return executePlan(
    plan,
    command,
    {
      gateway: session.gateway,
      now: app.now,
      logFiles: command === 'fix' ? session.snapshot.logs.files : [],
      log: (m) => app.log(`  ${m}`, 'dim'),
      ...(app.faults ? { faults: app.faults } : {}),
    },
    { signal: app.signals.signal, critical: () => app.signals.critical(), ...(onEvent ? { onEvent } : {}) },
  );
}

/** Exit code of a finished transaction: 0 done, 1 rolled back (or something held back), 3 rollback incomplete, 130 interrupted. */
export function exitCodeOf(plan: Plan, res: ExecuteResult): number {
  if (res.ok) return scopeOf(plan)?.withheld.length ? EXIT.PROBLEM : EXIT.OK;
  return res.rollbackErrors.length ? EXIT.ROLLBACK_INCOMPLETE : res.interrupted ? EXIT.INTERRUPTED : EXIT.PROBLEM;
}
