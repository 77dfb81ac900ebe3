/** Runs a plan as a journaled transaction and reports what happened (and which plan ran). */
import type { Journal } from '../records/journal.js';
import type { Plan } from '../plan/types.js';
import { pruneBackups } from './backup.js';
import { runTransaction, type Step, type StepEvent, type TxResult } from './pipeline.js';
import { buildSteps, type StepPorts, type Tx } from './steps/index.js';

export interface ExecuteResult extends TxResult {
  backupId?: string;
  pruned: string[];
  /** The plan that ran: the one shown, or the new plan the guard re-based it into. */
  ran: Plan;
  /** Whether the guard re-based the plan onto files the gateway rewrote (same change). */
  rebased: boolean;
}

export async function executePlan(
  plan: Plan,
  command: Journal['command'],
  ports: StepPorts,
  opts: {
    signal?: AbortSignal;
    /** Marks the transaction as running (Ctrl-C then rolls back instead of exiting); returns the leave function. */
    critical?: () => () => void;
    onEvent?: (step: Step, ev: StepEvent, err?: Error) => void;
  },
): Promise<ExecuteResult> {
  const journal: Journal = {
    version: 1,
    id: plan.id,
    pid: process.pid,
    startedAtMs: ports.now(),
    command,
    kind: plan.kind,
    stateDir: plan.stateDir,
    gatewayWasRunning: plan.gatewayWasRunning,
    expected: [],
    steps: {},
    order: [],
    phase: 'applying',
  };
  const tx: Tx = { planned: plan, plan, journal, ports };
  const leave = opts.critical?.() ?? (() => undefined);
  try {
    const res = await runTransaction(buildSteps(tx), {
      journal,
      ...(ports.faults ? { faults: ports.faults } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    await tx.release?.();
    const pruned = res.ok ? await pruneBackups(plan.stateDir).catch(() => []) : [];
    return { ...res, ...(tx.backup ? { backupId: tx.backup.id } : {}), pruned, ran: tx.plan, rebased: tx.plan !== plan };
  } finally {
    leave();
  }
}
