/** Runs a plan as a journaled transaction and reports what happened. */
import type { Plan } from '../plan/types.js';
import { enterCritical } from '../util/interrupt.js';
import { pruneBackups } from './backup.js';
import type { Journal } from './journal.js';
import { runTransaction, type Step, type StepEvent, type TxResult } from './pipeline.js';
import { buildSteps, type StepPorts, type TxState } from './steps.js';

export interface ExecuteResult extends TxResult {
  backupId?: string;
  pruned: string[];
}

export async function executePlan(
  plan: Plan,
  command: 'fix' | 'rollback' | 'edit-config',
  ports: StepPorts,
  opts: { signal?: AbortSignal; onEvent?: (step: Step, ev: StepEvent, err?: Error) => void },
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
  const st: TxState = {};
  const leave = enterCritical();
  try {
    const steps = buildSteps(plan, journal, ports, st);
    const res = await runTransaction(steps, { journal, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
    await st.release?.();
    const pruned = res.ok ? await pruneBackups(plan.stateDir).catch(() => []) : [];
    return { ...res, ...(st.backup ? { backupId: st.backup.id } : {}), pruned };
  } finally {
    leave();
  }
}
