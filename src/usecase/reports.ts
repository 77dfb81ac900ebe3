/** What each use case returns: typed reports the renderers (human, --json) turn into output. */
import type { ExecuteResult } from '../apply/execute.js';
import type { BackupManifest } from '../apply/backup.js';
import type { Target } from '../plan/build.js';
import type { Plan } from '../plan/types.js';
import type { Finding, Snapshot } from '../types.js';

/** The commands that stop and start this gateway (`openclaw gateway stop`, `podman stop -t 30 NAME`, …). */
export interface GatewayCommands {
  stop: string;
  start: string;
}

/** The stop and start commands of a gateway control. */
export function gatewayCommandsOf(describe: () => GatewayCommands): GatewayCommands {
  const d = describe();
  return { stop: d.stop, start: d.start };
}

export interface DiagnoseReport {
  snapshot: Snapshot;
  findings: Finding[];
  elapsedMs: number;
  exitCode: number;
}

export type RepairOutcome =
  /** Nothing clawfix repairs was found (there may still be problems it only names). */
  | 'nothing-to-repair'
  /** A scope target with nothing to grant: already approved, or only held-back scopes. */
  | 'nothing-to-grant'
  /** --dry-run: the plan was shown. */
  | 'planned'
  /** The user said no at a prompt. */
  | 'cancelled'
  | 'repaired'
  | 'failed';

export interface RepairReport {
  outcome: RepairOutcome;
  dryRun: boolean;
  snapshot: Snapshot;
  findings: Finding[];
  target?: Target;
  /** The plan shown (and run, unless `result.rebased`: then `result.ran` is what ran). */
  plan?: Plan;
  result?: ExecuteResult;
  /** How this gateway is stopped and started by hand (the control's commands), for a rollback that did not complete. */
  gatewayCommands?: GatewayCommands;
  /** Set when the outcome needs its own words (an interactive choice ended it). */
  message?: string;
  exitCode: number;
}

export type RestoreOutcome = 'same' | 'cancelled' | 'restored' | 'failed';

export interface RestoreReport {
  outcome: RestoreOutcome;
  backupId: string;
  plan?: Plan;
  result?: ExecuteResult;
  gatewayCommands?: GatewayCommands;
  exitCode: number;
}

export interface BackupsReport {
  stateDir: string;
  backups: BackupManifest[];
}
