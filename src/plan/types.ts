/**
 * A plan: everything a transaction will do, computed before the first write. It is an immutable value
 * (planners freeze it): `--dry-run` prints it, apply runs exactly it. A plan that must change on the way
 * (the guard re-basing onto a store the gateway rewrote) is replaced by a new plan made by plan/, and
 * reported as such. Each kind carries its own guard and verification as data.
 */
import type { Finding, SpawnCall, StoreKind } from '../types.js';
import type { ScopeRules } from '../util/scopes.js';

export type StepName = 'lock' | 'stop' | 'guard' | 'backup' | 'patch' | 'approve' | 'restore' | 'start' | 'verify';

export interface FileChange {
  readonly path: string;
  readonly before: string;
  readonly after: string;
  readonly mode: number;
  readonly beforeSha: string;
  readonly afterSha: string;
  /** The change record by record, as the planner made it (a store patch): what the diff of a big file shows. */
  readonly records?: RecordEdits;
}

/** A store file's change by record (keyed by deviceId / requestId): the diff shows this, not 20 MB of text. */
export interface RecordEdits {
  /** How many records the file held before. */
  readonly total: number;
  /** The records the patch rewrote, as they were and as they will be (copies, never the inputs). */
  readonly changed: readonly { readonly key: string; readonly before: unknown; readonly after: unknown }[];
  /** The keys of the records the patch cuts out. */
  readonly removed: readonly string[];
  /** The first few removed records as they were, for the diff's examples (copies). */
  readonly examples: readonly { readonly key: string; readonly value: unknown }[];
}

export interface RowChange {
  readonly table: string;
  readonly key: Readonly<Record<string, string>>;
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
}

/** A SQLite row as it was (null: it did not exist), keyed by table and primary key. */
export interface RowImage {
  table: string;
  /** Primary key columns and values. */
  key: Record<string, string>;
  /** The row before the change, or null when it did not exist. */
  row: Record<string, unknown> | null;
}

/** The database a row plan edits, and the pre-image of every row it touches. */
export interface SqliteTarget {
  readonly db: string;
  readonly preImage: readonly RowImage[];
}

/** What a scope repair grants, to which device, and what it holds back. */
export interface ScopeGrant {
  readonly deviceId: string;
  /** The device's newest live pending request. */
  readonly requestId?: string;
  readonly requested: readonly string[];
  readonly grant: readonly string[];
  readonly withheld: readonly string[];
}

/** What the guard step checks with the gateway stopped, before anything is written. */
export type GuardSpec =
  | { readonly kind: 'none' }
  /** Every file still holds exactly the `before` text the plan was made from (edit-config). */
  | { readonly kind: 'files-unchanged' }
  /**
   * The device's own fields and requests are as planned (their canonical fingerprint); unrelated
   * rewrites of the same files (the gateway's last-seen times) are re-based onto by a new plan.
   */
  | { readonly kind: 'json-device'; readonly deviceId: string; readonly role: string; readonly fingerprint: string };

/** What verify proves once the gateway is back. */
export interface VerifySpec {
  /** 'up': it must answer (a restart plan); 'as-found': as it was when the plan was made. */
  readonly gateway: 'up' | 'as-found';
  /** The store, read by meaning, shows these scopes approved for the device. */
  readonly scopes?: { readonly deviceId: string; readonly grant: readonly string[] };
  /** The gateway's log shows no refusal of the device by its old scopes since the restart. */
  readonly noNewRefusal?: { readonly deviceId: string; readonly grant: readonly string[] };
  /** A sub-agent spawn: every call it makes passes the approved scopes, judged by this era's rules. */
  readonly spawn?: { readonly deviceId: string; readonly calls: readonly SpawnCall[]; readonly rules: ScopeRules };
}

interface PlanCommon {
  readonly id: string;
  readonly title: string;
  readonly stateDir: string;
  readonly store: StoreKind;
  /** Whether the gateway answered when the plan was made; the transaction leaves it that way. */
  readonly gatewayWasRunning: boolean | null;
  readonly steps: readonly StepName[];
  /** The OpenClaw commands the transaction runs, for --dry-run. */
  readonly commands: readonly string[];
  readonly notes: readonly string[];
  readonly files: readonly FileChange[];
  readonly rows: readonly RowChange[];
  readonly sqlite?: SqliteTarget;
  readonly guard: GuardSpec;
  readonly verify: VerifySpec;
  /** The finding the plan repairs. */
  readonly finding?: Finding;
}

export interface JsonScopePlan extends PlanCommon {
  readonly kind: 'json-scope-upgrade';
  readonly scope: ScopeGrant;
  /** Pending requests the widened record satisfies, dropped by the patch. */
  readonly removedRequests: readonly string[];
}

/** Store files rewritten as they are, only without their UTF-8 byte-order mark (OpenClaw's reader rejects it). */
export interface JsonRewritePlan extends PlanCommon {
  readonly kind: 'json-rewrite';
}

export interface SqliteApprovePlan extends PlanCommon {
  readonly kind: 'sqlite-approve';
  readonly scope: ScopeGrant & { readonly requestId: string };
  readonly sqlite: SqliteTarget;
}

export interface SqliteScopePlan extends PlanCommon {
  readonly kind: 'sqlite-scope-upgrade';
  readonly scope: ScopeGrant;
  readonly sqlite: SqliteTarget;
}

export interface RestartPlan extends PlanCommon {
  readonly kind: 'restart';
}

export interface RestorePlan extends PlanCommon {
  readonly kind: 'restore-files' | 'restore-rows';
  /** The backup being restored. */
  readonly restoreFrom: string;
}

export interface ConfigEditPlan extends PlanCommon {
  readonly kind: 'config-edit';
}

export type Plan = JsonScopePlan | JsonRewritePlan | SqliteApprovePlan | SqliteScopePlan | RestartPlan | RestorePlan | ConfigEditPlan;
export type PlanKind = Plan['kind'];
export type ScopePlan = JsonScopePlan | SqliteApprovePlan | SqliteScopePlan;

/** The grant of a scope plan; undefined for every other kind. */
export function scopeOf(p: Plan): ScopeGrant | undefined {
  return 'scope' in p ? p.scope : undefined;
}

/** Whether running the plan stops or starts the gateway. */
export function restarts(p: Plan): boolean {
  return p.steps.includes('stop') || p.steps.includes('start');
}

/** Deep-freezes a plan: a plan is a value, and any attempt to change one throws. */
export function freeze<T extends Plan>(p: T): T {
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || Object.isFrozen(v)) return;
    Object.freeze(v);
    for (const x of Object.values(v)) walk(x);
  };
  walk(p);
  return p;
}
