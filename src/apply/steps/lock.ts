/** lock: one clawfix per state dir. No undo: the runner's caller releases it once the journal is settled. */
import { acquireLock } from '../lock.js';
import type { StepDef } from './types.js';

export const lock: StepDef = {
  name: 'lock',
  title: () => 'Lock the state dir',
  async run(tx) {
    tx.release = await acquireLock(tx.plan.stateDir);
  },
  // Releasing it in an undo would let another clawfix in before this one removed its journal.
};
