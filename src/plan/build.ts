/**
 * Planner: from a snapshot, its findings and the user's choices to one Plan. Pure: the raw file
 * contents / rows it needs are passed in by the caller.
 */
import type { Finding, Snapshot, SpawnCall } from '../types.js';
import { baselineScopes, rulesFor } from '../openclaw/rules.js';
import { findDevice, isExpired, labelOf, pendingFor } from '../snapshot/queries.js';
import { ClawfixError, EXIT, UsageError } from '../util/errors.js';
import { fewIds } from '../util/format.js';
import { ADMIN, KNOWN_SCOPES, isKnownScope, minimalGrant, missingScopes } from '../util/scopes.js';
import { planBomRewrite, planJsonPatch, type JsonInputs } from './json-scope.js';
import { repairKind, type RepairKind } from './registry.js';
import { planSqlitePatch, type SqliteRows } from './sqlite-scope.js';
import { freeze, type FileChange, type JsonRewritePlan, type JsonScopePlan, type RestartPlan, type RestorePlan, type RowChange, type SqliteApprovePlan, type SqliteScopePlan, type SqliteTarget, type StepName } from './types.js';

export interface PlanChoices {
  device?: string;
  scopes?: string[];
  /** operator.admin consent: --allow-admin, or a confirmed prompt. */
  allowAdmin: boolean;
}

export interface Target {
  kind: RepairKind;
  finding?: Finding;
  deviceId?: string;
  requested: string[];
  approved: string[];
  grant: string[];
  withheld: string[];
  requestId?: string;
  /**
   * A sub-agent spawn whose calls need operator.admin, without consent: the scopes of its other calls
   * are held back with admin (granting them alone would not let a spawn run, and a later repair would
   * have to come back for admin anyway). Empty otherwise.
   */
  deferred?: string[];
  /** The spawn's calls, when the target is a sub-agent spawn (verified call by call after the repair). */
  spawn?: SpawnCall[];
}

/** The finding a fix addresses. Throws a usage error when several devices are implicated and none was chosen. */
export function chooseTarget(s: Snapshot, findings: readonly Finding[], c: PlanChoices): Target | undefined {
  if (c.scopes) {
    const unknown = c.scopes.filter((x) => !isKnownScope(x));
    if (unknown.length) throw new UsageError(`unknown scope ${unknown.join(', ')}`, `known scopes: ${KNOWN_SCOPES.join(', ')}`);
  }
  const scopeFindings = findings.filter((f) => repairKind(f.id) === 'scope' && f.device);
  let finding: Finding | undefined;
  if (c.device) {
    const byPrefix = s.store.paired.filter((d) => d.deviceId.startsWith(c.device as string));
    if (!findDevice(s, c.device) && byPrefix.length > 1) {
      throw new UsageError(`--device ${c.device} matches ${byPrefix.length} devices`, 'give more of the deviceId');
    }
    const dev = findDevice(s, c.device) ?? byPrefix[0];
    if (!dev) {
      throw new ClawfixError(`unknown device ${c.device}: it is not in the pairing store (${s.store.paths[0]})`, {
        exitCode: EXIT.USAGE,
        hint: 'use a deviceId from `clawfix diagnose` or `openclaw devices list`',
      });
    }
    finding = scopeFindings.find((f) => f.device?.deviceId === dev.deviceId);
    if (!finding && !c.scopes) return otherTarget(findings);
    const requested = c.scopes ?? finding?.requestedScopes ?? [];
    return target(s, dev.deviceId, requested, c, finding);
  }
  if (scopeFindings.length > 1) {
    const ids = scopeFindings.map((f) => `  ${f.device!.deviceId}  ${f.title}`).join('\n');
    throw new UsageError(`${scopeFindings.length} devices were refused scopes; pick one with --device:\n${ids}`, 'clawfix fix --device <id> (one at a time)');
  }
  finding = scopeFindings[0];
  if (finding?.device) return target(s, finding.device.deviceId, c.scopes ?? finding.requestedScopes ?? [], c, finding);
  if (c.scopes) throw new UsageError('--scopes needs --device when no scope upgrade was found', 'clawfix fix --device <id> --scopes operator.write');
  return otherTarget(findings);
}

/** A repair that is not a scope grant: an unreadable store file rewritten first, then a restart. */
function otherTarget(findings: readonly Finding[]): Target | undefined {
  for (const kind of ['rewrite', 'restart'] as const) {
    const f = findings.find((x) => repairKind(x.id) === kind);
    if (f) return { kind, finding: f, requested: [], approved: [], grant: [], withheld: [] };
  }
  return undefined;
}

function target(s: Snapshot, deviceId: string, requested: string[], c: PlanChoices, finding?: Finding): Target {
  const dev = findDevice(s, deviceId)!;
  const approved = baselineScopes(s, dev);
  const rules = rulesFor(s);
  // Never grant a scope clawfix does not know (a typo, or a newer OpenClaw's scope): hold it back and
  // say so; the user can still approve it through OpenClaw. operator.admin needs explicit consent.
  const withheld = requested.filter((x) => !isKnownScope(x) && !approved.includes(x));
  let grantable = requested.filter((x) => isKnownScope(x));
  if (minimalGrant(grantable, approved, rules).includes(ADMIN) && !c.allowAdmin) {
    withheld.push(ADMIN);
    grantable = grantable.filter((x) => x !== ADMIN);
  }
  let grant = minimalGrant(grantable, approved, rules);
  const spawn = finding?.spawn && !c.scopes ? finding.spawn.calls : undefined;
  const deferred = spawn && withheld.includes(ADMIN) ? grant : [];
  if (deferred.length) grant = [];
  const live = pendingFor(s, deviceId).filter((p) => !isExpired(s, p));
  const latest = live[live.length - 1];
  return {
    kind: 'scope',
    ...(finding ? { finding } : {}),
    deviceId,
    requested,
    approved,
    grant,
    withheld,
    ...(latest ? { requestId: latest.requestId } : {}),
    ...(deferred.length ? { deferred } : {}),
    ...(spawn ? { spawn } : {}),
  };
}

/** The fields every plan shares: where, which store, and the gateway state it must be left in. */
export function planBase(s: Snapshot, id: string) {
  return { id, stateDir: s.stateDir, store: s.era.store, gatewayWasRunning: s.gateway.running };
}

/** Verification of a sub-agent spawn's calls, call by call, under this era's scope rules. */
function spawnCheck(s: Snapshot, t: Target) {
  return t.spawn ? { spawn: { deviceId: t.deviceId!, calls: t.spawn.map((c) => ({ ...c })), rules: rulesFor(s) } } : {};
}

function grantOf(t: Target) {
  return {
    deviceId: t.deviceId!,
    ...(t.requestId ? { requestId: t.requestId } : {}),
    requested: [...t.requested],
    grant: [...t.grant],
    withheld: [...t.withheld],
  };
}

/** Restore a backup: the same steps as a repair; the current state is backed up first (undoable). */
export function buildRestorePlan(
  s: Snapshot,
  id: string,
  backup: { id: string; reason: string },
  changes: { files: FileChange[]; rows: RowChange[]; sqlite?: SqliteTarget; notes?: string[] },
  cmds: { stop: string; start: string },
): RestorePlan {
  const restartNeeded = changes.files.length > 0 && s.gateway.running === true;
  const steps: StepName[] = restartNeeded ? ['lock', 'stop', 'backup', 'restore', 'start', 'verify'] : ['lock', 'backup', 'restore', 'verify'];
  return freeze({
    ...planBase(s, id),
    kind: changes.files.length ? 'restore-files' : 'restore-rows',
    title: `Restore backup ${backup.id} (${backup.reason})`,
    files: changes.files,
    rows: changes.rows,
    ...(changes.sqlite ? { sqlite: changes.sqlite } : {}),
    commands: restartNeeded ? [cmds.stop, cmds.start] : [],
    steps,
    guard: { kind: 'none' },
    verify: { gateway: 'as-found' },
    notes: [...(changes.notes ?? []), 'the current state is backed up first, so this rollback can itself be undone'],
    restoreFrom: backup.id,
  });
}

const LEFT_STOPPED = 'the gateway is not running: it is left stopped';

/** The note of a plan that leaves a stopped gateway stopped, with this gateway's own start command (a container's, the service's). */
export function leftStoppedNote(start: string): string {
  return `${LEFT_STOPPED}; start it with \`${start}\``;
}

export function isLeftStoppedNote(note: string): boolean {
  return note.startsWith(LEFT_STOPPED);
}

/**
 * The notes of a JSON scope plan (shared with its re-base, which must describe the same change).
 * `stoppedStart`: the gateway is left stopped, and this command starts it; undefined: it runs.
 */
export function jsonScopeNotes(removedRequests: readonly string[], stoppedStart: string | undefined, bom: readonly string[] = []): string[] {
  return [
    ...bom.map((p) => `writes ${p} without its UTF-8 byte-order mark (OpenClaw's reader rejects it)`),
    ...(removedRequests.length ? [`drops the ${removedRequests.length} pending request(s) the widened record satisfies: ${fewIds(removedRequests)}`] : []),
    ...(stoppedStart === undefined ? [] : [leftStoppedNote(stoppedStart)]),
  ];
}

export function buildJsonScopePlan(s: Snapshot, id: string, t: Target, inputs: JsonInputs, cmds: { stop: string; start: string }): JsonScopePlan {
  const patch = planJsonPatch(inputs, t.deviceId!, t.grant);
  const dev = findDevice(s, t.deviceId!)!;
  const running = s.gateway.running === true;
  const steps: StepName[] = running ? ['lock', 'stop', 'guard', 'backup', 'patch', 'start', 'verify'] : ['lock', 'guard', 'backup', 'patch', 'verify'];
  return freeze({
    ...planBase(s, id),
    kind: 'json-scope-upgrade',
    title: `Grant ${t.grant.join(', ')} to ${labelOf(s, dev)}`,
    ...(t.finding ? { finding: t.finding } : {}),
    scope: grantOf(t),
    files: patch.files,
    rows: [],
    removedRequests: patch.removedRequests,
    guard: { kind: 'json-device', deviceId: t.deviceId!, role: 'operator', fingerprint: patch.guard },
    verify: { gateway: 'as-found', scopes: { deviceId: t.deviceId!, grant: [...t.grant] }, noNewRefusal: { deviceId: t.deviceId!, grant: [...t.grant] }, ...spawnCheck(s, t) },
    commands: running ? [cmds.stop, cmds.start] : [],
    steps,
    notes: jsonScopeNotes(patch.removedRequests, running ? undefined : cmds.start, bomPaths(inputs)),
  });
}

function bomPaths(inputs: JsonInputs): string[] {
  return [inputs.paired, inputs.pending, inputs.deviceAuth].filter((f) => f.format?.bom).map((f) => f.path);
}

/** store-bom: the store files rewritten without their byte-order mark, as a JSON repair (gateway stopped). */
export function buildRewritePlan(s: Snapshot, id: string, t: Target, inputs: JsonInputs, cmds: { stop: string; start: string }): JsonRewritePlan {
  const running = s.gateway.running === true;
  return freeze({
    ...planBase(s, id),
    kind: 'json-rewrite',
    title: 'Rewrite the pairing store without its byte-order mark',
    ...(t.finding ? { finding: t.finding } : {}),
    files: planBomRewrite(inputs),
    rows: [],
    guard: { kind: 'files-unchanged' },
    verify: { gateway: 'as-found' },
    commands: running ? [cmds.stop, cmds.start] : [],
    steps: running ? ['lock', 'stop', 'guard', 'backup', 'patch', 'start', 'verify'] : ['lock', 'guard', 'backup', 'patch', 'verify'],
    notes: [...jsonScopeNotes([], running ? undefined : cmds.start, bomPaths(inputs)), 'nothing else in the files changes'],
  });
}

/** SQLite: the official `openclaw devices approve <id>` when it grants exactly what is needed, else one transaction. */
export function buildSqlitePlan(
  s: Snapshot,
  id: string,
  t: Target,
  rows: SqliteRows,
  dbPath: string,
  choices: PlanChoices,
  approveCmd: (id: string) => string,
): SqliteApprovePlan | SqliteScopePlan {
  const changes = planSqlitePatch(rows, t.grant, 'operator', dbPath);
  const dev = findDevice(s, t.deviceId!)!;
  const pending = t.requestId ? s.store.pending.find((p) => p.requestId === t.requestId) : undefined;
  const approveFits =
    !!pending &&
    s.gateway.running === true &&
    !choices.scopes &&
    (!pending.scopes.includes(ADMIN) || t.grant.includes(ADMIN)) &&
    missingScopes(pending.scopes, [...t.approved, ...t.grant]).length === 0 &&
    missingScopes(t.grant, pending.scopes).length === 0;
  const common = {
    ...planBase(s, id),
    title: `Grant ${t.grant.join(', ')} to ${labelOf(s, dev)}`,
    ...(t.finding ? { finding: t.finding } : {}),
    files: [],
    rows: changes,
    sqlite: { db: dbPath, preImage: changes.map((c) => ({ table: c.table, key: { ...c.key }, row: c.before ? { ...c.before } : null })) },
    guard: { kind: 'none' } as const,
    verify: { gateway: 'as-found' as const, scopes: { deviceId: t.deviceId!, grant: [...t.grant] }, ...spawnCheck(s, t) },
  };
  if (approveFits) {
    return freeze({
      ...common,
      kind: 'sqlite-approve',
      scope: { ...grantOf(t), requestId: pending.requestId },
      commands: [approveCmd(pending.requestId)],
      steps: ['lock', 'backup', 'approve', 'verify'],
      notes: ["uses OpenClaw's own approval (no restart); OpenClaw re-issues the device token. If the approval is refused, the same rows are widened in one SQLite transaction instead."],
    });
  }
  return freeze({
    ...common,
    kind: 'sqlite-scope-upgrade',
    scope: grantOf(t),
    commands: [],
    steps: ['lock', 'backup', 'patch', 'verify'],
    notes: ['one SQLite transaction; the gateway reads the rows at the next connect, no restart needed'],
  });
}

export function buildRestartPlan(s: Snapshot, id: string, t: Target, cmds: { stop: string; start: string }): RestartPlan {
  const running = s.gateway.running === true;
  return freeze({
    ...planBase(s, id),
    kind: 'restart',
    title: running ? 'Restart the gateway' : 'Start the gateway',
    ...(t.finding ? { finding: t.finding } : {}),
    files: [],
    rows: [],
    guard: { kind: 'none' },
    verify: { gateway: 'up' },
    commands: running ? [cmds.stop, cmds.start] : [cmds.start],
    steps: running ? ['lock', 'stop', 'start', 'verify'] : ['lock', 'start', 'verify'],
    notes: ['after the restart, start a new chat session: sessions opened before it keep the old token'],
  });
}
