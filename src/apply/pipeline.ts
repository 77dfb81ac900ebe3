/**
 * The transaction runner: steps run in order, each completed (or started) step's undo is kept, and on
 * any failure or interruption the undos run in reverse. The journal on disk is written once the first
 * step (the lock) is done, before and after every step marked `journaled` (the ones recovery reads), and
 * while rolling back; each write is an fsync'd atomic rename, so the steps recovery never asks about
 * are not written for (they are in the next write anyway). The runner knows nothing about OpenClaw;
 * steps come from apply/steps/.
 */
import { type Journal, removeJournal, writeJournal } from './journal.js';
import type { FaultPort } from './faults.js';

export interface Step {
  name: string;
  title: string;
  run(signal?: AbortSignal): Promise<void>;
  /** Must be safe to call after a partial run (idempotent). */
  undo?(): Promise<void>;
  /** Recovery decides by this step's state: the journal is written before it starts and after it is done. */
  journaled?: boolean;
}

export type StepEvent = 'start' | 'done' | 'fail' | 'skip' | 'undo' | 'undone' | 'undo-failed';

export interface TxResult {
  ok: boolean;
  applied: string[];
  error?: Error;
  interrupted: boolean;
  rolledBack: boolean;
  rollbackErrors: { step: string; error: Error }[];
}

export interface TxOptions {
  journal: Journal;
  /** Test-only: crash points between steps. */
  faults?: FaultPort;
  signal?: AbortSignal;
  onEvent?: (step: Step, ev: StepEvent, err?: Error) => void;
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return !!signal?.aborted || (err as { name?: string })?.name === 'AbortError';
}

export async function runTransaction(steps: readonly Step[], o: TxOptions): Promise<TxResult> {
  const j = o.journal;
  j.order = steps.map((s) => s.name);
  const started: Step[] = [];
  const applied: string[] = [];
  // The journal file is shared by every clawfix of the state dir: when the first step takes the lock,
  // it is written only once the lock is held, so a run that loses the race for the lock never
  // overwrites or deletes the journal of the run that is repairing.
  let journaled = steps[0]?.name !== 'lock';
  const journal = async () => {
    if (journaled) await writeJournal(j, o.faults);
  };
  await journal();
  try {
    for (const step of steps) {
      if (o.signal?.aborted) throw o.signal.reason ?? Object.assign(new Error('interrupted'), { name: 'AbortError' });
      o.faults?.crash(`before:${step.name}`);
      j.steps[step.name] = 'started';
      if (step.journaled) await journal();
      started.push(step);
      o.onEvent?.(step, 'start');
      await step.run(o.signal);
      j.steps[step.name] = 'done';
      const first = step.name === 'lock' && !journaled;
      if (step.name === 'lock') journaled = true;
      if (step.journaled || first) await journal();
      applied.push(step.name);
      o.onEvent?.(step, 'done');
      o.faults?.crash(`after:${step.name}`);
    }
    if (journaled) await removeJournal(j.stateDir);
    return { ok: true, applied, interrupted: false, rolledBack: false, rollbackErrors: [] };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    const interrupted = isAbort(err, o.signal);
    const failing = started[started.length - 1];
    if (failing && j.steps[failing.name] !== 'done') o.onEvent?.(failing, 'fail', error);
    j.phase = 'rolling-back';
    await journal().catch(() => undefined);
    const rollbackErrors = await undoAll(started, o, journal);
    if (journaled && !rollbackErrors.length) await removeJournal(j.stateDir).catch(() => undefined);
    return { ok: false, applied, error, interrupted, rolledBack: rollbackErrors.length === 0, rollbackErrors };
  }
}

/** Undo every started step, newest first; an undo that fails is reported and the others still run. */
async function undoAll(started: readonly Step[], o: TxOptions, journal: () => Promise<void>): Promise<{ step: string; error: Error }[]> {
  const rollbackErrors: { step: string; error: Error }[] = [];
  for (const step of [...started].reverse()) {
    if (!step.undo) continue;
    o.onEvent?.(step, 'undo');
    try {
      o.faults?.crash(`undo:${step.name}`);
      await step.undo();
      o.journal.steps[step.name] = 'undone';
      await journal().catch(() => undefined);
      o.onEvent?.(step, 'undone');
    } catch (uerr) {
      const ue = uerr instanceof Error ? uerr : new Error(String(uerr));
      rollbackErrors.push({ step: step.name, error: ue });
      o.onEvent?.(step, 'undo-failed', ue);
    }
  }
  return rollbackErrors;
}
