/**
 * interrupted-repair: a clawfix transaction was cut short (its journal is still in the state dir).
 */
import type { Detector } from '../types.js';

/** A repair that was cut short (kill -9, power loss): the next fix/rollback/wizard run recovers it. */
export const interruptedRepair: Detector = {
  id: 'interrupted-repair',
  role: 'cause',
  detect(s) {
    const j = s.journal;
    if (!j) return [];
    return [
      {
        id: 'interrupted-repair',
        severity: j.running ? 'info' : 'error',
        title: j.running ? `A clawfix ${j.command} (${j.id}) is running right now` : `A clawfix ${j.command} (${j.id}) was interrupted and must be recovered`,
        detail: j.running
          ? 'Another clawfix process is in the middle of a transaction on this state dir; what is read now may change when it finishes.'
          : 'Its journal is still in the state dir: the store may be stopped mid-way or hold a half-finished repair. The next `clawfix fix` (or `clawfix` on a terminal) finishes it if it was written completely, otherwise restores the backup, and restarts the gateway if it was running.',
        evidence: [{ kind: 'file', text: `journal of ${j.command} ${j.id}, started ${new Date(j.startedAtMs).toISOString()}`, source: `${s.stateDir}/clawfix/journal.json` }],
        suggestedFix: { kind: 'clawfix', description: 'recover the interrupted transaction', command: 'clawfix fix --yes' },
      },
    ];
  },
};
