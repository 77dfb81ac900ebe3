/** A plan: everything a repair will do, computed before the first write. --dry-run prints it; apply executes it. */
import type { RowImage } from '../apply/backup.js';
import type { Finding, StoreKind } from '../types.js';

export type PlanKind = 'json-scope-upgrade' | 'sqlite-approve' | 'sqlite-scope-upgrade' | 'restart' | 'restore-files' | 'restore-rows' | 'config-edit';

export interface FileChange {
  path: string;
  before: string;
  after: string;
  mode: number;
  beforeSha: string;
  afterSha: string;
}

export interface RowChange {
  table: string;
  key: Record<string, string>;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface Plan {
  id: string;
  kind: PlanKind;
  title: string;
  finding?: Finding;
  stateDir: string;
  store: StoreKind;
  deviceId?: string;
  requestId?: string;
  requested: string[];
  grant: string[];
  withheld: string[];
  /** Whether the gateway answered when the plan was made; the transaction leaves it that way. */
  gatewayWasRunning: boolean | null;
  /** Stop before writing and start after (JSON store: the gateway rewrites it while running). */
  restart: boolean;
  files: FileChange[];
  rows: RowChange[];
  /** For SQLite row edits: the database and the pre-image of every row the edit touches. */
  sqlite?: { db: string; preImage: RowImage[] };
  commands: string[];
  steps: { name: string; title: string }[];
  notes: string[];
  /** JSON store: canonical view of the fields the patch depends on (see plan/json-scope.ts). */
  guard?: string;
  /** For rollback plans: the backup being restored. */
  restoreFrom?: string;
}
