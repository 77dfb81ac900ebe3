/**
 * What a use case gets from the command that runs it: where to look, the environment and clock, the
 * transaction's interrupt signal, fault injection (tests), progress output, and where to report the
 * secrets it read (the output layer's redactor). Use cases never print results: they return reports.
 */
import type { FaultPort } from '../apply/faults.js';
import type { SnapshotOptions } from '../snapshot/index.js';

export interface AppCtx {
  snapshotOptions: SnapshotOptions;
  /** clawfix was pointed at a config explicitly (--config): the OpenClaw CLI is pointed at it too. */
  configFlag: boolean;
  env: Readonly<Record<string, string | undefined>>;
  now: () => number;
  /** Aborts a running transaction (SIGINT/SIGTERM); `critical` marks one as running. */
  signals: { readonly signal: AbortSignal; critical(): () => void };
  faults?: FaultPort;
  /** Progress lines (stderr); `recovered: …` and similar get the `warn` tone, step details `dim`. */
  log(msg: string, tone?: 'warn' | 'dim'): void;
  /** Every secret a snapshot read, for the output layer's redactor. */
  learnSecrets(secrets: readonly string[]): void;
}
