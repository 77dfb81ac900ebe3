/** What every transaction step gets: the plan being run, the journal, the ports, and what earlier steps left behind. */
import type { Journal } from '../../records/journal.js';
import type { Plan, StepName } from '../../plan/types.js';
import type { BackupManifest } from '../backup.js';
import type { FaultPort } from '../faults.js';
import type { GatewayControl } from '../gateway.js';
import type { Release } from '../lock.js';

export interface StepPorts {
  gateway: GatewayControl;
  /** How long a rollback waits for a stop that was already sent to take effect (default 30 s). */
  settleMs?: number;
  now: () => number;
  /** The gateway's log files, for verify's "no new refusal since the restart". */
  logFiles: string[];
  /** Progress messages (stderr). */
  log: (msg: string) => void;
  /** Test-only fault injection (absent in normal runs). */
  faults?: FaultPort;
}

export interface Tx {
  /** The plan as shown (dry-run, the plan step list): never changed. */
  readonly planned: Plan;
  /** The plan being run: `planned`, or the new plan the guard re-based it into. */
  plan: Plan;
  readonly journal: Journal;
  readonly ports: StepPorts;
  release?: Release;
  backup?: BackupManifest;
  /** When the gateway was (re)started by this transaction. */
  startMs?: number;
}

/** One kind of step: run forward, and (if it changes anything) undo. Undo must be idempotent. */
export interface StepDef {
  readonly name: StepName;
  title(plan: Plan): string;
  run(tx: Tx, signal?: AbortSignal): Promise<void>;
  undo?(tx: Tx): Promise<void>;
  /** Recovery decides by this step's state: the journal is written before it starts and after it is done. */
  readonly journaled?: boolean;
}
