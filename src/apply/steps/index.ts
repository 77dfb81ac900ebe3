/**
 * The step registry: one definition per StepName, bound to a transaction. The runner
 * (apply/pipeline.ts) stays OpenClaw-agnostic; the plan names its steps, this turns them into
 * runnable steps with their undos.
 */
import type { Plan, StepName } from '../../plan/types.js';
import type { Step } from '../pipeline.js';
import { approve } from './approve.js';
import { backup } from './backup.js';
import { guard } from './guard.js';
import { lock } from './lock.js';
import { patch } from './patch.js';
import { restore } from './restore.js';
import { start } from './start.js';
import { stop } from './stop.js';
import type { StepDef, Tx } from './types.js';
import { verify } from './verify.js';

export type { StepPorts, Tx } from './types.js';

export const STEPS: Readonly<Record<StepName, StepDef>> = { lock, stop, guard, backup, patch, approve, restore, start, verify };

export function stepTitle(plan: Plan, name: StepName): string {
  return STEPS[name].title(plan);
}

/** The plan's steps, bound to this transaction (each reads the plan being run from `tx`). */
export function buildSteps(tx: Tx): Step[] {
  return tx.planned.steps.map((name) => {
    const def = STEPS[name];
    return {
      name,
      title: def.title(tx.planned),
      run: (signal?: AbortSignal) => def.run(tx, signal),
      ...(def.undo ? { undo: () => def.undo!(tx) } : {}),
      ...(def.journaled ? { journaled: true } : {}),
    };
  });
}
